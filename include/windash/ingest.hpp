#pragma once
/// @file
/// windash::ingest: the ingest server (SPEC §2, §6) and browserless provisioning.

#include <windash/ingest/backend.hpp>
#include <windash/ingest/errors.hpp>
#include <windash/ingest/options.hpp>
#include <windash/ingest/provisioning.hpp>
#include <windash/ingest/server.hpp>
