/**
 * What every part of the SQL registry shares: the client, the tenant, the clock, and how driver errors become
 * `RegistryError`s.
 * @internal
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { type ModelVersion, RegistryError, Retry } from "@mreg/core"
import { Clock, Data, Effect, Option, Predicate, Schedule } from "effect"
import { classify, isTransient, isUniqueViolation } from "../sqlErrors.js"
import type { Outbox } from "../webhooks/outbox.js"
import { withTransactionOf } from "./prepared.js"

/** The errors of a failed store: the store failed (500) or cannot be reached right now (503). */
export type StoreFailure = RegistryError.StoreError | RegistryError.StoreUnavailable

/** Seconds a caller should wait before retrying a store that is busy or cannot be reached. */
export const RETRY_AFTER_BUSY = 1
export const RETRY_AFTER_UNREACHABLE = 5

/** The store cannot serve the request right now (503); the caller should retry after `retryAfter` seconds. */
export const unavailable = (message: string, retryAfter: number): StoreFailure =>
  new RegistryError.StoreUnavailable({ message, retryAfter })

export const UNREACHABLE_MESSAGE = "the registry store cannot be reached; retry the request later"
export const BUSY_MESSAGE = "the registry store is busy; retry the request"

/** The `RegistryError` of a driver error: 503 when the store is unreachable or stayed busy, else 500. */
export const fromSqlError = (error: SqlError): StoreFailure => {
  switch (classify(error)) {
    case "unreachable":
      return unavailable(UNREACHABLE_MESSAGE, RETRY_AFTER_UNREACHABLE)
    case "busy":
      return unavailable(BUSY_MESSAGE, RETRY_AFTER_BUSY)
    case "failed":
      return new RegistryError.StoreError({ message: "the registry store failed; the request was not applied" })
  }
}

/** Logs a driver error at debug level (never shown to a caller) and fails with its `RegistryError`. */
export const storeError = (error: SqlError): Effect.Effect<never, StoreFailure> =>
  Effect.zipRight(Effect.logDebug("registry store failure", error), Effect.fail(fromSqlError(error)))

/** A row changed between this transaction's read and its write: the transaction is run again. */
export class StaleRead extends Data.TaggedError("StaleRead") {}

const isSqlError = (error: unknown): error is SqlError => Predicate.isTagged(error, "SqlError")

/** How a transaction that lost a race is run again: exponential from 2 ms, factor 1.5, jittered, for up to 10 s. */
const RETRY = Schedule.exponential("2 millis", 1.5).pipe(Schedule.jittered, Schedule.upTo("10 seconds"))

/** A failed attempt is run again when another writer won a unique index, held a lock, or moved a revision it read. */
const retryable = (error: unknown): boolean =>
  error instanceof StaleRead || (isSqlError(error) && (isUniqueViolation(error) || isTransient(error)))

/** The shared context of the registry's operations. */
export interface Store {
  readonly sql: SqlClient.SqlClient
  readonly tenant: string
  readonly defaultSubject: ModelVersion.Subject
  /** The webhook outbox: each event also goes there, in its transaction; `undefined` when no webhook is configured. */
  readonly outbox: Outbox | undefined
  /** The current time as an ISO 8601 string (the `Clock` service, so tests can move it). */
  readonly now: Effect.Effect<string>
  /**
   * Runs a write in a transaction; runs it again when another writer won a unique index, held a lock, or moved a
   * revision this transaction read (`StaleRead`). Driver errors become `StoreError` or, when the store cannot be
   * reached, `StoreUnavailable`.
   */
  readonly transact: <A, E extends RegistryError.RegistryError, R>(
    effect: Effect.Effect<A, E | SqlError | StaleRead, R>
  ) => Effect.Effect<A, E | StoreFailure, R>
}

export const makeStore = (
  sql: SqlClient.SqlClient,
  tenant: string,
  defaultSubject: ModelVersion.Subject,
  outbox?: Outbox | undefined,
  withTransaction = withTransactionOf(sql)
): Store => ({
  sql,
  tenant,
  defaultSubject,
  outbox,
  now: Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString()),
  transact: <A, E extends RegistryError.RegistryError, R>(effect: Effect.Effect<A, E | SqlError | StaleRead, R>) =>
    Retry.afterFailure(withTransaction(effect).pipe(
      // An attempt runs to its COMMIT or ROLLBACK even when the caller goes away (a client closing its connection
      // interrupts the request): interrupting a statement inside a transaction makes @effect/sql-pg cancel it with
      // `pg_cancel_backend` on another pool connection, which waits (up to 5 s) when every connection is held by writers
      // queued behind this transaction's model lock — every writer of the model stalled for 5 s. Between attempts (the
      // retry's sleep) the write stays interruptible.
      Effect.uninterruptible,
      // Committed: a webhook dispatcher of this process looks for the deliveries it may have written.
      (attempt) => outbox === undefined ? attempt : Effect.tap(attempt, () => Effect.sync(outbox.wake))
    ), { while: retryable, times: 200, schedule: RETRY }).pipe(
      Effect.catchAll((error): Effect.Effect<never, E | StoreFailure> => {
        if (error instanceof StaleRead) {
          return Effect.fail(
            new RegistryError.StoreError({ message: "the model version kept changing under concurrent writes; retry the request" })
          )
        }
        if (isSqlError(error)) return storeError(error)
        return Effect.fail(error)
      }),
      // `withTransaction` turns a failed COMMIT or ROLLBACK (the connection died mid-transaction) into a defect.
      Effect.catchSomeDefect((defect) => isSqlError(defect) ? Option.some(storeError(defect)) : Option.none())
    )
})
