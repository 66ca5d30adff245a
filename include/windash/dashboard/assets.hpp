#pragma once
/// @file
/// The browser dashboard's files, built into the library: the page shell (`index.html`), its
/// script and stylesheet, and uPlot (from npm, pinned by the build's lock file). Hand them to
/// the ingest server (server_options::web_files) to serve the dashboard; nothing else needed.
#include <span>
#include <string_view>

namespace windash::dashboard {

/// One file: static data, valid for the whole program.
struct asset {
    std::string_view name;  ///< `index.html`, `app.js`, `app.css`, `uPlot.iife.min.js`...
    std::string_view content_type;
    std::string_view body;
};

/// Every file of the dashboard. Thread-safe; no allocation.
[[nodiscard]] std::span<const asset> assets() noexcept;

}  // namespace windash::dashboard
