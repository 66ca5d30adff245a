#include "store_postgres/connection.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <poll.h>
#include <unordered_set>

namespace windash::store::postgres {
namespace {

using boost::system::error_code;

// Type OIDs of the binary parameters we send (pg_type.dat).
constexpr Oid int8_oid = 20;
constexpr Oid text_oid = 25;
constexpr Oid float8_oid = 701;
constexpr Oid bytea_oid = 17;

struct result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

errc errc_of_sqlstate(std::string_view state) {
    if (state == "23505") return errc::conflict;
    if (state.starts_with("23") || state.starts_with("22")) return errc::invalid_argument;
    if (state == "40001" || state == "40P01" || state.starts_with("55")) return errc::busy;
    if (state == "53100") return errc::disk_full;
    if (state.starts_with("53")) return errc::busy;
    if (state.starts_with("08") || state.starts_with("57P")) return errc::connection_lost;
    if (state == "58030") return errc::io_error;
    if (state.starts_with("XX")) return errc::corrupt;
    return errc::internal;
}

std::uint64_t read_be(const char* p, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

void write_be(std::uint64_t v, char* out) {
    for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
}

class pg_row final : public detail::row {
  public:
    pg_row(PGresult* r, int n) : r_(r), n_(n) {}
    bool is_null(int col) const override { return PQgetisnull(r_, n_, col) != 0; }
    std::int64_t i64(int col) const override {
        int len = PQgetlength(r_, n_, col);
        auto v = read_be(PQgetvalue(r_, n_, col), len);
        // Sign-extend 2- and 4-byte integers (int2, int4 results such as `SELECT 1`).
        if (len < 8 && len > 0) {
            int shift = 64 - 8 * len;
            return static_cast<std::int64_t>(v << shift) >> shift;
        }
        return static_cast<std::int64_t>(v);
    }
    double f64(int col) const override {
        return std::bit_cast<double>(read_be(PQgetvalue(r_, n_, col), 8));
    }
    std::string_view text(int col) const override {
        return {PQgetvalue(r_, n_, col), static_cast<std::size_t>(PQgetlength(r_, n_, col))};
    }
    std::string_view bytes(int col) const override { return text(col); }

  private:
    PGresult* r_;
    int n_;
};

// Parameters converted to libpq's binary format; owns the big-endian number buffers.
struct bound_params {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    std::vector<Oid> types;
    std::vector<std::array<char, 8>> numbers;

    explicit bound_params(std::span<const detail::value> params) {
        numbers.reserve(params.size());
        for (const auto& p : params) std::visit([this](const auto& v) { add(v); }, p);
    }
    void push(const char* data, int len, Oid type) {
        values.push_back(data);
        lengths.push_back(len);
        formats.push_back(1);
        types.push_back(type);
    }
    void add(std::nullptr_t) { push(nullptr, 0, 0); }
    void add(std::int64_t v) { add_number(static_cast<std::uint64_t>(v), int8_oid); }
    void add(double v) { add_number(std::bit_cast<std::uint64_t>(v), float8_oid); }
    void add(std::string_view v) { push(v.data(), static_cast<int>(v.size()), text_oid); }
    void add(detail::blob v) { push(v.bytes.data(), static_cast<int>(v.bytes.size()), bytea_oid); }
    void add_number(std::uint64_t bits, Oid type) {
        write_be(bits, numbers.emplace_back().data());
        push(numbers.back().data(), 8, type);
    }
};

void put_number(std::string& out, auto v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
}

// One line of COPY text format; bytea goes in as `\\x<hex>` (the backslash escaped for COPY).
void put_copy_line(std::string& out, const detail::staged_sample& s) {
    static constexpr char hex[] = "0123456789abcdef";
    const detail::metric_row& m = *s.row;
    put_number(out, s.device_id);
    out += '\t';
    put_number(out, m.ts);
    out += '\t';
    put_number(out, m.cpu_total);
    for (auto v : {m.mem_used, m.mem_total, m.net_tx, m.net_rx, m.uptime, m.procs}) {
        out += '\t';
        put_number(out, v);
    }
    out += "\t\\\\x";
    for (unsigned char c : m.detail) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    out += '\n';
}

struct key_hash {
    std::size_t operator()(const std::pair<std::int64_t, std::int64_t>& k) const noexcept {
        return std::hash<std::int64_t>{}(k.first * 1'000'003 ^ k.second);
    }
};

}  // namespace

result<std::unique_ptr<detail::connection>> connection::open(const std::string& url,
                                                             const options& opts,
                                                             postgres_options pg) {
    PGconn* c = PQconnectdb(url.c_str());
    std::unique_ptr<connection> conn(new connection(c, opts, pg));
    if (!c || PQstatus(c) != CONNECTION_OK) {
        if (opts.log) opts.log(std::string("postgres: ") + (c ? PQerrorMessage(c) : "no memory"));
        return error_code(c ? errc::connection_lost : errc::internal);
    }
    // Server notices go to the log callback, never to stderr.
    PQsetNoticeProcessor(
        c,
        [](void* self, const char* message) {
            auto* me = static_cast<connection*>(self);
            if (me->log_) me->log_(std::string("postgres: ") + message);
        },
        conn.get());
    auto r = conn->exec("SET synchronous_commit = on; SET client_min_messages = warning");
    if (!r) return r.error();
    return std::unique_ptr<detail::connection>(std::move(conn));
}

connection::~connection() { PQfinish(conn_); }

bool connection::usable() {
    if (PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE ||
        PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) {
        return false;
    }
    // An idle connection receives nothing unless the server is going away (a restart sends
    // FATAL 57P01 and closes): anything readable means the connection is dead.
    pollfd p{PQsocket(conn_), POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
}

error_code connection::fail(PGresult* r) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    if (log_) log_("postgres: " + message);
    if (PQstatus(conn_) != CONNECTION_OK) return errc::connection_lost;
    if (!state) return errc::internal;
    return errc_of_sqlstate(state);
}

result<void> connection::exec(const char* sql) {
    result_ptr r(PQexec(conn_, sql));
    auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return fail(r.get());
    return {};
}

result<std::string> connection::prepare(const char* sql, std::span<const detail::value> params) {
    if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
    return prepare_typed(sql, bound_params(params).types);
}

result<std::string> connection::prepare_typed(const char* sql, std::span<const Oid> types) {
    if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
    std::string name = "s" + std::to_string(prepared_.size());
    result_ptr r(PQprepare(conn_, name.c_str(), sql, static_cast<int>(types.size()), types.data()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return fail(r.get());
    prepared_.emplace(sql, name);
    return name;
}

result<std::int64_t> connection::run(const char* sql, std::span<const detail::value> params,
                                     const detail::row_handler& on_row) {
    auto name = prepare(sql, params);
    if (!name) return name.error();
    bound_params p(params);
    result_ptr r(PQexecPrepared(conn_, name->c_str(), static_cast<int>(params.size()),
                                p.values.data(), p.lengths.data(), p.formats.data(), 1));
    auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return fail(r.get());
    if (on_row) {
        for (int i = 0, n = PQntuples(r.get()); i < n; ++i) on_row(pg_row(r.get(), i));
    }
    const char* changed = PQcmdTuples(r.get());
    return std::int64_t{*changed ? std::atoll(changed) : 0};
}

result<void> connection::begin() {
    if (pg_.metrics_insert == postgres_insert::copy && !staged_table_) {
        // The per-connection staging table, emptied by every commit or rollback. Made outside
        // any transaction, so a rollback cannot take it away.
        auto r = exec(
            "CREATE TEMP TABLE IF NOT EXISTS metrics_stage (device_id BIGINT, ts BIGINT, "
            "cpu_total DOUBLE PRECISION, mem_used BIGINT, mem_total BIGINT, net_tx BIGINT, "
            "net_rx BIGINT, uptime_sec BIGINT, proc_count BIGINT, detail BYTEA) "
            "ON COMMIT DELETE ROWS");
        if (!r) return r;
        staged_table_ = true;
    }
    return exec("BEGIN");
}

result<void> connection::copy_rows(std::span<const detail::staged_sample> rows) {
    result_ptr start(PQexec(conn_,
                            "COPY metrics_stage (device_id, ts, cpu_total, mem_used, mem_total, "
                            "net_tx, net_rx, uptime_sec, proc_count, detail) FROM STDIN"));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) return fail(start.get());
    std::string text;
    text.reserve(rows.size() * 600);
    for (const auto& s : rows) put_copy_line(text, s);
    bool sent = PQputCopyData(conn_, text.data(), static_cast<int>(text.size())) == 1;
    if (PQputCopyEnd(conn_, sent ? nullptr : "send failed") != 1) return fail(nullptr);
    result_ptr end(PQgetResult(conn_));
    auto status = PQresultStatus(end.get());
    while (result_ptr more{PQgetResult(conn_)}) {
    }
    if (status != PGRES_COMMAND_OK) return fail(end.get());
    return {};
}

result<void> connection::insert_metrics(std::span<const detail::staged_sample> rows,
                                        std::vector<char>& fresh) {
    switch (pg_.metrics_insert) {
        case postgres_insert::arrays:
            return arrays_insert(rows, fresh);
        case postgres_insert::pipeline:
            return pipeline_insert(rows, fresh);
        case postgres_insert::copy:
            break;
    }
    return copy_insert(rows, fresh);
}

namespace {

// fresh[i]: whether rows[i] is the first occurrence in the group of a key `inserted` holds.
void mark_fresh(std::span<const detail::staged_sample> rows,
                std::unordered_set<std::pair<std::int64_t, std::int64_t>, key_hash>& inserted,
                std::vector<char>& fresh) {
    fresh.assign(rows.size(), 0);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        fresh[i] = inserted.erase({rows[i].device_id, rows[i].row->ts}) > 0;
    }
}

}  // namespace

result<void> connection::copy_insert(std::span<const detail::staged_sample> rows,
                                     std::vector<char>& fresh) {
    if (auto r = copy_rows(rows); !r) return r;
    std::unordered_set<std::pair<std::int64_t, std::int64_t>, key_hash> inserted;
    auto r =
        run("INSERT INTO metrics (device_id, ts, cpu_total, mem_used, mem_total, net_tx, net_rx, "
            "uptime_sec, proc_count, detail) SELECT device_id, ts, cpu_total, mem_used, "
            "mem_total, net_tx, net_rx, uptime_sec, proc_count, detail FROM metrics_stage "
            "ON CONFLICT DO NOTHING RETURNING device_id, ts",
            {}, [&](const detail::row& rw) { inserted.emplace(rw.i64(0), rw.i64(1)); });
    if (!r) return r.error();
    // The first occurrence of an inserted key in the group is the one that was stored.
    mark_fresh(rows, inserted, fresh);
    return {};
}

namespace {

constexpr Oid int8_array_oid = 1016;
constexpr Oid float8_array_oid = 1022;
constexpr Oid bytea_array_oid = 1001;

// A one-dimensional array without nulls in PostgreSQL's binary format (array_recv): ndim,
// has-nulls flag, element type, then length and lower bound, then each element as a 32-bit
// length and its bytes, all big-endian.
class binary_array {
  public:
    binary_array(Oid element, std::size_t count, std::size_t bytes_each) {
        data_.reserve(20 + count * (4 + bytes_each));
        put32(1);
        put32(0);
        put32(element);
        put32(static_cast<std::uint32_t>(count));
        put32(1);
    }
    void add(std::uint64_t bits) {
        put32(8);
        char be[8];
        write_be(bits, be);
        data_.append(be, 8);
    }
    void add(std::string_view bytes) {
        put32(static_cast<std::uint32_t>(bytes.size()));
        data_.append(bytes);
    }
    [[nodiscard]] const std::string& data() const noexcept { return data_; }

  private:
    void put32(std::uint32_t v) {
        const char be[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                            static_cast<char>(v >> 8), static_cast<char>(v)};
        data_.append(be, 4);
    }
    std::string data_;
};

// unnest() in the select list (a ProjectSet node, the arrays read in lockstep) streams the rows
// into the insert; unnest() in FROM would first copy them all into a tuplestore (about 6 % of
// PostgreSQL's time in a profile of the ingest benchmark).
#define WINDASH_INSERT_ARRAYS                                                              \
    "INSERT INTO metrics (device_id, ts, cpu_total, mem_used, mem_total, net_tx, net_rx, " \
    "uptime_sec, proc_count, detail) SELECT unnest($1::int8[]), unnest($2::int8[]), "      \
    "unnest($3::float8[]), unnest($4::int8[]), unnest($5::int8[]), unnest($6::int8[]), "   \
    "unnest($7::int8[]), unnest($8::int8[]), unnest($9::int8[]), unnest($10::bytea[])"
constexpr const char* insert_new_arrays_sql = WINDASH_INSERT_ARRAYS;
constexpr const char* insert_arrays_sql =
    WINDASH_INSERT_ARRAYS " ON CONFLICT DO NOTHING RETURNING device_id, ts";
#undef WINDASH_INSERT_ARRAYS

constexpr Oid array_types[] = {int8_array_oid, int8_array_oid, float8_array_oid, int8_array_oid,
                               int8_array_oid, int8_array_oid, int8_array_oid,   int8_array_oid,
                               int8_array_oid, bytea_array_oid};

}  // namespace

// The rows as the ten column arrays of insert_arrays_sql, in row order.
struct connection::column_arrays {
    std::vector<binary_array> columns;
    std::array<const char*, 10> values{};
    std::array<int, 10> lengths{};
    std::array<int, 10> formats{1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

    explicit column_arrays(std::span<const detail::staged_sample> rows) {
        columns.reserve(10);
        for (std::size_t i = 0; i < 9; ++i) {
            columns.emplace_back(i == 2 ? float8_oid : int8_oid, rows.size(), 8);
        }
        std::size_t detail_bytes = 0;
        for (const auto& s : rows) detail_bytes += s.row->detail.size();
        columns.emplace_back(bytea_oid, rows.size(),
                             detail_bytes / std::max<std::size_t>(rows.size(), 1));
        for (const auto& s : rows) {
            const detail::metric_row& m = *s.row;
            columns[0].add(static_cast<std::uint64_t>(s.device_id));
            columns[1].add(static_cast<std::uint64_t>(m.ts));
            columns[2].add(std::bit_cast<std::uint64_t>(m.cpu_total));
            columns[3].add(static_cast<std::uint64_t>(m.mem_used));
            columns[4].add(static_cast<std::uint64_t>(m.mem_total));
            columns[5].add(static_cast<std::uint64_t>(m.net_tx));
            columns[6].add(static_cast<std::uint64_t>(m.net_rx));
            columns[7].add(static_cast<std::uint64_t>(m.uptime));
            columns[8].add(static_cast<std::uint64_t>(m.procs));
            columns[9].add(std::string_view(m.detail));
        }
        for (std::size_t i = 0; i < 10; ++i) {
            values[i] = columns[i].data().data();
            lengths[i] = static_cast<int>(columns[i].data().size());
        }
    }
};

// One statement for the whole group: each column as a binary array parameter, expanded by
// unnest() in row order (so of two rows with the same key the first is stored).
//
// Almost every group holds only new samples (an agent resends only after a lost ack), and a
// plain INSERT checks each key once, as it inserts it, where ON CONFLICT first probes the index
// for every row and then inserts (12 % of PostgreSQL's time in the ingest benchmark). So the
// group first goes in plainly under a savepoint; only when a key is already there does it go
// in again with ON CONFLICT DO NOTHING, which reports which rows were new.
result<void> connection::arrays_insert(std::span<const detail::staged_sample> rows,
                                       std::vector<char>& fresh) {
    column_arrays params(rows);
    auto plain = insert_if_all_new(params);
    if (!plain) return plain.error();
    if (*plain == all_new::inserted) {
        fresh.assign(rows.size(), 1);
        return {};
    }
    auto statement = prepare_typed(insert_arrays_sql, array_types);
    if (!statement) return statement.error();
    result_ptr r(PQexecPrepared(conn_, statement->c_str(), 10, params.values.data(),
                                params.lengths.data(), params.formats.data(), 1));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return fail(r.get());
    std::unordered_set<std::pair<std::int64_t, std::int64_t>, key_hash> inserted;
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
        pg_row rw(r.get(), i);
        inserted.emplace(rw.i64(0), rw.i64(1));
    }
    mark_fresh(rows, inserted, fresh);
    return {};
}

// SAVEPOINT, the plain INSERT and RELEASE in one pipelined round trip. all_new::no, with the
// transaction back at the savepoint, when a key was already stored (or repeated in the group).
result<connection::all_new> connection::insert_if_all_new(const column_arrays& params) {
    auto statement = prepare_typed(insert_new_arrays_sql, array_types);
    if (!statement) return statement.error();
    if (PQenterPipelineMode(conn_) != 1) return fail(nullptr);
    const auto send = [&](const char* sql) {
        return PQsendQueryParams(conn_, sql, 0, nullptr, nullptr, nullptr, nullptr, 1) == 1;
    };
    bool sent = send("SAVEPOINT windash_new_rows") &&
                PQsendQueryPrepared(conn_, statement->c_str(), 10, params.values.data(),
                                    params.lengths.data(), params.formats.data(), 1) == 1 &&
                send("RELEASE SAVEPOINT windash_new_rows") && PQpipelineSync(conn_) == 1;
    std::array<result_ptr, 3> replies;  // savepoint, insert, release
    for (auto& r : replies) {
        if (!sent) break;
        r.reset(PQgetResult(conn_));
        sent = r != nullptr;
        while (result_ptr extra{PQgetResult(conn_)}) {
        }
    }
    result_ptr sync(sent ? PQgetResult(conn_) : nullptr);
    // Fails only when results are still pending (a lost connection); usable() then drops it.
    PQexitPipelineMode(conn_);
    if (!sent || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) return fail(sync.get());
    if (PQresultStatus(replies[0].get()) != PGRES_COMMAND_OK) return fail(replies[0].get());
    if (PQresultStatus(replies[1].get()) != PGRES_COMMAND_OK) {
        const char* state = PQresultErrorField(replies[1].get(), PG_DIAG_SQLSTATE);
        if (state == nullptr || std::string_view(state) != "23505") return fail(replies[1].get());
        if (auto back = exec("ROLLBACK TO SAVEPOINT windash_new_rows"); !back) return back.error();
        return all_new::no;
    }
    if (PQresultStatus(replies[2].get()) != PGRES_COMMAND_OK) return fail(replies[2].get());
    return all_new::inserted;
}

namespace {

constexpr const char* insert_one_sql =
    "INSERT INTO metrics (device_id, ts, cpu_total, mem_used, mem_total, net_tx, net_rx, "
    "uptime_sec, proc_count, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT DO NOTHING";

// Statements per pipeline sync. A chunk's results (about 20 bytes each) are read before the
// next chunk is sent, so with blocking libpq neither side can stall on a full socket buffer while
// the other waits for it to read.
constexpr std::size_t pipeline_chunk_rows = 1000;

// The ten binary parameters of insert_one_sql for one sample; the buffers are reused per row
// (libpq copies them into its output buffer when the query is queued).
struct insert_one_params {
    std::array<std::array<char, 8>, 9> numbers{};
    std::array<const char*, 10> values{};
    std::array<int, 10> lengths{};
    std::array<int, 10> formats{1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

    insert_one_params() {
        for (std::size_t i = 0; i < numbers.size(); ++i) {
            values[i] = numbers[i].data();
            lengths[i] = 8;
        }
    }
    void set(const detail::staged_sample& s) {
        const detail::metric_row& m = *s.row;
        const std::uint64_t bits[] = {
            static_cast<std::uint64_t>(s.device_id),   static_cast<std::uint64_t>(m.ts),
            std::bit_cast<std::uint64_t>(m.cpu_total), static_cast<std::uint64_t>(m.mem_used),
            static_cast<std::uint64_t>(m.mem_total),   static_cast<std::uint64_t>(m.net_tx),
            static_cast<std::uint64_t>(m.net_rx),      static_cast<std::uint64_t>(m.uptime),
            static_cast<std::uint64_t>(m.procs)};
        for (std::size_t i = 0; i < numbers.size(); ++i) write_be(bits[i], numbers[i].data());
        values[9] = m.detail.data();
        lengths[9] = static_cast<int>(m.detail.size());
    }
};

}  // namespace

result<void> connection::pipeline_insert(std::span<const detail::staged_sample> rows,
                                         std::vector<char>& fresh) {
    // Parameter types for PQprepare only; the values are bound per row below.
    const detail::value types[] = {std::int64_t{}, std::int64_t{}, 0.0,
                                   std::int64_t{}, std::int64_t{}, std::int64_t{},
                                   std::int64_t{}, std::int64_t{}, std::int64_t{},
                                   detail::blob{}};
    auto statement = prepare(insert_one_sql, types);
    if (!statement) return statement.error();
    fresh.assign(rows.size(), 0);
    insert_one_params p;
    return pipelined(
        rows.size(),
        [&](std::size_t i) {
            p.set(rows[i]);
            return PQsendQueryPrepared(conn_, statement->c_str(), 10, p.values.data(),
                                       p.lengths.data(), p.formats.data(), 1) == 1;
        },
        [&](std::size_t i, PGresult* r) { fresh[i] = std::string_view(PQcmdTuples(r)) == "1"; });
}

result<std::int64_t> connection::run_each(const char* sql, std::size_t per_set,
                                          std::span<const detail::value> params) {
    if (per_set == 0 || params.size() % per_set != 0) return error_code(errc::invalid_argument);
    if (params.empty()) return std::int64_t{0};
    auto statement = prepare(sql, params.first(per_set));
    if (!statement) return statement.error();
    std::int64_t changed = 0;
    auto done = pipelined(
        params.size() / per_set,
        [&](std::size_t i) {
            bound_params p(params.subspan(i * per_set, per_set));
            return PQsendQueryPrepared(conn_, statement->c_str(), static_cast<int>(per_set),
                                       p.values.data(), p.lengths.data(), p.formats.data(), 1) == 1;
        },
        [&](std::size_t, PGresult* r) { changed += std::atoll(PQcmdTuples(r)); });
    if (!done) return done.error();
    return changed;
}

// Sends the statements in chunks of pipeline_chunk_rows, each followed by a sync whose results
// are all read before the next chunk is sent. Statements run in order, so of two rows with the
// same key the first is the one stored. After an error the server skips the rest of the chunk
// (PGRES_PIPELINE_ABORTED), the first error is returned and the caller's transaction is rolled
// back.
result<void> connection::pipelined(std::size_t count, const std::function<bool(std::size_t)>& send,
                                   const std::function<void(std::size_t, PGresult*)>& on_done) {
    if (PQenterPipelineMode(conn_) != 1) return fail(nullptr);
    result<void> out;
    for (std::size_t at = 0; at < count && out; at += pipeline_chunk_rows) {
        auto n = std::min(pipeline_chunk_rows, count - at);
        out = pipeline_chunk(at, n, send, on_done);
    }
    // Fails only when results are still pending (a lost connection); usable() then drops it.
    PQexitPipelineMode(conn_);
    return out;
}

result<void> connection::pipeline_chunk(
    std::size_t first, std::size_t count, const std::function<bool(std::size_t)>& send,
    const std::function<void(std::size_t, PGresult*)>& on_done) {
    for (std::size_t i = first; i < first + count; ++i) {
        if (!send(i)) return fail(nullptr);
    }
    if (PQpipelineSync(conn_) != 1) return fail(nullptr);
    std::optional<error_code> first_error;
    for (std::size_t i = first; i < first + count; ++i) {
        // Each queued statement yields its result, then nullptr.
        result_ptr r(PQgetResult(conn_));
        if (!r) return fail(nullptr);
        auto status = PQresultStatus(r.get());
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            on_done(i, r.get());
        } else if (status != PGRES_PIPELINE_ABORTED && !first_error) {
            first_error = fail(r.get());
        }
        while (result_ptr extra{PQgetResult(conn_)}) {
        }
    }
    result_ptr sync(PQgetResult(conn_));
    if (PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) return fail(sync.get());
    if (first_error) return *first_error;
    return {};
}

}  // namespace windash::store::postgres
