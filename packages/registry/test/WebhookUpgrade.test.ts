/**
 * Migration 0005 (narrow delivery rows, the payload kept once with its event) on a store made by migrations
 * 0001–0004 that holds deliveries written by the outbox of 0004 (a row per delivery with its `msg_<uuid>` id and the
 * whole payload): after the upgrade the pending delivery is delivered with the same id and the same payload bytes,
 * a delivered one is replayed by its old id with its payload, and a new write's delivery gets `msg_<seq>_<event id>`
 * after them (on SQLite queued by the dispatcher from the events table 0006 rebuilt, each event's rowid kept as its
 * `seq`). SQLite on a file and PostgreSQL (a database of its own, made and dropped by the test).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { SqlClient } from "@effect/sql"
import * as Migrator from "@effect/sql/Migrator"
import { assert, describe, it } from "@effect/vitest"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql, Webhooks } from "@mreg/registry"
import { startReceiver } from "@mreg/test-fixtures"
import { Duration, Effect, Either, Layer, Redacted, Schedule, type Scope } from "effect"
import { randomBytes, randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { migrations } from "../src/internal/migrations.js"
import { base } from "./ModelVersionsSuite.js"

const pgUrl = process.env.MREG_TEST_DATABASE_URL
const folder = mkdtempSync(join(tmpdir(), "mreg-webhook-upgrade-"))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

/** The migrations before 0005: the schema a store had when the outbox of 0004 wrote its deliveries. */
const before0005 = Object.fromEntries(Object.entries(migrations).filter(([id]) => id < "0005"))

const AT = "2020-01-01T00:00:00.000Z"

/**
 * An event and its delivery as 0004's outbox wrote them (payload key order as `payloadOf` writes it; the test keeps
 * the text to compare bytes).
 */
const legacyDelivery = (subscription: string, status: "pending" | "delivered") => {
  const event = { id: randomUUID(), model_version_id: randomUUID(), revision: 1, type: "created", at: AT }
  const payload = JSON.stringify({
    type: "model_version.created",
    timestamp: AT,
    data: { event: { ...event, subject: { subject_id: "u", subject_type: "user" }, changes: [] }, model_version: { id: event.model_version_id, version: 1, n: 1.5e300 } }
  })
  return { event, payload, id: `msg_${randomUUID()}`, subscription, status }
}

const writeLegacy = (sql: SqlClient.SqlClient, row: ReturnType<typeof legacyDelivery>) =>
  Effect.zipRight(
    sql`INSERT INTO model_version_events (id, model_version_id, revision, type, subject, at, changes, ml_repo, model_id)
      VALUES (${row.event.id}, ${row.event.model_version_id}, 1, 'created', '{}', ${AT}, '[]', 'upgrade', ${randomUUID()})`,
    sql`INSERT INTO webhook_deliveries (id, subscription, event_id, event_type, model_version_id, payload, status, attempts,
        next_attempt_at, last_status_code, created_at, updated_at)
      VALUES (${row.id}, ${row.subscription}, ${row.event.id}, 'created', ${row.event.model_version_id}, ${row.payload},
        ${row.status}, ${row.status === "pending" ? 0 : 1}, ${AT}, ${row.status === "pending" ? null : 204}, ${AT}, ${AT})`
  )

/** PostgreSQL: a database of its own (the shared one is already migrated), dropped when the scope closes. */
const pgDatabase = Effect.acquireRelease(
  Effect.gen(function*() {
    const name = `mreg_upgrade_${randomUUID().slice(0, 8)}`
    const admin = ModelVersionsSql.layerPgClient(Redacted.make(pgUrl!))
    yield* Effect.provide(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`)), admin)
    const url = new URL(pgUrl!)
    url.pathname = `/${name}`
    return { name, admin, layer: ModelVersionsSql.layerPgClient(Redacted.make(url.toString())) }
  }).pipe(Effect.orDie),
  ({ admin, name }) =>
    Effect.provide(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)), admin).pipe(Effect.ignore)
)

/** Each store's client layer, on a new file or database. */
const stores: ReadonlyArray<readonly [string, Effect.Effect<Layer.Layer<SqlClient.SqlClient, ModelVersionsSql.StoreErrors>, never, Scope.Scope>]> = [
  ["SQLite", Effect.sync(() => ModelVersionsSql.layerSqliteClient(join(folder, `${randomUUID()}.db`)))],
  ["PostgreSQL", Effect.map(pgDatabase, ({ layer }) => layer)]
]

for (const [name, makeStore] of stores) describe(`migrations 0005 and 0006 on ${name}`, () => {
  it.live.skipIf(name === "PostgreSQL" && pgUrl === undefined)("keeps pending deliveries: delivered after the upgrade with their id and payload", () => {
    const secret = `whsec_${randomBytes(32).toString("base64")}`
    const subscription = `upgrade-${randomUUID().slice(0, 8)}`
    const pending = legacyDelivery(subscription, "pending")
    const delivered = legacyDelivery(subscription, "delivered")
    return Effect.gen(function*() {
      const receiver = yield* Effect.acquireRelease(Effect.promise(() => startReceiver(secret)), (r) => Effect.promise(() => r.close()))
      const decoded = Webhooks.decode({
        subscriptions: [{ name: subscription, url: receiver.url, events: ["created"], secret }],
        delivery: { poll_ms: 20, backoff_ms: 5, max_backoff_ms: 50 }
      }, "the test webhooks")
      if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
      const outbox = Webhooks.makeOutbox(decoded.right)
      const client = yield* Layer.memoize(yield* makeStore)
      // The store as 0004 left it, with its outbox's rows.
      yield* Effect.provide(
        Effect.gen(function*() {
          yield* Migrator.make({})({ loader: Migrator.fromRecord(before0005) })
          const sql = yield* SqlClient.SqlClient
          yield* writeLegacy(sql, pending)
          yield* writeLegacy(sql, delivered)
        }),
        client
      )
      const upgraded = Layer.provideMerge(ModelVersionsSql.layerMigrator, client)
      const layer = Layer.mergeAll(
        ModelVersionsSql.layer({ webhooks: outbox }),
        Webhooks.layerDispatcher(outbox).pipe(Layer.provide(NodeHttpClient.layer))
      ).pipe(Layer.provideMerge(upgraded), Layer.orDie)
      yield* Effect.provide(
        Effect.gen(function*() {
          const { applied } = yield* ModelVersionsSql.Migrations
          assert.deepStrictEqual(applied, [[5, "narrow_webhook_deliveries"], [6, "queued_webhook_deliveries"]])
          if (name === "SQLite") {
            // 0006 rebuilt the events with `seq` (each row's rowid, kept); the queue's cursor starts after them.
            const sql = yield* SqlClient.SqlClient
            const kept = yield* sql<{ readonly seq: number; readonly id: string }>`SELECT seq, id FROM model_version_events ORDER BY seq`
            assert.deepStrictEqual(kept.map((row) => [row.seq, row.id]), [[1, pending.event.id], [2, delivered.event.id]])
            assert.deepStrictEqual(yield* sql`SELECT event_seq FROM webhook_queue_cursor`, [{ event_seq: 2 }])
          }
          const first = yield* Effect.promise(() => receiver.waitFor((r) => r.webhookId === pending.id))
          assert.deepStrictEqual([first.verified, JSON.stringify(first.payload)], [true, pending.payload])
          yield* Webhooks.replay(delivered.id)
          const replayed = yield* Effect.promise(() => receiver.waitFor((r) => r.webhookId === delivered.id))
          assert.deepStrictEqual([replayed.verified, JSON.stringify(replayed.payload)], [true, delivered.payload])
          const registry = yield* ModelVersions.ModelVersions
          const { modelVersion } = yield* registry.upsert(base("upgrade"))
          const [event] = (yield* registry.history(modelVersion.id)).data
          const fresh = yield* Effect.promise(() => receiver.waitFor((r) => r.payload.data.event.id === event!.id))
          const rows = yield* Webhooks.deliveries({ limit: 10, subscription }).pipe(
            Effect.filterOrFail((rows) => rows.every((row) => row.status === "delivered")),
            Effect.retry(Schedule.spaced("20 millis")),
            Effect.timeout(Duration.seconds(20)),
            Effect.orDie
          )
          // seq continues after the rows of 0004 (1 and 2 in this new store).
          assert.deepStrictEqual(rows.map((row) => row.id), [`msg_3_${event!.id}`, delivered.id, pending.id])
          assert.deepStrictEqual(receiver.acknowledged, [pending.id, delivered.id, fresh.webhookId])
          assert.strictEqual(fresh.webhookId, `msg_3_${event!.id}`)
        }),
        layer
      )
    }).pipe(Effect.scoped)
  }, 30_000)
})
