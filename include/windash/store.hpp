#pragma once
/// @file
/// windash::store: the storage interface, its record types, group commit and
/// background maintenance (no backend).
/// Backends: <windash/store_sqlite.hpp>, <windash/store_postgres.hpp>; open_store(url) picks
/// one: <windash/store_open.hpp>.

#include <windash/store/errors.hpp>
#include <windash/store/group_committer.hpp>
#include <windash/store/history.hpp>
#include <windash/store/maintenance.hpp>
#include <windash/store/records.hpp>
#include <windash/store/store.hpp>
