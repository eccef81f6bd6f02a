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

/** Migrations by `<id>_<name>`, run in id order by `@effect/sql`'s Migrator. */
export const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "0001_init": init,
  "0002_idempotency_expiry": idempotencyExpiry,
  "0003_model_version_events": history
}
