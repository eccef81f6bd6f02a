/**
 * `Webhooks.replay` names a delivery only by its own `webhook-id`: another spelling of the same number (`msg_01_…`
 * for `msg_1_…`), the seq of one event with the id of another, and malformed ids are unknown ids. SQLite in memory,
 * no dispatcher (the rows are set to `failed` by hand).
 */
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql, Webhooks } from "@mreg/registry"
import { Effect, Either, Layer } from "effect"
import { base } from "./ModelVersionsSuite.js"

const decoded = Webhooks.decode(
  { subscriptions: [{ name: "replay-ids", url: "http://127.0.0.1:9/", events: ["created"], secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }] },
  "the test webhooks"
)
if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
const outbox = Webhooks.makeOutbox(decoded.right)

const layer = Layer.provideMerge(
  ModelVersionsSql.layer({ webhooks: outbox }),
  Layer.provideMerge(ModelVersionsSql.layerMigrator, ModelVersionsSql.layerSqliteClient(":memory:"))
).pipe(Layer.orDie)

const replayMessage = (id: string) =>
  Effect.map(Effect.either(Webhooks.replay(id)), Either.match({ onLeft: (error) => error.message, onRight: () => "replayed" }))

describe("webhook replay by id", () => {
  it.effect("only a delivery's own webhook-id re-queues it", () =>
    Effect.gen(function*() {
      const registry = yield* ModelVersions.ModelVersions
      yield* registry.upsert(base("replay-ids-1"))
      yield* registry.upsert(base("replay-ids-2"))
      const [second, first] = yield* Webhooks.deliveries({ limit: 10 })
      assert.match(first!.id, /^msg_1_/)
      assert.match(second!.id, /^msg_2_/)
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE webhook_deliveries SET status = 'failed'`
      const unknown = (id: string) => `no webhook delivery has the id ${JSON.stringify(id)}`
      const aliases = [
        `msg_01_${first!.event_id}`,
        `msg_000000000000001_${first!.event_id}`,
        `msg_1_${second!.event_id}`,
        `msg_2_${first!.event_id}`,
        "msg_",
        "msg_abc_",
        "msg_99999999999999999999_x",
        "msg_1_' OR '1'='1"
      ]
      for (const id of aliases) assert.strictEqual(yield* replayMessage(id), unknown(id))
      assert.deepStrictEqual((yield* Webhooks.deliveries({ limit: 10 })).map((row) => row.status), ["failed", "failed"])
      assert.strictEqual(yield* replayMessage(first!.id), "replayed")
      assert.deepStrictEqual((yield* Webhooks.deliveries({ limit: 10 })).map((row) => row.status), ["failed", "pending"])
    }).pipe(Effect.provide(layer)))
})
