#pragma once
/// @file
/// What the ingest server needs from storage, as an interface a third party can implement
/// (an in-memory sink, a queue, another database), and the adapter onto windash::store.

#include <windash/ingest/errors.hpp>
#include <windash/store/group_committer.hpp>
#include <windash/store/records.hpp>
#include <windash/store/store.hpp>

#include <boost/system/result.hpp>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace windash::ingest {

/// The device an agent connection speaks for, once its token is checked.
struct agent_identity {
    store::row_id device_id = 0;
    std::string host_id;
    /// The device's owner, whose browsers get its live events (SPEC §5); 0: nobody's.
    store::row_id user_id = 0;
};

/// Where the ingest server checks tokens and sends batches.
///
/// Threads: authenticate() and ready() block and are called on the server's blocking pool, any
/// number at once. commit() must not block; it may be called from any I/O thread at once.
class backend {
  public:
    /// Completion of commit(): the batch's outcome once durably stored, or why it was not.
    using commit_handler = std::function<void(store::result<store::batch_outcome>)>;

    virtual ~backend() = default;

    /// Checks `bearer_token` for the agent of `host_id` (already a valid hostId). Errors:
    /// errc::invalid_token, errc::host_mismatch, errc::storage_unavailable.
    [[nodiscard]] virtual boost::system::result<agent_identity> authenticate(
        std::string_view bearer_token, std::string_view host_id) = 0;

    /// Stores `batch` durably, then calls `done` exactly once, on any thread (the server brings
    /// it back to the connection's strand). Idempotent per `(device_id, ts)` (SPEC §2): a
    /// sample stored before counts as a duplicate. An error means nothing of it was stored.
    virtual void commit(store::device_batch batch, commit_handler done) = 0;

    /// Whether storage is reachable now (SPEC §6 `/readyz`).
    [[nodiscard]] virtual bool ready() = 0;

    /// Records when agents were last heard from (SPEC §2 online state; newest wins). Blocking,
    /// called about once a second with what changed; false: not recorded, sent again later.
    /// Default: nothing to record, true.
    virtual bool record_contact(std::span<const store::contact> contacts);

    /// The database behind this backend, for the browser API (accounts, devices, history:
    /// SPEC §3-§5); nullptr (the default) serves agents only and answers /api/ with 404.
    [[nodiscard]] virtual store::store* database() noexcept;

    /// Appends backend-specific Prometheus lines to `out` (text format 0.0.4). Default: none.
    virtual void write_metrics(std::string& out) const;
};

/// A backend over `db`, committing through `committer` (both must outlive it). Tokens are
/// looked up by their SHA-256 hash (store::hash_secret), never stored or compared in clear.
[[nodiscard]] std::unique_ptr<backend> make_store_backend(store::store& db,
                                                          store::group_committer& committer);

}  // namespace windash::ingest
