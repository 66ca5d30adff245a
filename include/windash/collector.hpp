#pragma once
/// @file
/// windash::collector: Sample v1 (SPEC §1) from the running OS. Depends on windash::core only:
/// no JSON, no networking.

#include <windash/collector/collector.hpp>
#include <windash/collector/errors.hpp>
#include <windash/collector/procfs.hpp>
#include <windash/collector/rates.hpp>
