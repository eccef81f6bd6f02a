/**
 * The SQL of the webhook deliveries: queue the rows of events written on SQLite, claim due rows (the first open row
 * of each subscription and model version only, so events of a version go out in order; `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL so several dispatchers share the work), record an attempt's outcome under the claim's lease token, list
 * and re-queue rows.
 * @internal
 */
import { type SqlClient, SqlSchema, type Statement } from "@effect/sql"
import { Effect, Schema } from "effect"
import { randomUUID } from "node:crypto"

/** `seq`: a number on SQLite, a string on PostgreSQL (`BIGINT`). */
const Seq = Schema.Union(Schema.Number, Schema.NumberFromString)

/** A claimed row: what one attempt needs (`payload` from its event's history row). */
export const ClaimedRow = Schema.Struct({
  seq: Seq,
  id: Schema.String,
  subscription: Schema.String,
  event_type: Schema.String,
  payload: Schema.String,
  attempts: Schema.Number
})
export type ClaimedRow = typeof ClaimedRow.Type

/** A delivery as `GET /webhooks/deliveries` lists it. */
export const DeliveryRow = Schema.Struct({
  id: Schema.String,
  subscription: Schema.String,
  event_id: Schema.String,
  event_type: Schema.String,
  model_version_id: Schema.String,
  status: Schema.Literal("pending", "delivering", "delivered", "failed"),
  attempts: Schema.Number,
  last_status_code: Schema.NullOr(Schema.Number),
  last_error: Schema.NullOr(Schema.String),
  next_attempt_at: Schema.NullOr(Schema.String),
  created_at: Schema.String,
  updated_at: Schema.String
})
export type DeliveryRow = typeof DeliveryRow.Type

/**
 * The outcome of one attempt: delivered, to be retried at `at`, or failed for good; or `released`: not attempted
 * (its lease could pass before the attempt ends), due again at once.
 */
export type Outcome =
  | { readonly _tag: "released" }
  | { readonly _tag: "delivered"; readonly statusCode: number }
  | { readonly _tag: "retry"; readonly statusCode: number | null; readonly error: string; readonly at: string }
  | { readonly _tag: "failed"; readonly statusCode: number | null; readonly error: string }

/**
 * A delivery's `webhook-id` as SQL: the `msg_<uuid>` of a row written before migration 0005, else
 * `msg_<seq>_<event id>` (unique: the event id is a random UUID; stable: neither part changes).
 */
const ID = "COALESCE(legacy_id, 'msg_' || seq || '_' || event_id)"

/**
 * The row a `webhook-id` names: `msg_<seq>_<event id>` with `seq` as SQL writes it (no leading zero: `msg_01_…` is
 * not the id of row 1), or a row written before migration 0005 (`legacy_id`).
 */
const DERIVED_ID = /^msg_([1-9]\d{0,14})_(.+)$/

/**
 * SQLite: events queued per dispatcher cycle at most (`queueWritten`): a backlog (the proxy stopped while writes went
 * on elsewhere) goes out over several cycles instead of one long transaction holding the file's write lock.
 */
const QUEUE_EVENTS = 1000

/**
 * SQLite: delivery rows queued per dispatcher cycle, about (`queueWritten` stops before the event that starts past
 * it): with many subscriptions, a backlog's cycle would otherwise insert 1,000 events' rows times the subscriptions
 * while it holds the file's write lock on the request thread.
 */
const QUEUE_ROWS = 5000

/**
 * Whether the deliveries of a write on `sql` are queued by the dispatcher from the event's row (SQLite, migration
 * 0006: one writer at a time, so events commit in `seq` order and a cursor over them misses none) rather than
 * written by the write itself (PostgreSQL, whose events commit out of `seq` order).
 */
export const queuedByDispatcher = (sql: SqlClient.SqlClient): boolean =>
  sql.onDialectOrElse({ sqlite: () => true, orElse: () => false })

export const makeRows = (sql: SqlClient.SqlClient) => {
  const id = sql.unsafe(ID)
  const byId = (value: string) => {
    const derived = DERIVED_ID.exec(value)
    return derived === null
      ? sql`legacy_id = ${value}`
      : sql`((seq = ${Number(derived[1])} AND legacy_id IS NULL AND event_id = ${derived[2]!}) OR legacy_id = ${value})`
  }
  /** Due rows of `subscriptions` whose version has no earlier open row (events of a version go out in order). */
  const due = (subscriptions: ReadonlyArray<string>, now: string) =>
    sql`d.status IN ('pending', 'delivering') AND ${sql.in("d.subscription", subscriptions)}
      AND ((d.status = 'pending' AND d.next_attempt_at <= ${now}) OR (d.status = 'delivering' AND d.lease_until <= ${now}))
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
        WHERE e.subscription = d.subscription AND e.model_version_id = d.model_version_id AND e.seq < d.seq
          AND e.status IN ('pending', 'delivering'))`

  /**
   * A list of seqs as one bound value (a JSON array), so that a statement's text is the same whatever the number of
   * rows: one prepared statement, not one per batch size crowding the registry's out of the driver's cache.
   */
  const listed = (values: ReadonlyArray<number>) =>
    sql.onDialectOrElse({
      pg: () => sql`SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)::bigint`,
      orElse: () => sql`SELECT value FROM json_each(${JSON.stringify(values)})`
    })

  const claimed = (token: string, now: string, leaseUntil: string, which: Statement.Fragment) =>
    SqlSchema.findAll({
      Request: Schema.Void,
      Result: ClaimedRow,
      execute: () =>
        sql`UPDATE webhook_deliveries SET status = 'delivering', attempts = attempts + 1, lease_token = ${token},
          lease_until = ${leaseUntil}, updated_at = ${now}
          WHERE ${which} RETURNING seq, ${id} AS id, subscription, event_type, attempts,
            (SELECT e.webhook_payload FROM model_version_events e WHERE e.id = webhook_deliveries.event_id) AS payload`
    })(undefined)

  /**
   * Claims up to `limit` due rows of `subscriptions` for `leaseUntil`; counts the attempt. One statement on both
   * dialects; on PostgreSQL the search takes `FOR UPDATE SKIP LOCKED` (several dispatchers share the rows). On SQLite
   * the statement holds the file's write lock from its start (another process's claim waits), so its search and its
   * update see the same rows; one statement costs less than a search, then an update by `seq` that checked the search
   * again (measured with bench/webhook-cpu.mjs: ≈ 15% less CPU for the cycles).
   */
  const claim = (subscriptions: ReadonlyArray<string>, now: string, leaseUntil: string, limit: number) => {
    const token = randomUUID()
    const search = sql`SELECT d.seq FROM webhook_deliveries d WHERE ${due(subscriptions, now)} ORDER BY d.seq LIMIT ${limit}`
    const locked = sql.onDialectOrElse({ pg: () => sql.unsafe("FOR UPDATE SKIP LOCKED"), orElse: () => sql.unsafe("") })
    return Effect.map(claimed(token, now, leaseUntil, sql`seq IN (${search} ${locked})`), (rows) => ({ token, rows }))
  }

  /**
   * SQLite: queues the deliveries of the events written since the last call (past `webhook_queue_cursor`) — a
   * `pending` row per subscription its row lists (`webhook_subscriptions`), due at the event's time, in event order
   * (so a version's deliveries keep the order of its events) — and moves the cursor past them; at most
   * `QUEUE_EVENTS` events that want deliveries and about `QUEUE_ROWS` rows per call (a backlog is queued over several
   * cycles). Run it inside a write transaction: rows and cursor commit together, so an event is queued exactly once
   * (migration 0006).
   */
  const queueWritten = Effect.flatMap(
    sql<{ readonly cursor: number; readonly latest: number | null }>`SELECT event_seq AS cursor,
      (SELECT MAX(seq) FROM model_version_events) AS latest FROM webhook_queue_cursor`,
    ([position]) => {
      if (position === undefined || position.latest === null || position.latest <= position.cursor) return Effect.void
      const { cursor, latest } = position
      return Effect.flatMap(
        // The events to queue: the first `QUEUE_EVENTS` past the cursor that want deliveries, as long as the rows
        // of those before each stay under `QUEUE_ROWS` (the first event is always taken, whatever its rows).
        sql<{ readonly candidates: number; readonly n: number | null; readonly last: number | null }>`SELECT
            COUNT(*) AS candidates, SUM(before < ${QUEUE_ROWS}) AS n, MAX(CASE WHEN before < ${QUEUE_ROWS} THEN seq END) AS last
          FROM (SELECT seq, SUM(json_array_length(webhook_subscriptions)) OVER (ORDER BY seq ROWS UNBOUNDED PRECEDING)
              - json_array_length(webhook_subscriptions) AS before
            FROM model_version_events WHERE seq > ${cursor} AND webhook_subscriptions IS NOT NULL
            ORDER BY seq LIMIT ${QUEUE_EVENTS})`,
        ([taken]) => {
          // Every event up to the latest was looked at and taken: the cursor passes the ones nobody wanted too.
          const all = taken === undefined || (taken.n === taken.candidates && taken.candidates < QUEUE_EVENTS)
          const upTo = all || taken.last === null ? latest : taken.last
          const advance = sql`UPDATE webhook_queue_cursor SET event_seq = ${upTo}`
          return taken === undefined || !taken.n ? Effect.asVoid(advance) : Effect.zipRight(
            sql`INSERT INTO webhook_deliveries (subscription, event_id, event_type, model_version_id, status, attempts,
                next_attempt_at, created_at, updated_at)
              SELECT s.value, e.id, e.type, e.model_version_id, 'pending', 0, e.at, e.at, e.at
              FROM model_version_events e, json_each(e.webhook_subscriptions) s
              WHERE e.seq > ${cursor} AND e.seq <= ${upTo} AND e.webhook_subscriptions IS NOT NULL
              ORDER BY e.seq, s.key`,
            advance
          )
        }
      )
    }
  )

  /** The update that records `outcome` (its own values: a retry's time and error, a status code). */
  const outcomeSet = (outcome: Outcome, now: string) => {
    switch (outcome._tag) {
      case "released":
        return sql`status = 'pending', attempts = attempts - 1, next_attempt_at = ${now}, lease_token = NULL, lease_until = NULL`
      case "delivered":
        return sql`status = 'delivered', last_status_code = ${outcome.statusCode}, last_error = NULL, lease_token = NULL,
          lease_until = NULL, updated_at = ${now}`
      case "retry":
        return sql`status = 'pending', last_status_code = ${outcome.statusCode}, last_error = ${outcome.error},
          next_attempt_at = ${outcome.at}, lease_token = NULL, lease_until = NULL, updated_at = ${now}`
      case "failed":
        return sql`status = 'failed', last_status_code = ${outcome.statusCode}, last_error = ${outcome.error},
          lease_token = NULL, lease_until = NULL, updated_at = ${now}`
    }
  }

  /**
   * Records attempts' outcomes, each only if its claim's `token` still holds the row (its lease did not pass to
   * another). Outcomes that set the same values (the deliveries of a claim answered with the same status code, the
   * rows handed back) are recorded by one statement; a retry or failure (its own error and time) by its own.
   */
  const finish = (finished: ReadonlyArray<{ readonly seq: number; readonly token: string; readonly outcome: Outcome }>, now: string) => {
    const groups = new Map<string, { token: string; outcome: Outcome; seqs: Array<number> }>()
    for (const { outcome, seq, token } of finished) {
      const key = outcome._tag === "delivered"
        ? `${token} delivered ${outcome.statusCode}`
        : outcome._tag === "released" ? `${token} released` : `${seq} ${token}`
      const group = groups.get(key)
      if (group === undefined) groups.set(key, { token, outcome, seqs: [seq] })
      else group.seqs.push(seq)
    }
    return Effect.forEach(groups.values(), ({ outcome, seqs, token }) =>
      sql`UPDATE webhook_deliveries SET ${outcomeSet(outcome, now)} WHERE lease_token = ${token} AND ${
        seqs.length === 1 ? sql`seq = ${seqs[0]}` : sql`seq IN (${listed(seqs)})`
      }`, { discard: true })
  }

  /** Hands back the rows of claim `token` still in flight (the process stops): due again at once. */
  const release = (token: string, now: string) =>
    sql`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ${now}, lease_token = NULL, lease_until = NULL
      WHERE lease_token = ${token} AND status = 'delivering'`

  /** SQLite (one process): rows a killed process left `delivering` are due again at once. */
  const releaseAll = (now: string) =>
    sql`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ${now}, lease_token = NULL, lease_until = NULL
      WHERE status = 'delivering'`

  /** Deliveries pending or in flight for `subscriptions`; on SQLite with those of events not queued yet. */
  const depth = (subscriptions: ReadonlyArray<string>) =>
    Effect.map(
      (SqlSchema.findOne({
        Request: Schema.Void,
        Result: Schema.Struct({ n: Schema.Union(Schema.Number, Schema.NumberFromString) }),
        execute: () => {
          const open = sql`SELECT COUNT(*) FROM webhook_deliveries
            WHERE ${sql.in("subscription", subscriptions)} AND status IN ('pending', 'delivering')`
          return sql.onDialectOrElse({
            sqlite: () =>
              sql`SELECT (${open}) + (SELECT COUNT(*) FROM model_version_events e, json_each(e.webhook_subscriptions) s
                WHERE e.seq > (SELECT event_seq FROM webhook_queue_cursor) AND e.webhook_subscriptions IS NOT NULL
                  AND ${sql.in("s.value", subscriptions)}) AS n`,
            orElse: () => sql`SELECT (${open}) AS n`
          })
        }
      })(undefined)),
      (row) => (row._tag === "Some" ? row.value.n : 0)
    )

  const list = (limit: number, status: string | undefined, subscription: string | undefined) => {
    const where = [
      ...(status === undefined ? [] : [sql`status = ${status}`]),
      ...(subscription === undefined ? [] : [sql`subscription = ${subscription}`])
    ]
    return SqlSchema.findAll({
      Request: Schema.Void,
      Result: DeliveryRow,
      execute: () =>
        sql`SELECT ${id} AS id, subscription, event_id, event_type, model_version_id, status, attempts, last_status_code,
          last_error, CASE WHEN status = 'pending' THEN next_attempt_at ELSE NULL END AS next_attempt_at, created_at, updated_at
          FROM webhook_deliveries ${where.length === 0 ? sql.unsafe("") : sql`WHERE ${sql.and(where)}`}
          ORDER BY seq DESC LIMIT ${limit}`
    })(undefined)
  }

  const find = (webhookId: string) =>
    SqlSchema.findOne({
      Request: Schema.Void,
      Result: Schema.Struct({ status: Schema.String }),
      execute: () => sql`SELECT status FROM webhook_deliveries WHERE ${byId(webhookId)}`
    })(undefined)

  /** Re-queues a delivered or failed row: pending, due now, attempts from 0. */
  const requeue = (webhookId: string, now: string) =>
    sql`UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ${now}, last_error = NULL,
      updated_at = ${now} WHERE ${byId(webhookId)} AND status IN ('delivered', 'failed') RETURNING seq`

  return { queueWritten, claim, finish, release, releaseAll, depth, list, find, requeue }
}

export type Rows = ReturnType<typeof makeRows>
