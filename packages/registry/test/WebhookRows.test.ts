/**
 * The dispatcher's store writes on SQLite and PostgreSQL: the outcomes of a claim are recorded by a few statements
 * (the deliveries answered with one status code together, the rows handed back together, each retry or failure by
 * itself), and every row still ends with exactly its own outcome; a row whose lease passed to another claim is not
 * touched.
 */
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql, Webhooks } from "@mreg/registry"
import { Effect, Either, Layer, Redacted } from "effect"
import { randomBytes, randomUUID } from "node:crypto"
import { sqlQueue } from "../src/internal/webhooks/queue.js"
import type { Outcome } from "../src/internal/webhooks/rows.js"
import { base } from "./ModelVersionsSuite.js"

const pgUrl = process.env.MREG_TEST_DATABASE_URL

const stores: ReadonlyArray<readonly [string, () => Layer.Layer<SqlClient.SqlClient, ModelVersionsSql.StoreErrors>]> = [
  ["SQLite", () => ModelVersionsSql.layerSqliteClient(":memory:")],
  ["PostgreSQL", () => ModelVersionsSql.layerPgClient(Redacted.make(pgUrl ?? "postgres://missing-MREG_TEST_DATABASE_URL@127.0.0.1:1/x"))]
]

const NOW = "2030-01-01T00:00:00.000Z"
const LEASE = "2030-01-01T00:01:00.000Z"
const RETRY_AT = "2030-01-01T00:00:05.000Z"

/** The outcome given to the claimed row number `i` (7 rows: every kind, two status codes of delivered). */
const outcomes: ReadonlyArray<Outcome> = [
  { _tag: "delivered", statusCode: 204 },
  { _tag: "delivered", statusCode: 204 },
  { _tag: "delivered", statusCode: 200 },
  { _tag: "retry", statusCode: 503, error: "HTTP 503", at: RETRY_AT },
  { _tag: "retry", statusCode: null, error: "request failed (ECONNREFUSED)", at: RETRY_AT },
  { _tag: "failed", statusCode: 410, error: "HTTP 410" },
  { _tag: "released" }
]

for (const [name, client] of stores) describe(`webhook rows on ${name}`, () => {
  it.effect.skipIf(name === "PostgreSQL" && pgUrl === undefined)("a claim's outcomes recorded together end each row with its own outcome", () => {
    const subscription = `rows-${randomUUID().slice(0, 8)}`
    const decoded = Webhooks.decode({
      subscriptions: [{ name: subscription, url: "http://127.0.0.1:9/x", events: ["created"], secret: `whsec_${randomBytes(32).toString("base64")}` }]
    }, "the test webhooks")
    if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
    const outbox = Webhooks.makeOutbox(decoded.right)
    const layer = ModelVersionsSql.layer({ webhooks: outbox }).pipe(
      Layer.provideMerge(Layer.provideMerge(ModelVersionsSql.layerMigrator, client())),
      Layer.orDie
    )
    return Effect.gen(function*() {
      const registry = yield* ModelVersions.ModelVersions
      // One model version per row: each is the first open row of its version, so one claim takes them all.
      for (let i = 0; i < outcomes.length + 1; i++) yield* registry.upsert(base(subscription, { name: `m${i}` }))
      const sql = yield* SqlClient.SqlClient
      const queue = sqlQueue(sql)
      const claim = { subscriptions: [subscription], now: NOW, leaseUntil: LEASE, limit: 100 }
      const first = yield* queue.cycle([], claim)
      assert.strictEqual(first.rows.length, outcomes.length + 1)
      const finished = first.rows.slice(0, outcomes.length).map((row, i) => ({ seq: row.seq, id: row.id, token: first.token, outcome: outcomes[i] }))
      // The last row's outcome comes with a token that no longer holds it: not recorded.
      const stale = first.rows[outcomes.length]
      const second = yield* queue.cycle([...finished, { seq: stale.seq, token: randomUUID(), outcome: { _tag: "delivered", statusCode: 204 } }], claim)
      // The handed-back row is due again at once: the next claim takes it (with the retried rows not yet due).
      assert.deepStrictEqual(second.rows.map((row) => row.id), [finished[6].id])
      const rows = yield* sql<Record<string, unknown>>`SELECT seq, status, attempts, last_status_code, last_error, next_attempt_at, lease_token
        FROM webhook_deliveries WHERE subscription = ${subscription}`
      const bySeq = new Map(rows.map((row) => [Number(row.seq), row]))
      const state = (seq: number) => {
        const row = bySeq.get(seq)!
        return [row.status, Number(row.attempts), row.last_status_code === null ? null : Number(row.last_status_code), row.last_error]
      }
      assert.deepStrictEqual(finished.map((f) => state(f.seq)), [
        ["delivered", 1, 204, null],
        ["delivered", 1, 204, null],
        ["delivered", 1, 200, null],
        ["pending", 1, 503, "HTTP 503"],
        ["pending", 1, null, "request failed (ECONNREFUSED)"],
        ["failed", 1, 410, "HTTP 410"],
        // Handed back (attempts given back), then claimed again by the second cycle.
        ["delivering", 1, null, null]
      ])
      assert.deepStrictEqual([3, 4].map((i) => bySeq.get(finished[i].seq)!.next_attempt_at), [RETRY_AT, RETRY_AT])
      assert.deepStrictEqual(state(stale.seq), ["delivering", 1, null, null])
      assert.strictEqual(bySeq.get(stale.seq)!.lease_token, first.token)
    }).pipe(Effect.provide(layer))
  }, 30_000)
})
