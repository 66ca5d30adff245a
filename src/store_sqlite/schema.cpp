// SQLite schema, one entry per version. Timestamps are microseconds since the Unix epoch (UTC),
// as on PostgreSQL, so both backends hold identical values. Never edit a released migration:
// append a new one.
#include "store_sqlite/schema.hpp"

namespace windash::store::sqlite {
namespace {

constexpr detail::migration list[] = {
    {1, "initial schema", R"sql(
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL);
CREATE TABLE sessions (
    id_hash BLOB PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL);
CREATE INDEX sessions_expires ON sessions(expires_at);
CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    host_id TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash BLOB UNIQUE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER,
    deleted_at INTEGER);
CREATE INDEX devices_user ON devices(user_id);
CREATE TABLE device_codes (
    id INTEGER PRIMARY KEY,
    user_code TEXT NOT NULL,
    secret_hash BLOB NOT NULL UNIQUE,
    host_id TEXT NOT NULL,
    hostname TEXT NOT NULL,
    client_address TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_polled_at INTEGER,
    status INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    device_name TEXT NOT NULL,
    device_id INTEGER REFERENCES devices(id));
CREATE INDEX device_codes_user_code ON device_codes(user_code, expires_at);
CREATE INDEX device_codes_expires ON device_codes(expires_at);
CREATE TABLE metrics (
    device_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    cpu_total REAL NOT NULL,
    mem_used INTEGER NOT NULL,
    mem_total INTEGER NOT NULL,
    net_tx INTEGER NOT NULL,
    net_rx INTEGER NOT NULL,
    uptime_sec INTEGER NOT NULL,
    proc_count INTEGER NOT NULL,
    detail BLOB NOT NULL,
    PRIMARY KEY (device_id, ts)) WITHOUT ROWID;
CREATE TABLE metrics_1m (
    device_id INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    stats BLOB NOT NULL,
    PRIMARY KEY (device_id, bucket)) WITHOUT ROWID;
CREATE TABLE metrics_1h (
    device_id INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    stats BLOB NOT NULL,
    PRIMARY KEY (device_id, bucket)) WITHOUT ROWID;
CREATE TABLE rollup_pending (
    tier INTEGER NOT NULL,
    device_id INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    PRIMARY KEY (tier, device_id, bucket)) WITHOUT ROWID;
)sql"},
    // The history scalars of each rollup as columns, so history can group them in SQL (NULL in
    // rows built before: readers then take them from `stats`), and an index covering that
    // GROUP BY, so it reads a narrow index instead of every page of wide rows.
    {2, "rollup scalar columns", R"sql(
ALTER TABLE metrics_1m ADD COLUMN cpu_min REAL;
ALTER TABLE metrics_1m ADD COLUMN cpu_max REAL;
ALTER TABLE metrics_1m ADD COLUMN cpu_sum REAL;
ALTER TABLE metrics_1m ADD COLUMN mem_used_min REAL;
ALTER TABLE metrics_1m ADD COLUMN mem_used_max REAL;
ALTER TABLE metrics_1m ADD COLUMN mem_used_sum REAL;
ALTER TABLE metrics_1m ADD COLUMN mem_total_min REAL;
ALTER TABLE metrics_1m ADD COLUMN mem_total_max REAL;
ALTER TABLE metrics_1m ADD COLUMN mem_total_sum REAL;
ALTER TABLE metrics_1m ADD COLUMN net_tx_min REAL;
ALTER TABLE metrics_1m ADD COLUMN net_tx_max REAL;
ALTER TABLE metrics_1m ADD COLUMN net_tx_sum REAL;
ALTER TABLE metrics_1m ADD COLUMN net_rx_min REAL;
ALTER TABLE metrics_1m ADD COLUMN net_rx_max REAL;
ALTER TABLE metrics_1m ADD COLUMN net_rx_sum REAL;
ALTER TABLE metrics_1h ADD COLUMN cpu_min REAL;
ALTER TABLE metrics_1h ADD COLUMN cpu_max REAL;
ALTER TABLE metrics_1h ADD COLUMN cpu_sum REAL;
ALTER TABLE metrics_1h ADD COLUMN mem_used_min REAL;
ALTER TABLE metrics_1h ADD COLUMN mem_used_max REAL;
ALTER TABLE metrics_1h ADD COLUMN mem_used_sum REAL;
ALTER TABLE metrics_1h ADD COLUMN mem_total_min REAL;
ALTER TABLE metrics_1h ADD COLUMN mem_total_max REAL;
ALTER TABLE metrics_1h ADD COLUMN mem_total_sum REAL;
ALTER TABLE metrics_1h ADD COLUMN net_tx_min REAL;
ALTER TABLE metrics_1h ADD COLUMN net_tx_max REAL;
ALTER TABLE metrics_1h ADD COLUMN net_tx_sum REAL;
ALTER TABLE metrics_1h ADD COLUMN net_rx_min REAL;
ALTER TABLE metrics_1h ADD COLUMN net_rx_max REAL;
ALTER TABLE metrics_1h ADD COLUMN net_rx_sum REAL;
CREATE INDEX metrics_1m_scalars ON metrics_1m (device_id, bucket, samples, cpu_min, cpu_max, cpu_sum, mem_used_min, mem_used_max, mem_used_sum, mem_total_min, mem_total_max, mem_total_sum, net_tx_min, net_tx_max, net_tx_sum, net_rx_min, net_rx_max, net_rx_sum);
CREATE INDEX metrics_1h_scalars ON metrics_1h (device_id, bucket, samples, cpu_min, cpu_max, cpu_sum, mem_used_min, mem_used_max, mem_used_sum, mem_total_min, mem_total_max, mem_total_sum, net_tx_min, net_tx_max, net_tx_sum, net_rx_min, net_rx_max, net_rx_sum);
)sql"},
    {3, "device contact time (online state)", R"sql(
ALTER TABLE devices ADD COLUMN last_contact_at INTEGER;
)sql"},
    // Rollups are computed outside the writer lock; a commit touching a pending bucket bumps
    // its generation, so a result computed before that commit is not written. (No longer
    // bumped: a commit now locks a present mark without rewriting it, and rebuild_tier
    // recounts the bucket's samples once it holds the mark.)
    {4, "rollup pending generation", R"sql(
ALTER TABLE rollup_pending ADD COLUMN gen INTEGER NOT NULL DEFAULT 0;
)sql"},
    // Sessions also end after a period without use (SPEC §4 idle expiry).
    {5, "session last use", R"sql(
ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_used_at = created_at;
)sql"},
};

}  // namespace

detail::dialect sqlite_dialect() noexcept { return {list, nullptr, nullptr}; }

}  // namespace windash::store::sqlite
