/**
 * The outbox: the deliveries of an event, one row per subscription that wants it, written by the registry in the
 * transaction of the change (so a change and its deliveries commit or roll back together). `wake`, called after a
 * write commits, lets a dispatcher in this process look at once instead of at its next poll.
 * @internal
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { ModelVersion } from "@mreg/core"
import { Array as Arr, Effect } from "effect"
import { randomUUID } from "node:crypto"
import { prepared } from "../sql/prepared.js"
import type { Config } from "./subscriptions.js"

/** An event as the history records it: at least its id, type and time (the whole object goes in the payload). */
export interface OutboxEvent {
  readonly id: string
  readonly type: string
  readonly at: string
}

/** The Standard Webhooks payload of an event: `{type: "model_version.<type>", timestamp, data: {event, model_version}}`. */
export const payloadOf = (event: OutboxEvent, modelVersion: ModelVersion.ModelVersion): string =>
  JSON.stringify({ type: `model_version.${event.type}`, timestamp: event.at, data: { event, model_version: modelVersion } })

export interface Outbox {
  readonly config: Config
  /**
   * The writer of the outbox on `sql` (its statements compiled once): it inserts the deliveries of `event` (on
   * `modelVersion`, its state after the change; for a delete, its last state) inside the caller's transaction.
   */
  readonly writerOn: (sql: SqlClient.SqlClient) => (event: OutboxEvent, modelVersion: ModelVersion.ModelVersion) => Effect.Effect<void, SqlError>
  /** Tells the dispatchers of this process that rows may be due. */
  readonly wake: () => void
  /** Registers a dispatcher's wake-up; returns its removal. */
  readonly onWake: (listener: () => void) => () => void
}

/**
 * Rows per INSERT: 11 values each, well under SQLite's 32766 bound values per statement (and PostgreSQL's 65535);
 * a file with thousands of subscriptions made one INSERT of them all fail every write.
 */
const ROWS_PER_INSERT = 1000

/** A delivery's row of `webhook_deliveries`, its columns in the order of {@link insertOne}'s placeholders. */
const rowOf = (subscription: string, event: OutboxEvent, modelVersionId: string, payload: string) => ({
  id: `msg_${randomUUID()}`,
  subscription,
  event_id: event.id,
  event_type: event.type,
  model_version_id: modelVersionId,
  payload,
  status: "pending",
  attempts: 0,
  next_attempt_at: event.at,
  created_at: event.at,
  updated_at: event.at
})

/**
 * The one-row INSERT (an event wanted by one subscription: the common case) compiled once per client: inside the
 * write's transaction it runs on the transaction's connection without a `sql` template's per-statement work.
 */
const insertOne = (sql: SqlClient.SqlClient) =>
  prepared(sql, sql`INSERT INTO webhook_deliveries
    (id, subscription, event_id, event_type, model_version_id, payload, status, attempts, next_attempt_at, created_at, updated_at)
    VALUES (${""}, ${""}, ${""}, ${""}, ${""}, ${""}, ${""}, ${0}, ${""}, ${""}, ${""})`)

export const makeOutbox = (config: Config): Outbox => {
  const listeners = new Set<() => void>()
  const wake = () => {
    for (const listener of listeners) listener()
  }
  return {
    config,
    wake,
    onWake: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    writerOn: (sql) => {
      const insert = insertOne(sql)
      return (event, modelVersion) =>
        Effect.suspend(() => {
          const wanted = config.subscriptions.filter((s) => s.wants(event.type, modelVersion.manifest.ml_repo))
          if (wanted.length === 0) return Effect.void
          const payload = payloadOf(event, modelVersion)
          if (wanted.length === 1) {
            return Effect.asVoid(insert(Object.values(rowOf(wanted[0]!.name, event, modelVersion.id, payload))))
          }
          return Effect.forEach(Arr.chunksOf(wanted, ROWS_PER_INSERT), (chunk) =>
            sql`INSERT INTO webhook_deliveries ${
              sql.insert(chunk.map((subscription) => rowOf(subscription.name, event, modelVersion.id, payload)))
            }`, { discard: true })
        })
    }
  }
}
