/**
 * A store that cannot be reached is `StoreUnavailable` (503, retry later), never the 500 `StoreError`: the
 * classification of real driver errors, and the PostgreSQL registry behind a TCP relay that is cut and restored.
 */
import { assert, describe, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql } from "@mreg/registry"
import Database from "better-sqlite3"
import { Context, Effect, Layer, Redacted } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, connect, type Server, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { classify } from "../src/internal/sqlErrors.js"
import { base } from "./ModelVersionsSuite.js"

const UNREACHABLE = "the registry store cannot be reached; retry the request later"

const home = mkdtempSync(join(tmpdir(), "mreg-unavailable-"))
afterAll(() => rmSync(home, { recursive: true, force: true }))

/** The error better-sqlite3 throws from `f`, wrapped as `@effect/sql-sqlite-node` wraps it. */
const sqliteError = (f: () => unknown): SqlError => {
  try {
    f()
  } catch (cause) {
    return new SqlError({ cause, message: "Failed to execute statement" })
  }
  throw new Error("expected the driver to throw")
}

describe("classify (SQLite driver errors)", () => {
  it("a file that cannot be opened is unreachable", () => {
    const error = sqliteError(() => new Database(join(home, "missing.db"), { fileMustExist: true }))
    assert.strictEqual(classify(error), "unreachable")
  })

  it("a lock held by another connection is busy (worth retrying, then 503)", () => {
    const filename = join(home, "busy.db")
    const holder = new Database(filename)
    const waiter = new Database(filename, { timeout: 0 })
    try {
      holder.exec("CREATE TABLE t (x); BEGIN EXCLUSIVE")
      assert.strictEqual(classify(sqliteError(() => waiter.exec("INSERT INTO t VALUES (1)"))), "busy")
    } finally {
      holder.close()
      waiter.close()
    }
  })

  it("a unique violation and a file that is not a database are plain failures", () => {
    const db = new Database(":memory:")
    db.exec("CREATE TABLE t (x PRIMARY KEY); INSERT INTO t VALUES (1)")
    assert.strictEqual(classify(sqliteError(() => db.exec("INSERT INTO t VALUES (1)"))), "failed")
    db.close()
    const garbage = join(home, "garbage.db")
    writeFileSync(garbage, "this is not a SQLite database, not even close to one".repeat(20))
    assert.strictEqual(classify(sqliteError(() => new Database(garbage).exec("SELECT * FROM sqlite_master"))), "failed")
  })
})

/**
 * A TCP relay on 127.0.0.1 to `target`: `cut` closes the listener and every relayed connection (the server seems
 * gone: connections reset, new ones refused); `restore` listens again on the same port.
 */
const relay = (target: { readonly host: string; readonly port: number }) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const sockets = new Set<Socket>()
      let server: Server | undefined
      let port = 0
      const listen = Effect.async<number, Error>((resume) => {
        const next = createServer((client) => {
          const upstream = connect(target.port, target.host)
          for (const socket of [client, upstream]) {
            sockets.add(socket)
            socket.on("error", () => socket.destroy())
            socket.on("close", () => {
              sockets.delete(socket)
              client.destroy()
              upstream.destroy()
            })
          }
          client.pipe(upstream).pipe(client)
        })
        next.once("error", (error) => resume(Effect.fail(error)))
        next.listen(port, "127.0.0.1", () => {
          server = next
          const address = next.address()
          port = typeof address === "object" && address !== null ? address.port : 0
          resume(Effect.succeed(port))
        })
      })
      const cut = Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        if (server === undefined) return resume(Effect.void)
        server.close(() => resume(Effect.void))
        server = undefined
      })
      return { listen, cut }
    }),
    (relay) => relay.cut
  )

const url = process.env.MREG_TEST_DATABASE_URL
if (url !== undefined && url !== "") {
  const target = new URL(url)
  /** A relay in front of the test server, listening: `cable` cuts and restores it, `via` is the URL through it. */
  const relayed = Effect.gen(function*() {
    const cable = yield* relay({ host: target.hostname, port: Number(target.port) })
    const via = new URL(url)
    via.hostname = "127.0.0.1"
    via.port = String(yield* cable.listen)
    return { cable, via: Redacted.make(via.toString()) }
  })

  describe("PostgreSQL that cannot be reached", () => {
    it.scoped("a server that refuses connections is unreachable, not a plain failure", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Layer.build(PgClient.layer({ url: Redacted.make("postgres://mreg@127.0.0.1:1/none") })))
        assert.strictEqual(classify(error), "unreachable")
      }), 30_000)

    it.scoped("a connection cut under the client is unreachable", () =>
      Effect.gen(function*() {
        const { cable, via } = yield* relayed
        const sql = Context.get(yield* Layer.build(PgClient.layer({ url: via, maxConnections: 1 })), SqlClient.SqlClient)
        yield* sql`SELECT 1`
        yield* cable.cut
        const error = yield* Effect.flip(sql`SELECT 1`)
        assert.strictEqual(classify(error), "unreachable")
      }), 30_000)

    it.scoped("the registry answers StoreUnavailable while the server is away, and works again once it is back", () =>
      Effect.gen(function*() {
        const { cable, via } = yield* relayed
        const registry = Context.get(yield* Layer.build(ModelVersionsSql.layerPg({ url: via, tenant: "pg" })), ModelVersions.ModelVersions)
        const repo = `away-${Date.now()}`
        const first = yield* registry.upsert(base(repo))
        yield* cable.cut
        const down = yield* Effect.flip(registry.upsert(base(repo)))
        assert.deepStrictEqual([down._tag, down.message, (down as { retryAfter?: number }).retryAfter], ["StoreUnavailable", UNREACHABLE, 5])
        const read = yield* Effect.flip(registry.get(first.modelVersion.id))
        assert.deepStrictEqual([read._tag, read.message], ["StoreUnavailable", UNREACHABLE])
        yield* cable.listen
        const again = yield* registry.upsert(base(repo))
        assert.strictEqual(again.modelVersion.manifest.version, 2)
      }), 60_000)
  })
}
