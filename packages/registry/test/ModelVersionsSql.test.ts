import { assert, describe, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql } from "@mreg/registry"
import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { base, modelVersionsSuite } from "./ModelVersionsSuite.js"
import { scopePagingSuite } from "./ScopePagingSuite.js"

const home = mkdtempSync(join(tmpdir(), "mreg-registry-"))
afterAll(() => rmSync(home, { recursive: true, force: true }))

modelVersionsSuite("SQLite (in memory)", ModelVersionsSql.layerSqlite({ filename: ":memory:" }), {
  tenant: "default",
  subjectOption: true
})

modelVersionsSuite("SQLite (file, WAL)", ModelVersionsSql.layerSqlite({ filename: join(home, "suite", "registry.db"), tenant: "acme" }), {
  tenant: "acme",
  subjectOption: true
})

scopePagingSuite("SQLite: read scopes and page tokens", ModelVersionsSql.layerSqlite({ filename: ":memory:" }), { scopeInStore: true })

describe("SQLite file", () => {
  it.effect("a folder that refuses new entries (/proc) fails at once instead of hanging", () =>
    Effect.gen(function*() {
      const filename = "/proc/mreg-cannot-exist/a/registry.db"
      const error = yield* Effect.flip(
        Effect.flatMap(ModelVersions.ModelVersions, (r) => r.get("x" as never)).pipe(
          Effect.provide(ModelVersionsSql.layerSqlite({ filename }))
        )
      )
      assert.deepStrictEqual([error._tag, error.message], ["StoreError", `cannot open the registry at ${filename}: its folder cannot be created`])
    }))

  it.effect("is in WAL mode, keeps data across layers, and passes integrity_check", () =>
    Effect.gen(function*() {
      const filename = join(home, "persist", "registry.db")
      const first = yield* Effect.flatMap(ModelVersions.ModelVersions, (r) => r.upsert(base("persist"))).pipe(
        Effect.provide(ModelVersionsSql.layerSqlite({ filename }))
      )
      const again = yield* Effect.flatMap(ModelVersions.ModelVersions, (r) => r.get(first.modelVersion.id)).pipe(
        Effect.provide(ModelVersionsSql.layerSqlite({ filename }))
      )
      assert.deepStrictEqual(again.modelVersion, first.modelVersion)
      const db = new Database(filename, { readonly: true })
      try {
        assert.strictEqual(db.pragma("journal_mode", { simple: true }), "wal")
        assert.strictEqual(db.pragma("integrity_check", { simple: true }), "ok")
      } finally {
        db.close()
      }
    }))

  it.effect("an unopenable file is a StoreError without driver text", () =>
    Effect.gen(function*() {
      const blocker = join(home, "not-a-folder")
      writeFileSync(blocker, "")
      const filename = join(blocker, "registry.db")
      const error = yield* Effect.flip(
        Effect.flatMap(ModelVersions.ModelVersions, (r) => r.upsert(base("x"))).pipe(
          Effect.provide(ModelVersionsSql.layerSqlite({ filename }))
        )
      )
      assert.strictEqual(error._tag, "StoreError")
      assert.strictEqual(error.message, `cannot open the registry at ${filename}: ${blocker} is a file, not a folder`)
    }))

  it.effect("a file that is not a SQLite database is named so, without driver text", () =>
    Effect.gen(function*() {
      const filename = join(home, "garbage", "registry.db")
      mkdirSync(join(home, "garbage"))
      writeFileSync(filename, "garbage, not a database")
      const error = yield* Effect.flip(
        Effect.flatMap(ModelVersions.ModelVersions, (r) => r.upsert(base("x"))).pipe(
          Effect.provide(ModelVersionsSql.layerSqlite({ filename }))
        )
      )
      assert.deepStrictEqual([error._tag, error.message], ["StoreError", `cannot open the registry at ${filename}: the file is not a SQLite database`])
    }))
})

describe("SQLite history", () => {
  const onClient = ModelVersionsSql.layer().pipe(
    Layer.provideMerge(Layer.provideMerge(ModelVersionsSql.layerMigrator, ModelVersionsSql.layerSqliteClient(":memory:")))
  )

  it.effect("a write failing after its history event is inserted rolls the event back with the change", () =>
    Effect.gen(function*() {
      const registry = yield* ModelVersions.ModelVersions
      const sql = yield* SqlClient.SqlClient
      const { modelVersion } = yield* registry.upsert(base("rollback"))
      // The idempotency key is stored after the version row and its event: without its table that insert fails.
      yield* sql`DROP TABLE idempotency_keys`
      const update = yield* Effect.flip(registry.upsert(base("rollback", { version: 1, description: "lost" }), { idempotencyKey: "k-1" }))
      const create = yield* Effect.flip(registry.upsert(base("rollback"), { idempotencyKey: "k-2" }))
      assert.deepStrictEqual([update._tag, create._tag], ["StoreError", "StoreError"])
      const events = yield* sql<{ model_version_id: string; revision: number; type: string }>`SELECT model_version_id, revision, type
        FROM model_version_events`
      assert.deepStrictEqual(events.map((row) => ({ ...row })), [{ model_version_id: modelVersion.id, revision: 1, type: "created" }])
      const versions = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM model_versions`
      assert.strictEqual(versions[0]!.n, 1)
      assert.strictEqual((yield* registry.get(modelVersion.id)).modelVersion.manifest.description, undefined)
    }).pipe(Effect.provide(onClient)))
})
