/**
 * The registry's SQLite `SqlClient`: one better-sqlite3 connection behind `@effect/sql`'s client, as
 * `@effect/sql-sqlite-node` builds it (WAL, one permit for the connection, a transaction holds it until COMMIT or
 * ROLLBACK), with two differences that matter on the write path:
 *
 * - prepared statements are kept in a plain `Map` by SQL text (first in, first out past 500; `BEGIN`, `COMMIT` and
 *   `ROLLBACK` included), where the package looks each one up in an Effect `Cache` and prepares the transaction
 *   statements again every time;
 * - {@link directOf} gives the registry a {@link Direct} view of the same connection: a transaction and statements
 *   that run straight on the driver (one `Effect` per statement) instead of through `@effect/sql`'s statement
 *   machinery (span, scope, connection acquirer, cache lookup: about 25–90 µs of CPU per statement, 45–85 µs per
 *   transaction, against a few µs of SQLite's own work for the registry's reads). They fall back to the client's own
 *   path when tracing is on (so every `sql.transaction` / `sql.execute` span is still made) and outside a
 *   transaction of this connection.
 * @internal
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient, type SqlConnection, Statement } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import Database from "better-sqlite3"
import { Context, Effect, Exit, FiberRef, Layer, Predicate } from "effect"

/** Prepared statements kept per connection (the package's `prepareCacheSize` was 500 too). */
const CACHE_SIZE = 500

const DirectId = Symbol.for("@mreg/registry/internal/sqliteClient/Direct")

/**
 * The registry's fast path on the connection. Both fall back to the `SqlClient`'s own path (with its spans) when
 * tracing is on, and `run` also outside a transaction of this connection.
 */
export interface Direct {
  /** `effect` in a transaction: the connection's permit, `BEGIN`, `COMMIT` (a failed `COMMIT` is a defect, rolled back) or `ROLLBACK`. */
  readonly transact: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
  /** The rows of `statement`, run on the driver inside a transaction of this connection. */
  readonly run: <A>(statement: Statement.Statement<A>) => Effect.Effect<ReadonlyArray<A>, SqlError>
}

/** The {@link Direct} view of a client made by {@link layer}, `undefined` for any other client (PostgreSQL). */
export const directOf = (sql: SqlClient.SqlClient): Direct | undefined =>
  Predicate.hasProperty(sql, DirectId) ? (sql[DirectId] as Direct) : undefined

const failed = (cause: unknown) => new SqlError({ cause, message: "Failed to execute statement" })

const tracing = (fiber: { getFiberRef: <A>(ref: FiberRef.FiberRef<A>) => A }) => fiber.getFiberRef(FiberRef.currentTracerEnabled)

const make = (filename: string) =>
  Effect.gen(function*() {
    const db = yield* Effect.acquireRelease(
      Effect.sync(() => new Database(filename)),
      (db) => Effect.sync(() => db.close())
    )
    db.pragma("journal_mode = WAL")

    const statements = new Map<string, Database.Statement>()
    const prepared = (text: string): Database.Statement => {
      let statement = statements.get(text)
      if (statement === undefined) {
        statement = db.prepare(text)
        if (statements.size >= CACHE_SIZE) statements.delete(statements.keys().next().value!)
        statements.set(text, statement)
      }
      return statement
    }
    /** The rows of `text` (none for a statement that returns no data). Throws the driver's error. */
    const rows = (text: string, params: ReadonlyArray<unknown>): ReadonlyArray<any> => {
      const statement = prepared(text)
      if (statement.reader) return statement.all(...params)
      statement.run(...params)
      return []
    }
    const execute = (text: string, params: ReadonlyArray<unknown>) =>
      Effect.suspend(() => {
        try {
          return Effect.succeed(rows(text, params))
        } catch (cause) {
          return Effect.fail(failed(cause))
        }
      })

    const connection: SqlConnection.Connection = {
      execute: (text, params, transformRows) =>
        transformRows === undefined ? execute(text, params) : Effect.map(execute(text, params), transformRows),
      executeRaw: (text, params) =>
        Effect.try({ try: () => prepared(text).run(...params), catch: failed }),
      executeValues: (text, params) =>
        Effect.try({
          try: () => {
            const statement = prepared(text)
            if (!statement.reader) {
              statement.run(...params)
              return []
            }
            try {
              return statement.raw(true).all(...params) as ReadonlyArray<ReadonlyArray<unknown>>
            } finally {
              statement.raw(false)
            }
          },
          catch: failed
        }),
      executeUnprepared: (text, params, transformRows) =>
        transformRows === undefined ? execute(text, params) : Effect.map(execute(text, params), transformRows),
      executeStream: () => Effect.dieMessage("executeStream not implemented") as never
    }

    const semaphore = yield* Effect.makeSemaphore(1)
    const client = yield* SqlClient.make({
      acquirer: semaphore.withPermits(1)(Effect.succeed(connection)),
      transactionAcquirer: Effect.uninterruptibleMask((restore) =>
        Effect.as(
          Effect.zipRight(restore(semaphore.take(1)), Effect.addFinalizer(() => semaphore.release(1))),
          connection
        )
      ),
      compiler: Statement.makeCompilerSqlite(),
      spanAttributes: [["db.system.name", "sqlite"]]
    })

    /** Whether the fiber is inside a transaction of this connection (its statements may use the driver directly). */
    const ownsTransaction = (context: Context.Context<never>) => {
      const held = Context.getOption(context, SqlClient.TransactionConnection)
      return held._tag === "Some" && held.value[0] === connection
    }

    /** Ends the open transaction; a failed `COMMIT` rolls back (when SQLite has not already) and is a defect. */
    const end = <A, E>(exit: Exit.Exit<A, E>): Effect.Effect<A, E> => {
      try {
        prepared(Exit.isSuccess(exit) ? "COMMIT" : "ROLLBACK").run()
        return exit
      } catch (cause) {
        if (db.inTransaction) prepared("ROLLBACK").run()
        return Effect.die(failed(cause))
      }
    }

    const direct: Direct = {
      transact: <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.withFiberRuntime<A, E | SqlError, R>((fiber) => {
          if (tracing(fiber) || Context.getOption(fiber.currentContext, SqlClient.TransactionConnection)._tag === "Some") {
            return client.withTransaction(effect)
          }
          return Effect.uninterruptibleMask((restore) =>
            Effect.flatMap(restore(semaphore.take(1)), (): Effect.Effect<A, E | SqlError, R> => {
              try {
                prepared("BEGIN").run()
              } catch (cause) {
                return Effect.zipRight(semaphore.release(1), Effect.fail(failed(cause)))
              }
              return restore(effect).pipe(
                Effect.provideService(SqlClient.TransactionConnection, [connection, 0] as const),
                Effect.exit,
                Effect.flatMap((exit) => {
                  const ended = end(exit) // COMMIT or ROLLBACK runs here, before the permit is released
                  return Effect.zipRight(semaphore.release(1), ended)
                })
              )
            })
          )
        }),
      run: <A>(statement: Statement.Statement<A>) =>
        Effect.withFiberRuntime<ReadonlyArray<A>, SqlError>((fiber) => {
          if (tracing(fiber) || !ownsTransaction(fiber.currentContext)) return statement
          const [text, params] = statement.compile()
          try {
            return Effect.succeed(rows(text, params))
          } catch (cause) {
            return Effect.fail(failed(cause))
          }
        })
    }
    return Object.assign(client, { [DirectId]: direct })
  })

/**
 * A SQLite `SqlClient` on `filename` (`":memory:"`: a private in-memory database). Opening the file can fail with the
 * driver's error as a defect (the caller maps it).
 */
export const layer = (filename: string): Layer.Layer<SqlClient.SqlClient> =>
  Layer.scoped(SqlClient.SqlClient, make(filename)).pipe(Layer.provide(Reactivity.layer))
