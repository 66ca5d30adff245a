#pragma once
/// @file
/// windash::core: value types shared by every component (no JSON, no I/O).

#include <windash/core/sample.hpp>
#include <windash/core/timestamp.hpp>
