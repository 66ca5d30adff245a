#pragma once
// Helpers shared by the store cases: a fresh store on the backend of this binary (see
// backend.hpp), a paired device, batches of test samples.

#include "store/backend.hpp"
#include "store/samples.hpp"
#include <windash/store.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace windash::store::testing {

/// Options with the clock pinned to base_time().
inline options test_options() {
    options o;
    o.now = [] { return base_time(); };
    return o;
}

template <class T>
T must(result<T> r) {
    REQUIRE_MESSAGE(r.has_value(), r.error().message());
    return std::move(*r);
}

inline void must(result<void> r) { REQUIRE_MESSAGE(r.has_value(), r.error().message()); }

/// A store on a new, empty database of the current backend.
inline std::unique_ptr<store> open_fresh(options opts = test_options()) {
    return must(current_backend().open(current_backend().fresh_url(), std::move(opts)));
}

/// A user with this email and a device paired through an approved, redeemed device code.
inline device make_device(store& s, std::string_view email = "a@example.com") {
    static int serial = 0;  // user codes stay distinct among the unexpired codes of a database
    std::string code = "BCDFGHJ" + std::string(1, "BCDFGHJKLMNPQRSTVWXZ"[serial++ % 20]);
    auto u = must(s.create_user(email, "Ann", "$argon2id$x", base_time()));
    new_device_code nc{
        code,        hash_secret(std::string(email) + "-code"), "host-1", "pc", "127.0.0.1",
        base_time(), base_time() + std::chrono::minutes{10}};
    must(s.create_device_code(nc));
    must(s.decide_device_code(code, u.id, true, "", base_time()));
    return must(
        s.redeem_device_code(nc.secret, hash_secret(std::string(email) + "-token"), base_time()));
}

/// `n` samples of make_sample() from `start`, `step` apart, numbered from `first`.
inline device_batch batch_of(row_id dev, timestamp start, std::size_t n,
                             std::chrono::seconds step = std::chrono::seconds{2},
                             std::uint64_t first = 0) {
    device_batch b{dev, {}};
    for (std::size_t i = 0; i < n; ++i) {
        b.samples.push_back(make_sample(start + step * static_cast<int>(i), first + i));
    }
    return b;
}

/// Raw samples behind a history.
inline std::uint64_t total_samples(const history& h) {
    std::uint64_t n = 0;
    for (auto c : h.sample_count) n += c;
    return n;
}

}  // namespace windash::store::testing
