#include "files.hpp"
#include <windash/agent/spool.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#endif

namespace windash::agent {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view segment_suffix = ".spool";
constexpr std::size_t index_digits = 20;  // every uint64 fits
constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::size_t recent_max_bytes = 64 * 1024;

agent_error io_error(const fs::path& path, const char* what) {
    return {path.string() + ": " + what + ": " + std::strerror(errno)};
}

std::string segment_name(std::uint64_t first) {
    std::string digits = std::to_string(first);
    return std::string(index_digits - digits.size(), '0') + digits + std::string(segment_suffix);
}

std::optional<std::uint64_t> segment_first(const fs::path& p) {
    const std::string name = p.filename().string();
    if (name.size() != index_digits + segment_suffix.size() || !name.ends_with(segment_suffix))
        return std::nullopt;
    std::uint64_t first = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + index_digits, first);
    if (ec != std::errc{} || end != name.data() + index_digits) return std::nullopt;
    return first;
}

struct file_closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

}  // namespace

struct segment {
    std::uint64_t first = 0;  // index of its first line
    std::uint64_t count = 0;  // complete lines
    std::uint64_t bytes = 0;  // through the last complete line
    fs::file_time_type last_write{};
};

struct spool::state {
    fs::path folder;
    spool_limits limits;
    std::uint64_t segment_max_bytes = 0;
    std::deque<segment> segments;  // oldest first; indices ascending, never overlapping
    std::uint64_t acked = 0;       // first index not acknowledged
    std::uint64_t next = 0;        // index of the next append
    std::uint64_t bytes = 0;       // sum of segments' bytes
    std::uint64_t dropped_full = 0;
    std::uint64_t dropped_old = 0;
    std::uint64_t disk_flushes = 0;
    file_ptr tail;        // segments.back(), open for appending; null until the first append
    file_ptr acked_file;  // `acked`, open for overwriting; null until the first acknowledgement
    std::uint64_t acked_saved = 0;  // what `acked` holds
    std::optional<std::chrono::steady_clock::time_point> acked_saved_at;

    // The newest lines, [recent_first, next), kept in memory up to recent_max_bytes: while the
    // server keeps up, a sample is read back for sending from here, without opening a file.
    std::deque<std::string> recent;
    std::uint64_t recent_first = 0;
    std::size_t recent_bytes = 0;

    // Where the last read() from a file stopped, so sending one sample at a time does not
    // rescan a segment from its start.
    std::uint64_t hint_index = UINT64_MAX;
    std::uint64_t hint_first = 0;
    std::uint64_t hint_offset = 0;
#ifndef _WIN32
    int lock_fd = -1;
#endif

    ~state() {
        if (acked != acked_saved) (void)save_acked();  // a clean stop resends nothing
#ifndef _WIN32
        if (lock_fd >= 0) ::close(lock_fd);  // releases the lock
#endif
    }

    fs::path path_of(const segment& s) const { return folder / segment_name(s.first); }

    void remember(std::string_view line) {
        if (recent.empty()) recent_first = next;
        recent.emplace_back(line);
        recent_bytes += line.size();
        while (recent_bytes > recent_max_bytes) forget_oldest();
    }

    void forget_oldest() {
        recent_bytes -= recent.front().size();
        recent.pop_front();
        ++recent_first;
    }

    void forget_acknowledged() {
        while (!recent.empty() && recent_first < acked) forget_oldest();
    }

    // Segments made only of acknowledged samples are deleted, except the one being appended
    // to: deleting it would make the next sample create a file again (inode churn, per sample,
    // when the server acknowledges each one before the next is collected).
    void remove_acknowledged() {
        std::uint64_t none = 0;
        while (segments.size() > 1 && segments.front().first + segments.front().count <= acked)
            remove_front(none);
        forget_acknowledged();
    }

    // Removes the oldest segment; its samples not yet acknowledged are counted in `dropped`.
    void remove_front(std::uint64_t& dropped) {
        const segment s = segments.front();
        const std::uint64_t end = s.first + s.count;
        if (acked < end) dropped += end - std::max(acked, s.first);
        acked = std::max(acked, end);
        forget_acknowledged();
        if (segments.size() == 1) tail.reset();
        segments.pop_front();
        bytes -= s.bytes;
        std::error_code ec;
        fs::remove(path_of(s), ec);  // a leftover file is cut off again at the next open
    }

    std::uint64_t drop_old(fs::file_time_type now) {
        const std::uint64_t before = dropped_old;
        while (!segments.empty() && segments.front().last_write + limits.max_age < now)
            remove_front(dropped_old);
        return dropped_old - before;
    }

    // `acked` is overwritten in place with a line of fixed width (20 digits): one write of 21
    // bytes at offset 0, which a crash cannot tear (it lies in one sector, and the page cache
    // takes it whole), and no new file per acknowledgement: creating and renaming a file per
    // sample cost more CPU in the file system (inode allocation) than the rest of the cycle.
    // Not flushed to disk: a stale value only means duplicates, never a loss (see the header).
    agent_result<void> save_acked() {
        const auto path = folder / "acked";
        if (!acked_file) {
            acked_file.reset(std::fopen(path.string().c_str(), "r+b"));
            if (!acked_file) acked_file.reset(std::fopen(path.string().c_str(), "w+b"));
            if (!acked_file) return io_error(path, "cannot be opened for writing");
        }
        char line[32];
        const int n =
            std::snprintf(line, sizeof line, "%020llu\n", static_cast<unsigned long long>(acked));
        const bool written = std::fseek(acked_file.get(), 0, SEEK_SET) == 0 &&
                             std::fwrite(line, 1, static_cast<std::size_t>(n), acked_file.get()) ==
                                 static_cast<std::size_t>(n) &&
                             std::fflush(acked_file.get()) == 0;
        if (!written) {
            acked_file.reset();  // opened again at the next acknowledgement
            return io_error(path, "cannot be written");
        }
        acked_saved = acked;
        acked_saved_at = std::chrono::steady_clock::now();
        return {};
    }

    // Saves `acked` when the last save is ack_save_every old (see spool_limits).
    agent_result<void> save_acked_when_due() {
        const auto now = std::chrono::steady_clock::now();
        if (acked_saved_at && now >= *acked_saved_at &&
            now - *acked_saved_at < limits.ack_save_every)
            return {};
        return save_acked();
    }
};

namespace {

// Counts the complete lines of a segment file and the bytes through the last one.
agent_result<segment> scan(const fs::path& path, std::uint64_t first) {
    file_ptr f(std::fopen(path.string().c_str(), "rb"));
    if (!f) return io_error(path, "cannot be read");
    segment s{first, 0, 0, {}};
    std::vector<char> chunk(read_chunk);
    std::uint64_t offset = 0;
    while (std::size_t n = std::fread(chunk.data(), 1, chunk.size(), f.get())) {
        for (std::size_t i = 0; i < n; ++i) {
            if (chunk[i] != '\n') continue;
            ++s.count;
            s.bytes = offset + i + 1;
        }
        offset += n;
    }
    if (std::ferror(f.get())) return io_error(path, "cannot be read");
    return s;
}

}  // namespace

agent_result<spool> spool::open(const fs::path& folder, spool_limits limits) {
    if (auto made = detail::make_private_folder(folder); !made) return made.error();
    auto st = std::make_unique<state>();
    st->folder = folder;
    st->limits = limits;
    // Small caps get small segments, so dropping the oldest one loses little.
    st->segment_max_bytes = std::clamp<std::uint64_t>(limits.max_bytes / 8, 4096, 4u << 20);
#ifndef _WIN32
    const auto lock_path = folder / "lock";
    st->lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (st->lock_fd < 0) return io_error(lock_path, "cannot be opened");
    if (::flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        return agent_error{folder.string() +
                           ": the spool is in use by another windash-agent (one agent per spool)"};
    }
#endif
    std::vector<std::pair<std::uint64_t, fs::path>> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        if (auto first = segment_first(entry.path())) found.emplace_back(*first, entry.path());
    }
    if (ec) return agent_error{folder.string() + ": cannot be listed: " + ec.message()};
    std::sort(found.begin(), found.end());
    for (const auto& [first, path] : found) {
        auto s = scan(path, first);
        if (!s) return s.error();
        if (!st->segments.empty()) {
            const auto& prev = st->segments.back();
            if (prev.first + prev.count > first) {
                return agent_error{path.string() + ": overlaps " + st->path_of(prev).string() +
                                   ": the spool folder was changed by hand"};
            }
        }
        if (fs::file_size(path, ec) != s->bytes) {  // a torn last line: cut it
            fs::resize_file(path, s->bytes, ec);    // (only then: it also sets the mtime)
            if (ec) return agent_error{path.string() + ": cannot be repaired: " + ec.message()};
        }
        if (s->count == 0) {
            fs::remove(path, ec);
            continue;
        }
        s->last_write = fs::last_write_time(path, ec);
        st->bytes += s->bytes;
        st->segments.push_back(*s);
    }

    std::uint64_t acked = st->segments.empty() ? 0 : st->segments.front().first;
    if (std::ifstream in(folder / "acked"); in) {
        std::uint64_t saved = 0;
        if (in >> saved) acked = std::max(acked, saved);
    }
    st->next = st->segments.empty() ? acked : st->segments.back().first + st->segments.back().count;
    st->acked = std::min(acked, st->next);
    st->acked_saved = st->acked;
    std::uint64_t none = 0;
    while (!st->segments.empty() &&
           st->segments.front().first + st->segments.front().count <= st->acked)
        st->remove_front(none);
    st->drop_old(fs::file_time_type::clock::now());
    return spool(std::move(st));
}

spool::spool(std::unique_ptr<state> s) : state_(std::move(s)) {}
spool::spool(spool&&) noexcept = default;
spool& spool::operator=(spool&&) noexcept = default;
spool::~spool() = default;

agent_result<spool_drop> spool::append(std::string_view sample_json) {
    auto& st = *state_;
    const auto now = fs::file_time_type::clock::now();
    spool_drop drop;
    drop.old = st.drop_old(now);

    const std::uint64_t line = sample_json.size() + 1;
    const bool roll =
        st.segments.empty() || st.segments.back().count >= st.limits.samples_per_segment ||
        (st.segments.back().bytes > 0 && st.segments.back().bytes + line > st.segment_max_bytes);
    if (roll) {
        st.tail.reset();
        st.segments.push_back(segment{st.next, 0, 0, now});
    }
    // Room for the line: the oldest segments go, never the one being written.
    const std::uint64_t before_full = st.dropped_full;
    while (st.bytes + line > st.limits.max_bytes && st.segments.size() > 1)
        st.remove_front(st.dropped_full);
    drop.full = st.dropped_full - before_full;

    auto& back = st.segments.back();
    if (!st.tail) {
        const fs::path path = st.path_of(back);
        st.tail.reset(std::fopen(path.string().c_str(), "ab"));
        if (!st.tail) {
            if (back.count == 0) st.segments.pop_back();
            return io_error(path, "cannot be opened for writing");
        }
    }
    // Older samples still waiting for their ack (the server is behind or away): this one may
    // wait long too, so it goes to the disk now, with any line before it that did not. When
    // nothing else is waiting, the server acknowledges it within milliseconds, and a flush per
    // sample would be most of the file system's work for nothing (see the header).
    const bool to_disk = st.acked < st.next;
    const bool written =
        std::fwrite(sample_json.data(), 1, sample_json.size(), st.tail.get()) ==
            sample_json.size() &&
        std::fputc('\n', st.tail.get()) != EOF &&
        (to_disk ? detail::flush_to_disk(st.tail.get()) : std::fflush(st.tail.get()) == 0);
    if (!written) {
        const fs::path path = st.path_of(back);
        auto error = io_error(path, "cannot be written");
        // Cut what part of the line reached the file, so the next append starts a clean line.
        st.tail.reset();
        std::error_code ec;
        fs::resize_file(path, back.bytes, ec);
        if (back.count == 0) {
            fs::remove(path, ec);
            st.segments.pop_back();
        }
        return error;
    }
    if (to_disk) ++st.disk_flushes;
    back.count += 1;
    back.bytes += line;
    back.last_write = now;
    st.bytes += line;
    st.remember(sample_json);
    st.next += 1;
    return drop;
}

agent_result<spool_read> spool::read(std::uint64_t from, std::size_t max_samples,
                                     std::size_t max_bytes, std::string& out) {
    auto& st = *state_;
    from = std::max(from, st.acked);
    std::size_t taken = 0;
    std::size_t text_bytes = 0;
    if (!st.recent.empty() && from >= st.recent_first) {
        for (auto i = from; i < st.next; ++i) {
            const std::string& line = st.recent[i - st.recent_first];
            if (taken >= max_samples || (taken > 0 && text_bytes + line.size() > max_bytes)) break;
            if (taken > 0) out += ',';
            out += line;
            text_bytes += line.size() + 1;
            ++taken;
        }
        return spool_read{taken, from + taken};
    }
    // The first segment holding `from` or a later index.
    auto seg = std::upper_bound(st.segments.begin(), st.segments.end(), from,
                                [](std::uint64_t i, const segment& s) { return i < s.first; });
    if (seg != st.segments.begin()) --seg;
    std::vector<char> chunk;
    for (; seg != st.segments.end() && taken < max_samples; ++seg) {
        if (seg->first + seg->count <= from) continue;
        from = std::max(from, seg->first);
        const fs::path path = st.path_of(*seg);
        file_ptr f(std::fopen(path.string().c_str(), "rb"));
        if (!f) return io_error(path, "cannot be read");
        std::uint64_t index = seg->first;
        std::uint64_t offset = 0;
        if (st.hint_index == from && st.hint_first == seg->first) {
            index = from;
            offset = st.hint_offset;
            if (std::fseek(f.get(), static_cast<long>(offset), SEEK_SET) != 0)
                return io_error(path, "cannot be read");
        }
        chunk.resize(read_chunk);
        std::string line;
        bool full = false;
        const std::uint64_t end = seg->first + seg->count;
        while (!full && index < end) {
            const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), f.get());
            if (n == 0) break;  // shorter than counted: cut at the next open
            std::size_t start = 0;
            for (std::size_t i = 0; i < n && index < end; ++i) {
                if (chunk[i] != '\n') continue;
                line.append(chunk.data() + start, i - start);
                start = i + 1;
                if (index >= from) {
                    if (taken > 0 &&
                        (taken >= max_samples || text_bytes + line.size() > max_bytes)) {
                        full = true;
                        break;
                    }
                    if (taken > 0) out += ',';
                    out += line;
                    text_bytes += line.size() + 1;
                    ++taken;
                }
                offset += line.size() + 1;
                ++index;
                line.clear();
            }
            if (!full) line.append(chunk.data() + start, n - start);
        }
        if (std::ferror(f.get())) return io_error(path, "cannot be read");
        st.hint_index = index;
        st.hint_first = seg->first;
        st.hint_offset = offset;
        if (full) break;
        from = index;
    }
    return spool_read{taken, taken == 0 ? std::max(from, st.acked) : st.hint_index};
}

agent_result<void> spool::acknowledge(std::uint64_t end) {
    auto& st = *state_;
    end = std::min(end, st.next);
    if (end <= st.acked) return {};
    st.acked = end;
    st.remove_acknowledged();
    return st.save_acked_when_due();
}

std::uint64_t spool::begin() const noexcept { return state_->acked; }
std::uint64_t spool::end() const noexcept { return state_->next; }
const fs::path& spool::folder() const noexcept { return state_->folder; }

spool_stats spool::stats() const noexcept {
    const auto& st = *state_;
    spool_stats s;
    for (const auto& seg : st.segments) {
        const std::uint64_t end = seg.first + seg.count;
        if (end > st.acked) s.pending += end - std::max(st.acked, seg.first);
    }
    s.bytes = st.bytes;
    s.dropped_full = st.dropped_full;
    s.dropped_old = st.dropped_old;
    s.disk_flushes = st.disk_flushes;
    return s;
}

}  // namespace windash::agent
