#pragma once
// The online state of SPEC §2 kept in storage: which agents' contact times (the last frame or
// pong heard) to write, and when. Pure: the server feeds it and writes what it returns.

#include <windash/store/records.hpp>

#include <chrono>
#include <span>
#include <unordered_map>
#include <vector>

namespace windash::ingest::detail {

class contact_tracker {
  public:
    explicit contact_tracker(std::chrono::microseconds refresh) : refresh_(refresh) {}

    /// What to write now: each connected agent not written yet, or heard `refresh` after its
    /// last write; and every departed agent's final contact.
    [[nodiscard]] std::vector<store::contact> due(std::span<const store::contact> connected,
                                                  std::span<const store::contact> departed) const;
    /// After a successful write of `contacts` (a due() result): departed devices are
    /// forgotten, the others remembered as written.
    void written(std::span<const store::contact> contacts,
                 std::span<const store::contact> departed);

  private:
    std::chrono::microseconds refresh_;
    std::unordered_map<store::row_id, timestamp> written_;
};

}  // namespace windash::ingest::detail
