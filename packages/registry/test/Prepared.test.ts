/**
 * `insertOne`: a one-row prepared INSERT binds each value to the column of its name, whatever the order of the row's
 * keys, on SQLite and PostgreSQL, on both of `prepared`'s paths (a transaction's connection with Effect's tracer
 * off, and `sql.unsafe` outside one).
 */
import { assert, describe, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { withPostgres } from "@mreg/test-fixtures/postgres"
import { ModelVersionsSql } from "@mreg/registry"
import { Effect, Layer, Redacted } from "effect"
import { randomUUID } from "node:crypto"
import { insertOne } from "../src/internal/sql/prepared.js"

const COLUMNS = ["id", "name", "size", "note"] as const

const suite = (name: string, layer: Layer.Layer<SqlClient.SqlClient, unknown>) =>
  describe(name, () => {
    it.effect("values go to the columns of their names, not to the key order of the row", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const table = `prepared_insert_${randomUUID().replaceAll("-", "")}`
        yield* sql`CREATE TABLE ${sql(table)} (id TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, note TEXT)`
        const insert = insertOne(sql, table, COLUMNS)
        // Keys in another order than COLUMNS: `Object.values` would have put "bert" in id and 3 in name.
        yield* Effect.withTracerEnabled(sql.withTransaction(insert({ note: null, size: 3, name: "bert", id: "a" })), false)
        yield* insert({ size: 7, note: "second", id: "b", name: "gpt" })
        const rows = yield* sql`SELECT id, name, size, note FROM ${sql(table)} ORDER BY id`
        yield* sql`DROP TABLE ${sql(table)}`
        assert.deepStrictEqual(rows.map((row) => ({ ...row })), [
          { id: "a", name: "bert", size: 3, note: null },
          { id: "b", name: "gpt", size: 7, note: "second" }
        ])
      }).pipe(Effect.provide(Layer.orDie(layer))))
  })

suite("insertOne on SQLite", ModelVersionsSql.layerSqliteClient(":memory:"))
withPostgres("insertOne on PostgreSQL", (url) => suite("insertOne on PostgreSQL", ModelVersionsSql.layerPgClient(Redacted.make(url))))
