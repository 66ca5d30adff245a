#include <windash/ingest/backend.hpp>

#include <fmt/format.h>

#include <iterator>

namespace windash::ingest {

void backend::write_metrics(std::string&) const {}

bool backend::record_contact(std::span<const store::contact>) { return true; }

store::store* backend::database() noexcept { return nullptr; }

namespace {

class store_backend final : public backend {
  public:
    store_backend(store::store& db, store::group_committer& committer)
        : db_(db), committer_(committer) {}

    boost::system::result<agent_identity> authenticate(std::string_view bearer_token,
                                                       std::string_view host_id) override {
        auto device = db_.find_device_by_token(store::hash_secret(bearer_token));
        if (!device) {
            if (device.error() == store::errc::not_found)
                return make_error_code(errc::invalid_token);
            return make_error_code(errc::storage_unavailable);
        }
        if (device->host_id != host_id) return make_error_code(errc::host_mismatch);
        return agent_identity{device->id, device->host_id, device->user_id};
    }

    void commit(store::device_batch batch, commit_handler done) override {
        committer_.submit(std::move(batch), std::move(done));
    }

    bool ready() override { return db_.ping().has_value(); }
    store::store* database() noexcept override { return &db_; }

    bool record_contact(std::span<const store::contact> contacts) override {
        return db_.record_contact(contacts).has_value();
    }

    void write_metrics(std::string& out) const override {
        auto s = committer_.stats();
        auto it = std::back_inserter(out);
        auto line = [&](const char* type, const char* name, const char* help, auto value) {
            fmt::format_to(it, "# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type,
                           value);
        };
        line("counter", "windash_group_commits_total", "Group commits (one transaction each).",
             s.commits);
        line("counter", "windash_group_commit_failures_total", "Group commits that failed.",
             s.failures);
        line("counter", "windash_group_commit_retries_total",
             "Group commits repeated after a retryable database error.", s.retries);
        line("counter", "windash_group_commit_batches_total", "Batches in committed groups.",
             s.batches);
        line("counter", "windash_group_commit_samples_total", "Samples in committed groups.",
             s.samples);
        line("gauge", "windash_commit_queue_batches", "Batches queued for a commit worker.",
             s.queued_batches);
        line("gauge", "windash_commit_queue_samples", "Samples queued for a commit worker.",
             s.queued_samples);
        line("gauge", "windash_commit_retrying_groups",
             "Groups held for a retry while the database is unavailable.", s.retrying_groups);
    }

  private:
    store::store& db_;
    store::group_committer& committer_;
};

}  // namespace

std::unique_ptr<backend> make_store_backend(store::store& db, store::group_committer& committer) {
    return std::make_unique<store_backend>(db, committer);
}

}  // namespace windash::ingest
