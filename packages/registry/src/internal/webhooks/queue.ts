/**
 * The deliveries table as the dispatcher uses it: one write per cycle (the outcomes recorded since the last cycle,
 * on SQLite the rows of the events written since, then a claim), hand-backs and the queue depth. {@link sqlQueue}
 * runs it on a `SqlClient`; the worker thread runs it on PostgreSQL with its own pool, and on SQLite through the main
 * thread's connection (`workerHost.ts`): two connections writing one SQLite file stall each other whenever the one
 * holding the write lock is descheduled.
 * @internal
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, type ParseResult, Predicate, Schedule } from "effect"
import { isTransient } from "../sqlErrors.js"
import type { StoreRequest } from "./protocol.js"
import { type ClaimedRow, makeRows, type Outcome, queuedByDispatcher } from "./rows.js"

/** An attempt's outcome, to be recorded on the row `seq` under its claim's lease `token`. */
export interface Finished {
  readonly seq: number
  readonly token: string
  readonly outcome: Outcome
}

/** What to claim: up to `limit` due rows (0: none) of `subscriptions`, at `now`, leased until `leaseUntil`. */
export interface Claim {
  readonly subscriptions: ReadonlyArray<string>
  readonly now: string
  readonly leaseUntil: string
  readonly limit: number
}

export interface Claimed {
  readonly token: string
  readonly rows: ReadonlyArray<ClaimedRow>
}

export interface Queue {
  /** Records `finished`, then claims, in one transaction. */
  readonly cycle: (finished: ReadonlyArray<Finished>, claim: Claim) => Effect.Effect<Claimed, SqlError | ParseResult.ParseError>
  /** Hands back the rows of claim `token` still in flight: due again at once. */
  readonly release: (token: string, now: string) => Effect.Effect<void, SqlError>
  /** SQLite (one process): rows a killed process left in flight are due again at once. Nothing on PostgreSQL. */
  readonly releaseAll: (now: string) => Effect.Effect<void, SqlError>
  /** Deliveries pending or in flight for `subscriptions`. */
  readonly depth: (subscriptions: ReadonlyArray<string>) => Effect.Effect<number, SqlError | ParseResult.ParseError>
}

/**
 * A store statement retried while it meets a lock (SQLite busy, PostgreSQL serialization): another writer's moment.
 * On SQLite a transaction that read before writing fails at once, without the busy timeout's wait, when another
 * process (`mreg` on the same file) holds the write lock (`SQLITE_BUSY`) or committed since the read
 * (`SQLITE_BUSY_SNAPSHOT`); run again, it reads the new file.
 */
const retryTransient = <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>) =>
  Effect.retry(effect, {
    while: (error) => Predicate.isTagged(error, "SqlError") && isTransient(error as SqlError),
    schedule: Schedule.jittered(Schedule.exponential("5 millis")),
    times: 10
  })

/**
 * The deliveries of the events written since the dispatcher's last cycle queued now, in a transaction of their own
 * (retried while another process writes the file), so that a read of the deliveries (`Webhooks.deliveries`) sees a
 * write's as soon as it has returned; nothing where writes write their deliveries (`queuedByDispatcher`).
 */
export const queueWritten = (sql: SqlClient.SqlClient): Effect.Effect<void, SqlError> =>
  queuedByDispatcher(sql) ? Effect.asVoid(retryTransient(sql.withTransaction(makeRows(sql).queueWritten))) : Effect.void

export const sqlQueue = (sql: SqlClient.SqlClient): Queue => {
  const rows = makeRows(sql)
  const queued = queuedByDispatcher(sql)
  const sqlite = sql.onDialectOrElse({ sqlite: () => true, orElse: () => false })
  return {
    cycle: (finished, claim) =>
      sql.withTransaction(Effect.zipRight(
        rows.finish(finished, claim.now),
        claim.limit === 0
          ? Effect.succeed<Claimed>({ token: "", rows: [] })
          : Effect.zipRight(
            // SQLite: the rows of the events written since the last cycle, queued before the claim can see them.
            queued ? rows.queueWritten : Effect.void,
            rows.claim(claim.subscriptions, claim.now, claim.leaseUntil, claim.limit)
          )
      )).pipe(
        // One run from BEGIN to COMMIT: the fiber does not yield to others while it holds SQLite's write lock.
        Effect.withMaxOpsBeforeYield(Number.MAX_SAFE_INTEGER),
        retryTransient
      ),
    release: (token, now) => Effect.asVoid(retryTransient(rows.release(token, now))),
    releaseAll: (now) => (sqlite ? Effect.asVoid(retryTransient(rows.releaseAll(now))) : Effect.void),
    depth: rows.depth
  }
}

/** Runs a worker's store request on `queue`: its result, or `undefined` when the store failed (logged by the caller). */
export const runRequest = (queue: Queue, request: StoreRequest): Effect.Effect<unknown, SqlError | ParseResult.ParseError> => {
  switch (request.op) {
    case "cycle":
      return queue.cycle(request.finished, request.claim)
    case "release":
      return queue.release(request.token, request.now)
    case "releaseAll":
      return queue.releaseAll(request.now)
    case "depth":
      return queue.depth(request.subscriptions)
  }
}

/** A `Queue` whose calls `call` sends elsewhere (the worker's, to the main thread); a failed call fails with `SqlError`. */
export const remoteQueue = (call: (request: StoreRequest) => Effect.Effect<unknown, SqlError>): Queue => ({
  cycle: (finished, claim) => call({ op: "cycle", finished, claim }) as Effect.Effect<Claimed, SqlError>,
  release: (token, now) => Effect.asVoid(call({ op: "release", token, now })),
  releaseAll: (now) => Effect.asVoid(call({ op: "releaseAll", now })),
  depth: (subscriptions) => call({ op: "depth", subscriptions }) as Effect.Effect<number, SqlError>
})
