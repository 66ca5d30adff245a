#pragma once
// The history of a device that has reported every 2 s for a year, as the store holds it under
// the default retention (SPEC §7): raw samples for the last 14 days (604,800), 1-minute
// rollups back to 90 days (129,600), 1-hour rollups back to a year (8,760). Shared by the
// store benchmark's history cases and windash-year-history (the dashboard's 1-year test).
#include <windash/store.hpp>

#include <string>

namespace windash::bench {

/// Fills `device` with a year of history ending at `now`. Beyond 14 days it commits one
/// sample a minute, and beyond 90 days one every 10 minutes: fewer samples behind each rollup,
/// the same rollup rows. Rollups are built through a second store on `url` keeping everything
/// for 400 days, then `db` (default retention, its clock at `now`) expires what a real device
/// would no longer have. Throws std::runtime_error when a step fails or a tier does not hold
/// the rows it should.
void fill_year_history(const std::string& url, store::store& db, store::row_id device,
                       timestamp now);

}  // namespace windash::bench
