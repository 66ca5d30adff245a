#include "ingest/presence.hpp"

namespace windash::ingest::detail {

std::vector<store::contact> contact_tracker::due(std::span<const store::contact> connected,
                                                 std::span<const store::contact> departed) const {
    std::vector<store::contact> out(departed.begin(), departed.end());
    for (const auto& c : connected) {
        auto it = written_.find(c.device_id);
        if (it == written_.end() || c.at - it->second >= refresh_) out.push_back(c);
    }
    return out;
}

void contact_tracker::written(std::span<const store::contact> contacts,
                              std::span<const store::contact> departed) {
    for (const auto& c : contacts) {
        auto& w = written_[c.device_id];
        w = std::max(w, c.at);
    }
    // A device whose agent left is written again at once if it comes back.
    for (const auto& c : departed) written_.erase(c.device_id);
}

}  // namespace windash::ingest::detail
