/**
 * `Webhooks.replay` names a delivery only by its own `webhook-id`: another spelling of the same number (`msg_01_…`
 * for `msg_1_…`), the seq of one event with the id of another, malformed ids and ids holding a NUL character are
 * unknown ids, and a NUL in `deliveries`' subscription filter matches nothing (PostgreSQL's `text` cannot hold one: it
 * was a store failure there). SQLite in memory and PostgreSQL (`MREG_TEST_DATABASE_URL`), no dispatcher (the rows are
 * set to `failed` by hand).
 */
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql, Webhooks } from "@mreg/registry"
import { Effect, Either, Layer, Redacted } from "effect"
import { randomUUID } from "node:crypto"
import { base, freshRepo } from "./Fixtures.js"

const pgUrl = process.env.MREG_TEST_DATABASE_URL
const stores = [
  ["SQLite", () => ModelVersionsSql.layerSqliteClient(":memory:")],
  ["PostgreSQL", () => ModelVersionsSql.layerPgClient(Redacted.make(pgUrl!))]
] as const

const replayMessage = (id: string) =>
  Effect.map(Effect.either(Webhooks.replay(id)), Either.match({ onLeft: (error) => error.message, onRight: () => "replayed" }))

for (const [name, client] of stores) describe(`webhook replay by id on ${name}`, () => {
  const subscription = `replay-ids-${randomUUID().slice(0, 8)}`
  const decoded = Webhooks.decode(
    { subscriptions: [{ name: subscription, url: "http://127.0.0.1:9/", events: ["created"], secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }] },
    "the test webhooks"
  )
  if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
  const layer = () =>
    Layer.provideMerge(
      ModelVersionsSql.layer({ webhooks: Webhooks.makeOutbox(decoded.right) }),
      Layer.provideMerge(ModelVersionsSql.layerMigrator, client())
    ).pipe(Layer.orDie)
  const statuses = Effect.map(Webhooks.deliveries({ limit: 10, subscription }), (rows) => rows.map((row) => row.status))

  it.effect.skipIf(name === "PostgreSQL" && pgUrl === undefined)("only a delivery's own webhook-id re-queues it", () =>
    Effect.gen(function*() {
      const registry = yield* ModelVersions.ModelVersions
      yield* registry.upsert(base(freshRepo("replay-ids")))
      yield* registry.upsert(base(freshRepo("replay-ids")))
      const [second, first] = yield* Webhooks.deliveries({ limit: 10, subscription })
      const seqOf = (id: string) => /^msg_(\d+)_/.exec(id)![1]!
      assert.strictEqual(first!.id, `msg_${seqOf(first!.id)}_${first!.event_id}`)
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE webhook_deliveries SET status = 'failed' WHERE subscription = ${subscription}`
      const unknown = (id: string) => `no webhook delivery has the id ${JSON.stringify(id)}`
      const aliases = [
        `msg_0${seqOf(first!.id)}_${first!.event_id}`,
        `msg_${seqOf(first!.id).padStart(15, "0")}_${first!.event_id}`,
        `msg_${seqOf(first!.id)}_${second!.event_id}`,
        `msg_${seqOf(second!.id)}_${first!.event_id}`,
        `msg_${seqOf(first!.id)}_${first!.event_id}\u0000`,
        "msg_\u0000",
        "msg_",
        "msg_abc_",
        "msg_99999999999999999999_x",
        "msg_1_' OR '1'='1"
      ]
      for (const id of aliases) assert.strictEqual(yield* replayMessage(id), unknown(id))
      // A long id is echoed cut at 80 characters, with its length.
      assert.strictEqual(yield* replayMessage(`msg_${"9".repeat(9996)}`), `no webhook delivery has the id "msg_${"9".repeat(76)}"… (10000 characters)`)
      assert.deepStrictEqual(yield* statuses, ["failed", "failed"])
      assert.deepStrictEqual(yield* Webhooks.deliveries({ limit: 10, subscription: `${subscription}\u0000` }), [])
      assert.strictEqual(yield* replayMessage(first!.id), "replayed")
      assert.deepStrictEqual(yield* statuses, ["failed", "pending"])
    }).pipe(Effect.provide(layer())))
})
