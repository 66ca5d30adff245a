#pragma once
/// @file
/// Rows of the SPEC §7 tables as plain values, and the inputs and outputs of metrics commits.

#include <windash/core/sample.hpp>
#include <windash/core/timestamp.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace windash::store {

/// Database row ids (users, devices, device codes): positive, assigned by the store.
using row_id = std::int64_t;

/// SHA-256 of a secret (session id, device token, device code). The store only ever sees and
/// keeps this hash (SPEC §7); make one with hash_secret().
struct secret_hash {
    std::array<unsigned char, 32> bytes{};
    bool operator==(const secret_hash&) const = default;
};

/// SHA-256 of `secret` (OpenSSL EVP). Thread-safe.
[[nodiscard]] secret_hash hash_secret(std::string_view secret);

/// A user account (SPEC §4). `password_hash` is the Argon2id PHC string, opaque to the store.
struct user {
    row_id id = 0;
    std::string email;  ///< unique, compared as given (callers normalise case)
    std::string name;
    std::string password_hash;
    timestamp created_at{};
};

/// A signed-in browser session; looked up by the hash of its cookie value.
struct session {
    row_id user_id = 0;
    timestamp created_at{};
    timestamp expires_at{};    ///< absolute expiry, set at sign-in
    timestamp last_used_at{};  ///< written by store::touch_session (idle expiry)
};

/// A paired agent (SPEC §3, §4). Deleted devices are never returned.
struct device {
    row_id id = 0;
    row_id user_id = 0;
    std::string host_id;
    std::string name;
    timestamp created_at{};
    std::optional<timestamp> last_seen_at;  ///< newest sample ts committed for this device
    /// When a server last heard from the device's agent (a frame or a pong), written by
    /// record_contact(); see is_online().
    std::optional<timestamp> last_contact_at;
};

/// SPEC §2: how long after its agent was last heard from a device still counts as online.
inline constexpr std::chrono::seconds online_window{60};

/// SPEC §2: online while connected (the server records contact at least every 20 s while an
/// agent is connected), offline `online_window` after the last contact.
[[nodiscard]] inline bool is_online(const device& d, timestamp now) noexcept {
    return d.last_contact_at && now - *d.last_contact_at < online_window;
}

/// That a server heard from a device's agent at `at` (input of record_contact).
struct contact {
    row_id device_id = 0;
    timestamp at{};
};

/// Where a device code stands in the RFC 8628 flow (SPEC §3).
enum class device_code_status { pending, approved, denied, redeemed };

/// A device-code request. `user_code` is the normalised 8-letter code (no dash), not a secret;
/// the agent's `deviceCode` is kept only as `secret`, its hash.
struct device_code {
    row_id id = 0;
    std::string user_code;
    std::string host_id;   ///< optional in the request: empty when absent
    std::string hostname;  ///< optional in the request: empty when absent
    std::string client_address;
    timestamp created_at{};
    timestamp expires_at{};
    std::optional<timestamp> last_polled_at;
    device_code_status status = device_code_status::pending;
    std::optional<row_id> user_id;    ///< who approved or denied it
    std::string device_name;          ///< name chosen at approval, may be empty
    std::optional<row_id> device_id;  ///< set once redeemed
    /// The hash of the agent's `deviceCode` (never the code itself): lets the seed-compatible
    /// poll by user code (SPEC §3) go through poll_device_code() and redeem_device_code().
    secret_hash secret;
};

/// Input of create_device_code.
struct new_device_code {
    std::string user_code;
    secret_hash secret;
    std::string host_id;
    std::string hostname;
    std::string client_address;
    timestamp created_at{};
    timestamp expires_at{};
};

/// The samples of one agent batch for one device, owned by the batch.
struct device_batch {
    row_id device_id = 0;
    std::vector<sample> samples;
    /// Empty, or one entry per sample: when sample i is newly stored, a non-empty payload i is
    /// sent on store::commit_channel inside the commit's own transaction, so listeners hear of
    /// exactly the samples that were committed (stores whose notifies() is false ignore it).
    std::vector<std::string> notify_if_stored{};
};

/// What happened to one device_batch (SPEC §2 ack): accepted + duplicates = samples.size().
struct batch_outcome {
    std::uint32_t accepted = 0;    ///< newly stored
    std::uint32_t duplicates = 0;  ///< `(device_id, ts)` was already stored (or twice in the group)
    bool operator==(const batch_outcome&) const = default;
};

}  // namespace windash::store
