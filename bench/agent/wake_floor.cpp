// wake_floor: the least a process that wakes every 2 s to collect and send one sample can cost
// on this machine, run by bench/agent/footprint.sh beside windash-agent (issue #10).
//
//   wake_floor echo --port-file F    listens on a free loopback port (written to F) and answers
//                                    every request of --request bytes with --reply bytes
//   wake_floor sleep                 every --interval-ms: wakes, and nothing else (at --rss-mib)
//                                    (--huge-pages: that memory in 2 MiB pages)
//   wake_floor client --port P       every --interval-ms: reads the five /proc files the agent
//                                    reads (kept open, as the collector does), statfs("/"),
//                                    appends a line to a file, sends --request bytes and blocks
//                                    until the --reply bytes come back
//
// The client does the kernel work of one agent cycle and nothing else: no parsing, no JSON, no
// WebSocket, no event loop. It grows to --rss-mib MiB resident, because on some virtual
// machines waking a process after it slept costs in proportion to its resident memory
// (bench/README.md), so the floor is compared at the agent's size. Plain POSIX on purpose.
#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <vector>

namespace {

struct settings {
    std::string port_file;
    int port = 0;
    std::size_t request = 380;  // a typical one-sample batch frame of windash-agent
    std::size_t reply = 66;     // its ack frame
    long interval_ms = 2000;
    std::size_t rss_mib = 8;
    bool huge_pages = false;
    std::string append_to = "/dev/null";
};

int fail(const char* what) {
    std::fprintf(stderr, "wake_floor: %s: %s\n", what, std::strerror(errno));
    return 1;
}

// Reads or writes exactly n bytes; false on error or end of stream.
template <class Io>
bool whole(Io io, int fd, char* data, std::size_t n) {
    while (n > 0) {
        ssize_t done = io(fd, data, n);
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) return false;
        data += done;
        n -= static_cast<std::size_t>(done);
    }
    return true;
}

bool read_exactly(int fd, char* data, std::size_t n) {
    return whole([](int f, char* d, std::size_t k) { return ::read(f, d, k); }, fd, data, n);
}
bool write_exactly(int fd, char* data, std::size_t n) {
    return whole([](int f, char* d, std::size_t k) { return ::write(f, d, k); }, fd, data, n);
}

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

void no_delay(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int run_echo(const settings& s) {
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(0);
    socklen_t length = sizeof address;
    if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener, 1) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        return fail("listening on loopback");
    std::ofstream(s.port_file) << ntohs(address.sin_port) << "\n";
    int peer = ::accept(listener, nullptr, nullptr);
    if (peer < 0) return fail("accept");
    no_delay(peer);
    std::vector<char> request(s.request), reply(s.reply, 'a');
    while (read_exactly(peer, request.data(), request.size()))
        if (!write_exactly(peer, reply.data(), reply.size())) break;
    return 0;
}

// This process's resident memory in bytes (0 when unknown).
std::size_t resident_bytes() {
    std::size_t size = 0, resident = 0;
    std::ifstream("/proc/self/statm") >> size >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// Anonymous memory, touched, that makes the process `mib` MiB resident: it is the size that
// matters, not use. With `huge`, asked for in 2 MiB pages (transparent huge pages): the same
// bytes in 512 times fewer page table entries, which is what tells a cost per page mapped from
// a cost per byte. Lives as long as the process.
void grow_to(std::size_t mib, bool huge) {
    const std::size_t have = resident_bytes(), want = mib << 20;
    if (want <= have) return;
    const std::size_t unit = huge ? std::size_t{2} << 20 : 4096;  // also the alignment
    const std::size_t bytes = (want - have + unit - 1) / unit * unit;
    void* mapped =
        ::mmap(nullptr, bytes + unit, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return;
    auto* aligned = reinterpret_cast<char*>((reinterpret_cast<std::uintptr_t>(mapped) + unit - 1) /
                                            unit * unit);
    if (huge) ::madvise(aligned, bytes, MADV_HUGEPAGE);
    std::memset(aligned, 1, bytes);
}

// A fixed schedule of wake-ups every `interval_ms`.
class schedule {
  public:
    explicit schedule(long interval_ms) : interval_ms_(interval_ms) {
        ::clock_gettime(CLOCK_MONOTONIC, &next_);
    }
    void sleep() {
        next_.tv_sec += interval_ms_ / 1000;
        next_.tv_nsec += (interval_ms_ % 1000) * 1'000'000;
        if (next_.tv_nsec >= 1'000'000'000) {
            next_.tv_nsec -= 1'000'000'000;
            ++next_.tv_sec;
        }
        while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next_, nullptr) == EINTR) {
        }
    }

  private:
    long interval_ms_;
    timespec next_{};
};

int run_sleep(const settings& s) {
    grow_to(s.rss_mib, s.huge_pages);
    for (schedule tick(s.interval_ms);;) tick.sleep();
}

int run_client(const settings& s) {
    grow_to(s.rss_mib, s.huge_pages);
    const std::array<const char*, 5> files = {"/proc/stat", "/proc/meminfo", "/proc/uptime",
                                              "/proc/net/dev", "/proc/loadavg"};
    std::array<int, 5> fds{};
    for (std::size_t i = 0; i < files.size(); ++i)
        if ((fds[i] = ::open(files[i], O_RDONLY | O_CLOEXEC)) < 0) return fail(files[i]);
    std::FILE* spool = std::fopen(s.append_to.c_str(), "a");
    if (!spool) return fail("opening the file to append to");
    int sock = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(s.port);
    if (sock < 0 || ::connect(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        return fail("connecting to the echo");
    no_delay(sock);
    std::vector<char> request(s.request, 'r'), reply(s.reply);
    std::array<char, 16 * 1024> chunk;
    for (schedule tick(s.interval_ms);;) {
        tick.sleep();
        for (int fd : fds)  // as the collector reads: from offset 0 until a read returns 0
            for (off_t at = 0;;) {
                ssize_t n = ::pread(fd, chunk.data(), chunk.size(), at);
                if (n <= 0) break;
                at += n;
            }
        struct statfs root {};
        ::statfs("/", &root);
        std::fwrite(request.data(), 1, request.size(), spool);
        std::fputc('\n', spool);
        std::fflush(spool);
        if (!write_exactly(sock, request.data(), request.size()) ||
            !read_exactly(sock, reply.data(), reply.size()))
            return 0;  // the echo ended
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"wake_floor: the kernel work of one agent cycle, for bench/agent/footprint.sh"};
    app.require_subcommand(1);
    settings s;
    auto* echo = app.add_subcommand("echo", "answer a client on a free loopback port");
    echo->add_option("--port-file", s.port_file, "where to write the port")->required();
    auto* sleeper = app.add_subcommand("sleep", "wake every interval and do nothing");
    auto* client = app.add_subcommand("client", "wake, read /proc, append, send, wait for reply");
    client->add_option("--port", s.port, "the echo's port")->required();
    client->add_option("--append-to", s.append_to, "file each request is appended to");
    for (auto* sub : {sleeper, client}) {
        sub->add_option("--interval-ms", s.interval_ms, "time between wake-ups")
            ->check(CLI::Range(1L, 3'600'000L));
        sub->add_option("--rss-mib", s.rss_mib, "resident size to grow to")
            ->check(CLI::Range(std::size_t{0}, std::size_t{4096}));
        sub->add_flag("--huge-pages", s.huge_pages, "grow in 2 MiB pages (madvise MADV_HUGEPAGE)");
    }
    for (auto* sub : {echo, client}) {
        sub->add_option("--request", s.request, "bytes per request")
            ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
        sub->add_option("--reply", s.reply, "bytes per reply")
            ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
    }
    CLI11_PARSE(app, argc, argv);
    if (echo->parsed()) return run_echo(s);
    return sleeper->parsed() ? run_sleep(s) : run_client(s);
}
