#pragma once
/// @file
/// windash::dashboard: the browser dashboard's files, built into the library, for the ingest
/// server to serve (server_options::web_files).

#include <windash/dashboard/assets.hpp>
