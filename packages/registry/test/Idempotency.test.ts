import { assert, describe, it } from "@effect/vitest"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql } from "@mreg/registry"
import { Effect, TestClock } from "effect"
import { base } from "./ModelVersionsSuite.js"

describe("idempotency keys", () => {
  it.effect("expire after 24 hours: the key then starts a new request", () =>
    Effect.gen(function*() {
      const registry = yield* ModelVersions.ModelVersions
      const first = yield* registry.upsert(base("expiry"), { idempotencyKey: "k" })
      yield* TestClock.adjust("23 hours")
      const replay = yield* registry.upsert(base("expiry"), { idempotencyKey: "k" })
      assert.deepStrictEqual([replay.replayed, replay.modelVersion.id], [true, first.modelVersion.id])
      yield* TestClock.adjust("1 hour")
      const fresh = yield* registry.upsert(base("expiry", { metadata: { other: 1 } }), { idempotencyKey: "k" })
      assert.deepStrictEqual([fresh.replayed, fresh.modelVersion.manifest.version], [false, 2])
    }).pipe(Effect.provide(ModelVersionsSql.layerSqlite({ filename: ":memory:" }))))
})

