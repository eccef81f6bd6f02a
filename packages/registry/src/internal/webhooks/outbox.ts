/**
 * The outbox: the deliveries of an event, one narrow row per subscription that wants it. The event's payload is
 * written once, with the event's history row (`model_version_events.webhook_payload`), in the transaction of the
 * change (so a change and its deliveries commit or roll back together). On PostgreSQL the delivery rows are written
 * there too; on SQLite the event row lists the subscriptions that want it (`webhook_subscriptions`) and the
 * dispatcher's next cycle queues the rows (`rows.ts`, `queueWritten`). A delivery's `webhook-id` is derived from its
 * row (`msg_<seq>_<event id>`). `wake`, called after a write commits, lets a dispatcher in this
 * process look at once instead of at its next poll.
 * @internal
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { ModelVersion } from "@mreg/core"
import { Array as Arr, Effect } from "effect"
import { insertOne, type InsertRow } from "../sql/prepared.js"
import { queuedByDispatcher } from "./rows.js"
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

/** What the events module needs to write an event's deliveries on one client. */
export interface Writer {
  /** The names of the subscriptions that want an event of `type` on the ML repo named `mlRepo` (often none). */
  readonly wanted: (type: string, mlRepo: string) => ReadonlyArray<string>
  /**
   * The event's `webhook_subscriptions` column: on SQLite the names of `subscriptions` as a JSON array, from which the
   * dispatcher's next cycle queues the delivery rows (migration 0006); `null` on PostgreSQL, or when none wants it.
   */
  readonly listed: (subscriptions: ReadonlyArray<string>) => string | null
  /**
   * PostgreSQL: inserts the deliveries of `event` (on the model version `modelVersionId`) to `subscriptions`, inside
   * the caller's transaction, after the event's history row (which holds the payload). Nothing on SQLite (`listed`).
   */
  readonly enqueue: (event: OutboxEvent, modelVersionId: string, subscriptions: ReadonlyArray<string>) => Effect.Effect<void, SqlError>
}

export interface Outbox {
  readonly config: Config
  /** The writer of the outbox on `sql` (its statement compiled once). */
  readonly writerOn: (sql: SqlClient.SqlClient) => Writer
  /** Tells the dispatchers of this process that rows may be due. */
  readonly wake: () => void
  /** Registers a dispatcher's wake-up; returns its removal. */
  readonly onWake: (listener: () => void) => () => void
}

/**
 * Rows per INSERT: 8 values each, well under SQLite's 32766 bound values per statement (and PostgreSQL's 65535);
 * a file with thousands of subscriptions made one INSERT of them all fail every write.
 */
const ROWS_PER_INSERT = 1000

/** The columns a delivery writes to `webhook_deliveries`: the one list of both the SQL and the values bound. */
const DELIVERY_COLUMNS = [
  "subscription",
  "event_id",
  "event_type",
  "model_version_id",
  "status",
  "attempts",
  "next_attempt_at",
  "created_at",
  "updated_at"
] as const

/** A delivery's row of `webhook_deliveries`. */
const rowOf = (subscription: string, event: OutboxEvent, modelVersionId: string): InsertRow<typeof DELIVERY_COLUMNS> => ({
  subscription,
  event_id: event.id,
  event_type: event.type,
  model_version_id: modelVersionId,
  status: "pending",
  attempts: 0,
  next_attempt_at: event.at,
  created_at: event.at,
  updated_at: event.at
})

export const makeOutbox = (config: Config): Outbox => {
  const listeners = new Set<() => void>()
  const wake = () => {
    for (const listener of listeners) listener()
  }
  const none: ReadonlyArray<string> = []
  return {
    config,
    wake,
    onWake: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    writerOn: (sql) => {
      const wanted = (type: string, mlRepo: string) => {
        let names: Array<string> | undefined
        for (const subscription of config.subscriptions) {
          if (subscription.wants(type, mlRepo)) (names ??= []).push(subscription.name)
        }
        return names ?? none
      }
      if (queuedByDispatcher(sql)) {
        return {
          wanted,
          listed: (subscriptions) => (subscriptions.length === 0 ? null : JSON.stringify(subscriptions)),
          enqueue: () => Effect.void
        }
      }
      // The one-row INSERT (an event wanted by one subscription: the common case), compiled once per client.
      const insert = insertOne(sql, "webhook_deliveries", DELIVERY_COLUMNS)
      return {
        wanted,
        listed: () => null,
        enqueue: (event, modelVersionId, subscriptions) =>
          subscriptions.length === 1
            ? Effect.asVoid(insert(rowOf(subscriptions[0]!, event, modelVersionId)))
            : Effect.forEach(Arr.chunksOf(subscriptions, ROWS_PER_INSERT), (chunk) =>
              sql`INSERT INTO webhook_deliveries ${sql.insert(chunk.map((name) => rowOf(name, event, modelVersionId)))}`, { discard: true })
      }
    }
  }
}
