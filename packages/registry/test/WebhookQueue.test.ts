/**
 * On SQLite the deliveries of a write are queued by the dispatcher's cycle, not written by the write (migration
 * 0006): the write lists the subscriptions that want its event in the event's row; a cycle turns the events written
 * since the last one into pending rows, in event order, exactly once (the cursor commits with them), passes over
 * events nobody wanted, and takes a backlog 1000 events (or about 5000 rows) at a time. The queue depth counts deliveries not queued yet.
 */
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql, Webhooks } from "@mreg/registry"
import { Effect, Either, Layer } from "effect"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { sqlQueue } from "../src/internal/webhooks/queue.js"
import { makeRows } from "../src/internal/webhooks/rows.js"
import { base } from "./Fixtures.js"

const secret = `whsec_${randomBytes(32).toString("base64")}`
const decoded = Webhooks.decode({
  subscriptions: [
    { name: "every", url: "http://127.0.0.1:9/a", events: ["created", "updated", "tags_applied", "deleted"], secret },
    { name: "updates", url: "http://127.0.0.1:9/b", events: ["updated"], secret }
  ]
}, "the test webhooks")
if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
const outbox = Webhooks.makeOutbox(decoded.right)
const NAMES = ["every", "updates"]

const layer = (filename = ":memory:") =>
  ModelVersionsSql.layer({ webhooks: outbox }).pipe(
    Layer.provideMerge(Layer.provideMerge(ModelVersionsSql.layerMigrator, ModelVersionsSql.layerSqliteClient(filename))),
    Layer.orDie
  )

/**
 * Another process writing the file (`mreg` on the same MREG_HOME): it takes the write lock, appends an event nobody
 * wants, says `locked`, and commits 300 ms later (a registry transaction that read the file meanwhile fails when it
 * writes, whatever its busy timeout: `SQLITE_BUSY` while the lock is held, `SQLITE_BUSY_SNAPSHOT` after the commit).
 */
const OTHER_WRITER = `const Database = require(process.argv[1])
const db = new Database(process.argv[2])
db.exec("BEGIN IMMEDIATE")
db.prepare("INSERT INTO model_version_events (id, model_version_id, revision, type, subject, at, changes, ml_repo, model_id) VALUES ('other', 'v-other', 1, 'created', '{}', '2030-01-01T00:00:00.000Z', '[]', 'r', 'm')").run()
process.stdout.write("locked\\n")
setTimeout(() => { db.exec("COMMIT"); db.close() }, 300)`

/** Runs {@link OTHER_WRITER} on `filename`: done once it holds the lock; the fiber it returns ends with its exit code. */
const otherWriter = (filename: string) =>
  Effect.async<Effect.Effect<number | null>>((resume) => {
    const child = spawn(process.execPath, ["-e", OTHER_WRITER, createRequire(import.meta.url).resolve("better-sqlite3"), filename], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    const exited = new Promise<number | null>((done) => child.on("exit", done))
    child.stdout.once("data", () => resume(Effect.succeed(Effect.promise(() => exited))))
  })

const NOW = "2030-01-01T00:00:00.000Z"
const claimAll = { subscriptions: NAMES, now: NOW, leaseUntil: "2030-01-01T00:01:00.000Z", limit: 100 }

const queued = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ readonly seq: number; readonly subscription: string; readonly event_id: string; readonly status: string; readonly next_attempt_at: string }>`
    SELECT seq, subscription, event_id, status, next_attempt_at FROM webhook_deliveries ORDER BY seq`)

const cursor = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(sql<{ readonly event_seq: number }>`SELECT event_seq FROM webhook_queue_cursor`, (rows) => rows.map((row) => row.event_seq)))

describe("webhook deliveries queued on SQLite", () => {
  it.effect("a write lists its subscriptions; a cycle queues the rows in event order, once", () =>
    Effect.gen(function*() {
      const registry = yield* ModelVersions.ModelVersions
      const sql = yield* SqlClient.SqlClient
      const rows = makeRows(sql)
      const a = (yield* registry.upsert(base("queue", { name: "a", description: "first" }))).modelVersion
      yield* registry.upsert(base("queue", { name: "a", version: a.manifest.version, description: "second" }))
      // A write by a registry without webhooks (another process on the same file): nothing to queue for it.
      yield* Effect.provide(Effect.flatMap(ModelVersions.ModelVersions, (plain) => plain.upsert(base("queue", { name: "plain" }))), ModelVersionsSql.layer())
      const b = (yield* registry.upsert(base("queue", { name: "b" }))).modelVersion
      const events = yield* sql<{ readonly seq: number; readonly id: string; readonly type: string; readonly listed: string | null; readonly at: string }>`
        SELECT seq, id, type, webhook_subscriptions AS listed, at FROM model_version_events ORDER BY seq`
      assert.deepStrictEqual(events.map((e) => [e.seq, e.type, e.listed]), [
        [1, "created", `["every"]`],
        [2, "updated", `["every","updates"]`],
        [3, "created", null],
        [4, "created", `["every"]`]
      ])
      assert.deepStrictEqual(yield* queued, [])
      // The depth counts each wanting subscription of the events not queued yet.
      assert.deepStrictEqual([yield* rows.depth(NAMES), yield* rows.depth(["updates"])], [4, 1])

      const claimed = yield* sqlQueue(sql).cycle([], claimAll)
      const [e1, e2, , e4] = events
      assert.deepStrictEqual((yield* queued).map((row) => [row.seq, row.subscription, row.event_id, row.next_attempt_at]), [
        [1, "every", e1!.id, e1!.at],
        [2, "every", e2!.id, e2!.at],
        [3, "updates", e2!.id, e2!.at],
        [4, "every", e4!.id, e4!.at]
      ])
      // Claimed in the same transaction: the first open row of each version and subscription (a's update waits).
      assert.deepStrictEqual(claimed.rows.map((row) => row.id), [`msg_1_${e1!.id}`, `msg_3_${e2!.id}`, `msg_4_${e4!.id}`])
      assert.deepStrictEqual(yield* cursor, [4])
      assert.deepStrictEqual([yield* rows.depth(NAMES), yield* rows.depth(["updates"])], [4, 1])

      // Nothing is queued twice: the next cycle (outcomes recorded) adds no row.
      const delivered = claimed.rows.map((row) => ({ seq: row.seq, token: claimed.token, outcome: { _tag: "delivered", statusCode: 204 } as const }))
      const next = yield* sqlQueue(sql).cycle(delivered, claimAll)
      assert.deepStrictEqual(next.rows.map((row) => row.id), [`msg_2_${e2!.id}`])
      assert.deepStrictEqual((yield* queued).map((row) => [row.seq, row.status]), [[1, "delivered"], [2, "delivering"], [3, "delivered"], [4, "delivered"]])
      assert.deepStrictEqual([yield* rows.depth(NAMES), yield* cursor], [1, [4]])
      assert.strictEqual(b.manifest.name, "b")
    }).pipe(Effect.provide(layer())))

  it.effect("a backlog is queued 1000 wanted events a cycle, events nobody wanted passed over", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = makeRows(sql)
      // 2500 events written while no dispatcher ran; the odd ones (1250) wanted by `every`.
      yield* sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
        INSERT INTO model_version_events (id, model_version_id, revision, type, subject, at, changes, ml_repo, model_id,
          webhook_payload, webhook_subscriptions)
        SELECT 'e' || i, 'v' || i, 1, 'created', '{}', ${NOW}, '[]', 'r', 'm', '{}',
          CASE WHEN i % 2 = 1 THEN '["every"]' END FROM n`
      const count = Effect.map(sql<{ readonly n: number }>`SELECT COUNT(*) AS n FROM webhook_deliveries`, ([row]) => row!.n)
      assert.strictEqual(yield* rows.depth(NAMES), 1250)
      yield* sql.withTransaction(rows.queueWritten)
      // The 1000th wanted event is event 1999.
      assert.deepStrictEqual([yield* count, yield* cursor], [1000, [1999]])
      yield* sql.withTransaction(rows.queueWritten)
      assert.deepStrictEqual([yield* count, yield* cursor], [1250, [2500]])
      yield* sql.withTransaction(rows.queueWritten)
      assert.deepStrictEqual([yield* count, yield* cursor, yield* rows.depth(NAMES)], [1250, [2500], 1250])
      const [first, last] = yield* sql<{ readonly event_id: string }>`SELECT event_id FROM webhook_deliveries WHERE seq IN (1, 1250) ORDER BY seq`
      assert.deepStrictEqual([first!.event_id, last!.event_id], ["e1", "e2499"])
    }).pipe(Effect.provide(layer())), 30_000)

  it.effect("a backlog of events wanted by many subscriptions is queued about 5000 rows a cycle", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = makeRows(sql)
      // 600 events, each wanted by 12 subscriptions (7200 rows); event 3 by none.
      const twelve = JSON.stringify(Array.from({ length: 12 }, (_, i) => `s${i}`))
      yield* sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
        INSERT INTO model_version_events (id, model_version_id, revision, type, subject, at, changes, ml_repo, model_id,
          webhook_payload, webhook_subscriptions)
        SELECT 'e' || i, 'v' || i, 1, 'created', '{}', ${NOW}, '[]', 'r', 'm', '{}', CASE WHEN i = 3 THEN NULL ELSE ${twelve} END FROM n`
      const count = Effect.map(sql<{ readonly n: number }>`SELECT COUNT(*) AS n FROM webhook_deliveries`, ([row]) => row!.n)
      yield* sql.withTransaction(rows.queueWritten)
      // Events 1, 2, 4…418: 417 events, the rows before the last 416 × 12 = 4992, under 5000.
      assert.deepStrictEqual([yield* count, yield* cursor], [417 * 12, [418]])
      yield* sql.withTransaction(rows.queueWritten)
      assert.deepStrictEqual([yield* count, yield* cursor], [599 * 12, [600]])
    }).pipe(Effect.provide(layer())), 30_000)

  it.live("listing the deliveries queues them though another process commits a write meanwhile (no busy error)", () => {
    const dir = mkdtempSync(join(tmpdir(), "mreg-queue-busy-"))
    const filename = join(dir, "registry.db")
    return Effect.gen(function*() {
      const registry = yield* ModelVersions.ModelVersions
      const sql = yield* SqlClient.SqlClient
      yield* registry.upsert(base("queue", { name: "a" }))
      const exited = yield* otherWriter(filename)
      // Its queueing meets the other process's lock (SQLITE_BUSY at once): it starts again until it can write.
      const listed = yield* Webhooks.deliveries({ limit: 10 })
      assert.strictEqual(yield* exited, 0)
      const [first] = yield* sql<{ readonly id: string }>`SELECT id FROM model_version_events WHERE seq = 1`
      assert.deepStrictEqual(listed.map((d) => [d.subscription, d.event_id, d.status]), [["every", first!.id, "pending"]])
      assert.deepStrictEqual(yield* cursor, [2])
    }).pipe(Effect.provide(layer(filename)), Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true }))))
  })
})
