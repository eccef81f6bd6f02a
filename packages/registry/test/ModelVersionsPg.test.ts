import { assert, describe, it } from "@effect/vitest"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql } from "@mreg/registry"
import { PgClient } from "@effect/sql-pg"
import { Deferred, Effect, Fiber, Redacted, Schedule } from "effect"
import { randomUUID } from "node:crypto"
import { base, modelVersionsSuite } from "./ModelVersionsSuite.js"
import { scopePagingSuite } from "./ScopePagingSuite.js"
import { withPostgres } from "@mreg/test-fixtures/postgres"

withPostgres("PostgreSQL", (url) => {
  const layer = ModelVersionsSql.layerPg({ url: Redacted.make(url), tenant: "pg" })
  modelVersionsSuite("PostgreSQL", layer, { tenant: "pg", subjectOption: true })
  scopePagingSuite("PostgreSQL: read scopes and page tokens", layer, { scopeInStore: true })

  describe("PostgreSQL specifics", () => {
    it.effect("an unreachable URL is StoreUnavailable (503) and does not show the URL", () =>
      Effect.gen(function*() {
        const secret = "postgres://mreg:s3cret@127.0.0.1:1/nope"
        const error = yield* Effect.flip(
          Effect.flatMap(ModelVersions.ModelVersions, (r) => r.upsert(base("x"))).pipe(
            Effect.provide(ModelVersionsSql.layerPg({ url: Redacted.make(secret) }))
          )
        )
        assert.strictEqual(error._tag, "StoreUnavailable")
        assert.notInclude(error.message, "s3cret")
        assert.strictEqual(error.message, "cannot connect to the PostgreSQL registry (DATABASE_URL)")
      }), 30_000)

    // A caller going away (a client closing its connection) interrupts the request: the write's transaction still
    // runs to its COMMIT. Interrupting it mid-statement made @effect/sql-pg cancel the statement from another pool
    // connection, which stalled every writer of the model 5 s when the pool was busy (the bench's p99).
    it.effect("an upsert interrupted while it waits for the model's lock still commits, with its history event", () =>
      Effect.gen(function*() {
        const registry = yield* ModelVersions.ModelVersions
        const sql = yield* PgClient.PgClient
        const mlRepo = `interrupt-${randomUUID().slice(0, 8)}`
        const first = yield* registry.upsert(base(mlRepo))
        const locked = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        // Another session holds the model's row lock until released.
        const holder = yield* Effect.fork(sql.withTransaction(Effect.gen(function*() {
          yield* sql`SELECT id FROM models WHERE id = ${first.modelVersion.model_id} FOR UPDATE`
          yield* Deferred.succeed(locked, undefined)
          yield* Deferred.await(release)
        })))
        yield* Deferred.await(locked)
        const writer = yield* Effect.fork(registry.upsert(base(mlRepo)))
        // Wait until the write is inside its transaction, blocked on the lock (not a timing assertion: a poll).
        yield* sql<{ readonly waiting: number }>`SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND datname = current_database()`.pipe(
          Effect.filterOrFail((rows) => rows[0]!.waiting > 0, () => "not waiting yet"),
          Effect.retry(Schedule.spaced("20 millis"))
        )
        const interrupting = yield* Effect.fork(Fiber.interrupt(writer))
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(holder)
        yield* Fiber.join(interrupting)
        const page = yield* registry.list(new ModelVersions.ListQuery({ ml_repo: mlRepo }))
        assert.deepStrictEqual(page.data.map((version) => version.manifest.version).sort(), [1, 2])
        const second = page.data.find((version) => version.manifest.version === 2)!
        const history = yield* registry.history(second.id, {})
        assert.deepStrictEqual(history.data.map((event) => event.type), ["created"])
      }).pipe(Effect.provide([layer, PgClient.layer({ url: Redacted.make(url) })])), 60_000)
  })
})
