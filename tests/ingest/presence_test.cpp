// contact_tracker: which agents' contact times (SPEC §2 online state) are written, and when.
#include "ingest/presence.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace windash::ingest::detail {
namespace {

using namespace std::chrono_literals;
using store::contact;

const timestamp t0 = timestamp(std::chrono::microseconds(1'700'000'000'000'000));

std::vector<store::row_id> ids(const std::vector<contact>& cs) {
    std::vector<store::row_id> out;
    for (const auto& c : cs) out.push_back(c.device_id);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("new agents are written at once, then again only after the refresh interval") {
    contact_tracker t(20s);
    const contact first[] = {{1, t0}, {2, t0 + 1s}};
    auto due = t.due(first, {});
    CHECK(ids(due) == std::vector<store::row_id>{1, 2});
    t.written(due, {});
    const contact later[] = {{1, t0 + 19s}, {2, t0 + 21s}, {3, t0 + 2s}};
    due = t.due(later, {});
    CHECK(ids(due) == std::vector<store::row_id>{2, 3});  // 1 heard only 19 s after its write
    t.written(due, {});
    const contact silent[] = {{1, t0 + 19s}};  // heard nothing new: nothing to write yet
    t.written(t.due(silent, {}), {});
    const contact again[] = {{1, t0 + 20s}};
    CHECK(ids(t.due(again, {})) == std::vector<store::row_id>{1});
}

TEST_CASE("a departed agent's last contact is written, and it is written at once if it returns") {
    contact_tracker t(20s);
    const contact connected[] = {{1, t0}};
    t.written(t.due(connected, {}), {});
    const contact left[] = {{1, t0 + 5s}};
    auto due = t.due({}, left);
    REQUIRE(due.size() == 1);
    CHECK(due[0].at == t0 + 5s);
    t.written(due, left);
    const contact back[] = {{1, t0 + 6s}};
    CHECK(t.due(back, {}).size() == 1);
}

TEST_CASE("nothing is due when nothing changed") {
    contact_tracker t(20s);
    CHECK(t.due({}, {}).empty());
}

}  // namespace windash::ingest::detail
