/**
 * Schema migrations of the embedded registry, shared by SQLite and PostgreSQL.
 * Text columns that are compared or sorted use byte order on both (`COLLATE "C"` on PostgreSQL, SQLite's default
 * BINARY), so case-sensitivity and list order are identical on both dialects. Manifests are stored as JSON text (not
 * JSONB) so key order and the exact spelling of numbers survive.
 * @internal
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

const init = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const text = sql.onDialectOrElse({ pg: () => sql.unsafe(`TEXT COLLATE "C"`), orElse: () => sql.unsafe("TEXT") })
  yield* sql`CREATE TABLE IF NOT EXISTS ml_repos (
    id TEXT PRIMARY KEY,
    name ${text} NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  )`
  yield* sql`CREATE TABLE IF NOT EXISTS models (
    id TEXT PRIMARY KEY,
    ml_repo_id TEXT NOT NULL REFERENCES ml_repos (id),
    name ${text} NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (ml_repo_id, name)
  )`
  yield* sql`CREATE TABLE IF NOT EXISTS model_versions (
    id TEXT PRIMARY KEY,
    model_id TEXT NOT NULL REFERENCES models (id),
    version INTEGER NOT NULL,
    manifest TEXT NOT NULL,
    alias ${text},
    alias_key ${text},
    step INTEGER NOT NULL,
    run_id ${text},
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL,
    deleted_at TEXT,
    UNIQUE (model_id, version)
  )`
  yield* sql`CREATE UNIQUE INDEX IF NOT EXISTS model_versions_alias_key
    ON model_versions (model_id, alias_key) WHERE alias_key IS NOT NULL AND deleted_at IS NULL`
  yield* sql`CREATE INDEX IF NOT EXISTS model_versions_run_id ON model_versions (run_id)`
  yield* sql`CREATE TABLE IF NOT EXISTS model_version_tags (
    model_id TEXT NOT NULL,
    tag_key ${text} NOT NULL,
    tag ${text} NOT NULL,
    model_version_id TEXT NOT NULL REFERENCES model_versions (id),
    PRIMARY KEY (model_id, tag_key)
  )`
  yield* sql`CREATE INDEX IF NOT EXISTS model_version_tags_version ON model_version_tags (model_version_id)`
  yield* sql`CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope ${text} NOT NULL,
    key ${text} NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    etag TEXT NOT NULL,
    created INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  )`
})

const idempotencyExpiry = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at)`
})

/**
 * The history of model versions (`ModelVersionEvent`), append-only: one row per write, in the write's transaction;
 * rows are never updated or deleted (a deleted version, or one deleted with its model, keeps them). No foreign key to
 * `model_versions`: deleting a model removes its version rows but not their history. `ml_repo` (the name) and
 * `model_id` are kept so scoped reads work after the version is gone; `subject` and `changes` are JSON text.
 * `(model_version_id, revision)` is unique: one event per revision.
 */
const history = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const text = sql.onDialectOrElse({ pg: () => sql.unsafe(`TEXT COLLATE "C"`), orElse: () => sql.unsafe("TEXT") })
  yield* sql`CREATE TABLE IF NOT EXISTS model_version_events (
    id TEXT PRIMARY KEY,
    model_version_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    type TEXT NOT NULL,
    subject TEXT NOT NULL,
    at TEXT NOT NULL,
    changes TEXT NOT NULL,
    ml_repo ${text} NOT NULL,
    model_id TEXT NOT NULL,
    UNIQUE (model_version_id, revision)
  )`
})

/**
 * The webhook outbox: one row per event and subscription, written in the transaction of the change; the dispatcher
 * claims due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL) and records each attempt. `seq` orders the events of a
 * model version; timestamps are ISO 8601 text (they sort as they compare).
 */
const webhookDeliveries = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const seq = sql.onDialectOrElse({
    pg: () => sql.unsafe("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
    orElse: () => sql.unsafe("INTEGER PRIMARY KEY AUTOINCREMENT")
  })
  yield* sql`CREATE TABLE IF NOT EXISTS webhook_deliveries (
    seq ${seq},
    id TEXT NOT NULL UNIQUE,
    subscription TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    model_version_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_token TEXT,
    lease_until TEXT,
    last_status_code INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`
  yield* sql`CREATE INDEX IF NOT EXISTS webhook_deliveries_open
    ON webhook_deliveries (subscription, model_version_id, seq) WHERE status IN ('pending', 'delivering')`
})

/** The columns of 0004's `webhook_deliveries` that 0005 keeps as they are (all but `id`, `payload` and `seq`). */
const KEPT_COLUMNS = [
  ["subscription", "TEXT NOT NULL"],
  ["event_id", "TEXT NOT NULL"],
  ["event_type", "TEXT NOT NULL"],
  ["model_version_id", "TEXT NOT NULL"],
  ["status", "TEXT NOT NULL"],
  ["attempts", "INTEGER NOT NULL"],
  ["next_attempt_at", "TEXT NOT NULL"],
  ["lease_token", "TEXT"],
  ["lease_until", "TEXT"],
  ["last_status_code", "INTEGER"],
  ["last_error", "TEXT"],
  ["created_at", "TEXT NOT NULL"],
  ["updated_at", "TEXT NOT NULL"]
] as const

/**
 * The webhook outbox made cheap to write and to claim: an event's payload is kept once, in its history row
 * (`model_version_events.webhook_payload`, `NULL` when no subscription wanted the event), and a delivery row is narrow
 * (no payload, no random id): its `webhook-id` is `msg_<seq>_<event id>`, derived when read, so the table has no
 * unique index to update on every write and the claim and record statements rewrite small rows. Rows of 0004 keep
 * their `msg_<uuid>` id in `legacy_id` (a partial unique index, empty for new rows) and their payload moves to their
 * event's row (one payload per event: the outbox wrote the same text for every subscription). The table is rebuilt
 * (SQLite cannot drop a `UNIQUE` column), its rows and `seq` values kept; on SQLite `seq` is a plain `INTEGER PRIMARY
 * KEY` (rows are never deleted, so the next one is always the largest plus one).
 */
const narrowWebhookDeliveries = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const pg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
  yield* sql`ALTER TABLE model_version_events ADD COLUMN webhook_payload TEXT`
  yield* sql`UPDATE model_version_events SET webhook_payload = d.payload
    FROM (SELECT event_id, MIN(payload) AS payload FROM webhook_deliveries GROUP BY event_id) d
    WHERE d.event_id = model_version_events.id`
  const kept = sql.unsafe(KEPT_COLUMNS.map(([column]) => column).join(", "))
  yield* sql`CREATE TABLE webhook_deliveries_0005 (
    seq ${pg ? sql.unsafe("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY") : sql.unsafe("INTEGER PRIMARY KEY")},
    legacy_id TEXT,
    ${sql.unsafe(KEPT_COLUMNS.map(([column, type]) => `${column} ${type}`).join(", "))}
  )`
  yield* sql`INSERT INTO webhook_deliveries_0005 (seq, legacy_id, ${kept}) SELECT seq, id, ${kept} FROM webhook_deliveries`
  yield* sql`DROP TABLE webhook_deliveries`
  yield* sql`ALTER TABLE webhook_deliveries_0005 RENAME TO webhook_deliveries`
  if (pg) {
    yield* sql`SELECT setval(pg_get_serial_sequence('webhook_deliveries', 'seq'), COALESCE(MAX(seq), 0) + 1, false)
      FROM webhook_deliveries`
  }
  yield* sql`CREATE INDEX webhook_deliveries_open
    ON webhook_deliveries (subscription, model_version_id, seq) WHERE status IN ('pending', 'delivering')`
  yield* sql`CREATE UNIQUE INDEX webhook_deliveries_legacy_id ON webhook_deliveries (legacy_id) WHERE legacy_id IS NOT NULL`
})

/** The columns of `model_version_events` on SQLite before 0006 (0003's, and 0005's payload), in order, with their types. */
const EVENT_COLUMNS = [
  ["id", "TEXT NOT NULL UNIQUE"],
  ["model_version_id", "TEXT NOT NULL"],
  ["revision", "INTEGER NOT NULL"],
  ["type", "TEXT NOT NULL"],
  ["subject", "TEXT NOT NULL"],
  ["at", "TEXT NOT NULL"],
  ["changes", "TEXT NOT NULL"],
  ["ml_repo", "TEXT NOT NULL"],
  ["model_id", "TEXT NOT NULL"],
  ["webhook_payload", "TEXT"]
] as const

/**
 * Webhook deliveries queued by the dispatcher on SQLite instead of written by each write. A write to SQLite keeps, in
 * its event's history row, the names of the subscriptions that want the event (`webhook_subscriptions`, JSON, `NULL`
 * when none); the dispatcher's next cycle turns the events written since its last one into delivery rows, in event
 * order, and moves `webhook_queue_cursor` past them, in one transaction (measured: a delivery row per write cost the
 * proxy ≈ 6–9% of its requests per second, queued a batch at a time ≈ 1%; docs/performance.md "Webhooks, sixth
 * pass"). SQLite has one writer at a time, so events commit in the order of their `seq`; the events table is rebuilt
 * with `seq INTEGER PRIMARY KEY` (each row's `rowid` until now, kept), which `VACUUM` never renumbers. Events of
 * 0005 already have their delivery rows: the cursor starts after the last of them. PostgreSQL, where events commit
 * out of `seq` order, keeps writing its delivery rows with the write (the column is added there too, always `NULL`).
 */
const queuedWebhookDeliveries = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  if (sql.onDialectOrElse({ pg: () => true, orElse: () => false })) {
    yield* sql`ALTER TABLE model_version_events ADD COLUMN webhook_subscriptions TEXT`
    return
  }
  const columns = sql.unsafe(EVENT_COLUMNS.map(([column]) => column).join(", "))
  yield* sql`CREATE TABLE model_version_events_0006 (
    seq INTEGER PRIMARY KEY,
    ${sql.unsafe(EVENT_COLUMNS.map(([column, type]) => `${column} ${type}`).join(", "))},
    webhook_subscriptions TEXT,
    UNIQUE (model_version_id, revision)
  )`
  yield* sql`INSERT INTO model_version_events_0006 (seq, ${columns}) SELECT rowid, ${columns} FROM model_version_events ORDER BY rowid`
  yield* sql`DROP TABLE model_version_events`
  yield* sql`ALTER TABLE model_version_events_0006 RENAME TO model_version_events`
  yield* sql`CREATE TABLE webhook_queue_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), event_seq INTEGER NOT NULL)`
  yield* sql`INSERT INTO webhook_queue_cursor (id, event_seq) SELECT 1, COALESCE(MAX(seq), 0) FROM model_version_events`
})

/** Migrations by `<id>_<name>`, run in id order by `@effect/sql`'s Migrator. */
export const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "0001_init": init,
  "0002_idempotency_expiry": idempotencyExpiry,
  "0003_model_version_events": history,
  "0004_webhook_deliveries": webhookDeliveries,
  "0005_narrow_webhook_deliveries": narrowWebhookDeliveries,
  "0006_queued_webhook_deliveries": queuedWebhookDeliveries
}
