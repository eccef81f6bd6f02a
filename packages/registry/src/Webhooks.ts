/**
 * Webhooks of the embedded registry (README, "Webhooks"; `docs/webhooks.md`): subscriptions from a webhooks file,
 * an outbox written in the transaction of each change, and a dispatcher that delivers every event at least once, in
 * order per model version and subscription, with Standard Webhooks signatures.
 *
 * - {@link decode} validates a parsed webhooks file; {@link makeOutbox} turns it into the `webhooks` option of
 *   `ModelVersionsSql.layer*` (the registry then writes one delivery row per event and matching subscription).
 * - {@link layerDispatcherWorker} runs the dispatcher in a worker thread with its own connections to the store (what
 *   `mreg-proxy` does: deliveries never take time from the requests); {@link layerDispatcher} runs it in the
 *   caller's fibers on the same `SqlClient` with an `HttpClient` (an in-memory SQLite registry, tests).
 * - {@link deliveries} lists recent deliveries; {@link replay} re-queues one.
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { type ModelVersion, Validation } from "@mreg/core"
import { Data, Effect, type Either, Layer, Metric, Option, type ParseResult, Redacted, type Scope } from "effect"
import { Migrations } from "./ModelVersionsSql.js"
import {
  countAttempts,
  deliveriesTotal as deliveriesTotalMetric,
  httpClientPost,
  makeDispatcher,
  queueDepth as queueDepthMetric
} from "./internal/webhooks/dispatcher.js"
import { makeOutbox as makeOutboxInternal, type Outbox as OutboxInternal, payloadOf as payloadOfInternal } from "./internal/webhooks/outbox.js"
import { type DeliveryRow, makeRows } from "./internal/webhooks/rows.js"
import * as Subscriptions from "./internal/webhooks/subscriptions.js"
import { queueWritten, sqlQueue } from "./internal/webhooks/queue.js"
import { runInWorker } from "./internal/webhooks/workerHost.js"
import { storable } from "./internal/sql/queries.js"
import { storeError, type StoreFailure } from "./internal/sql/store.js"

/**
 * A subscription: `name` (unique, lowercase letters, digits, "-"), receiver `url` (http or https), the `events`
 * it wants, an optional ML repo pattern (`*` any run of characters) and its `secret` (`whsec_…`, Redacted).
 * @since 0.2.0
 * @category models
 */
export type Subscription = Subscriptions.Subscription

/**
 * Delivery settings (file key `delivery`): `timeout` of one attempt (default 10 s), `maxAttempts` (8), first retry
 * `backoff` (1 s, doubling, jittered) capped at `maxBackoff` (1 h), `poll` interval (1 s), claim `lease` (60 s,
 * longer than `timeout`), `batch` size (128).
 * @since 0.2.0
 * @category models
 */
export type DeliverySettings = Subscriptions.DeliverySettings

/** A validated webhooks file: its subscriptions and delivery settings. @since 0.2.0 @category models */
export type Config = Subscriptions.Config

/** The event types a subscription can ask for. @since 0.2.0 @category models */
export type EventType = Subscriptions.EventType

/** The default delivery settings. @since 0.2.0 @category constants */
export const DEFAULT_SETTINGS: DeliverySettings = Subscriptions.DEFAULT_SETTINGS

/**
 * A webhooks file that is not valid; `message` names the file, each entry (index and name), field, rule and the value
 * received — never a secret.
 * @since 0.2.0
 * @category errors
 */
export { WebhooksFileError } from "./internal/webhooks/subscriptions.js"

/**
 * Validates a parsed webhooks file (`{subscriptions: [...], delivery?: {...}}`, unknown keys refused); `source`
 * names it in messages ("the webhooks file /etc/mreg/webhooks.yaml").
 * @since 0.2.0
 * @category constructors
 */
export const decode = (value: unknown, source: string): Either.Either<Config, Subscriptions.WebhooksFileError> => Subscriptions.fromValue(value, source)

/**
 * A receiver URL as logs and listings show it: scheme, host, port and path (no user info, query or fragment).
 * @since 0.2.0
 * @category utils
 */
export const safeUrl: (url: string) => string = Subscriptions.safeUrl

/**
 * The outbox of a configuration: give it to `ModelVersionsSql.layer*` as `webhooks` and to {@link layerDispatcher}.
 * @since 0.2.0
 * @category models
 */
export type Outbox = OutboxInternal

/** The outbox of a validated configuration. @since 0.2.0 @category constructors */
export const makeOutbox: (config: Config) => Outbox = makeOutboxInternal

/**
 * The body POSTed for an event: `{"type": "model_version.<event type>", "timestamp": <event at>, "data": {"event",
 * "model_version"}}` as JSON text.
 * @since 0.2.0
 * @category utils
 */
export const payloadOf: (event: { readonly id: string; readonly type: string; readonly at: string }, modelVersion: ModelVersion.ModelVersion) => string =
  payloadOfInternal

/** `mreg_webhook_deliveries_total{outcome}` (delivered, retried, failed): delivery attempts. @since 0.2.0 @category metrics */
export const deliveriesTotal = deliveriesTotalMetric

/** `mreg_webhook_queue_depth`: deliveries pending or in flight for this process's subscriptions. @since 0.2.0 @category metrics */
export const queueDepth = queueDepthMetric

/**
 * Runs the dispatcher in the caller's fibers until interrupted (then its claimed rows are handed back), posting
 * through the `HttpClient` in context. On SQLite (one process) rows a killed process left in flight are due again at
 * start; on PostgreSQL they are due when their lease passes. Store failures are logged and retried at the next poll;
 * it never fails.
 * @since 0.2.0
 * @category running
 */
export const dispatcher = (outbox: Outbox): Effect.Effect<never, never, SqlClient.SqlClient | HttpClient.HttpClient | Scope.Scope> =>
  Effect.flatMap(Effect.zip(httpClientPost, SqlClient.SqlClient), ([post, sql]) =>
    makeDispatcher(outbox.config, {
      post,
      counted: countAttempts,
      depth: (n) => Metric.set(queueDepthMetric, n),
      onWake: outbox.onWake,
      claiming: () => undefined
    }, sqlQueue(sql))).pipe(Effect.annotateLogs({ component: "webhooks" }))

/**
 * The dispatcher as a layer: forked when the layer is built, interrupted when its scope closes.
 * @since 0.2.0
 * @category layers
 */
export const layerDispatcher = (outbox: Outbox): Layer.Layer<never, never, SqlClient.SqlClient | HttpClient.HttpClient> =>
  Layer.scopedDiscard(Effect.forkScoped(dispatcher(outbox)))

/**
 * The registry's store as a worker-thread dispatcher uses it: SQLite through the `SqlClient` of the layer (the
 * registry's own connection: one write per dispatcher cycle; a second connection writing the file would make the
 * registry's writes start again whenever the two met), or PostgreSQL at `url` with the worker's own pool.
 * @since 0.2.0
 * @category models
 */
export type Store =
  | { readonly _tag: "Sqlite" }
  | { readonly _tag: "Pg"; readonly url: Redacted.Redacted<string> }

/**
 * The dispatcher in a `node:worker_threads` worker, for the layer's lifetime: the worker has its own Effect runtime
 * and its own HTTP client (undici, keep-alive), and on PostgreSQL its own small pool, so neither the deliveries' work
 * nor a slow or hostile receiver takes time from the calling thread. That thread only wakes the worker after a write
 * commits (at most one wake-up pending), runs the worker's one store write per cycle on SQLite, records the worker's
 * counts in {@link deliveriesTotal} and {@link queueDepth}, and logs its log entries with its own logger (annotation
 * `component: "webhooks"`). A worker that stops on its own is logged and started again (after 1 s, doubling up to
 * 1 min); when the layer's scope closes the worker hands back its claimed rows and exits (after 5 s it is
 * terminated). Needs the migrated store (`SqlClient`, `Migrations`).
 * @since 0.2.0
 * @category layers
 */
export const layerDispatcherWorker = (outbox: Outbox, store: Store): Layer.Layer<never, never, SqlClient.SqlClient | Migrations> =>
  Layer.scopedDiscard(Effect.zipRight(Migrations, Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forkScoped(
      store._tag === "Sqlite"
        ? runInWorker(outbox, { _tag: "Main" }, sql)
        : runInWorker(outbox, { _tag: "Pg", url: Redacted.value(store.url) }, undefined)
    ))))

/**
 * A delivery: `id` (the `webhook-id`, stable across attempts), `subscription`, the event's `event_id`,
 * `event_type` and `model_version_id`, `status` (`pending`, `delivering`, `delivered`, `failed`), `attempts`,
 * `last_status_code` and `last_error` of the last attempt (never the receiver's body), `next_attempt_at` (pending
 * only), `created_at`, `updated_at` (ISO 8601).
 * @since 0.2.0
 * @category models
 */
export type Delivery = DeliveryRow

const fromSql = <A, R>(effect: Effect.Effect<A, SqlError | ParseResult.ParseError, R>): Effect.Effect<A, StoreFailure, R> =>
  Effect.catchAll(effect, (error) =>
    error._tag === "SqlError" ? storeError(error) : Effect.die(error))

/**
 * The most recent deliveries first: up to `limit` (1-500), only those in `status` and of `subscription` when given
 * (none for a name holding a NUL character). On SQLite the deliveries of events written since the dispatcher's last
 * cycle are queued first (one short write, run again while another writer holds the file), so a
 * write's deliveries are listed as soon as it returns. Fails with a store error.
 * @since 0.2.0
 * @category queries
 */
export const deliveries = (options: {
  readonly limit: number
  readonly status?: Delivery["status"] | undefined
  readonly subscription?: string | undefined
}): Effect.Effect<ReadonlyArray<Delivery>, StoreFailure, SqlClient.SqlClient> =>
  // A name holding a NUL character names none, and is not looked for (PostgreSQL's text cannot hold it).
  options.subscription === undefined || storable(options.subscription)
    ? Effect.flatMap(SqlClient.SqlClient, (sql) =>
      fromSql(Effect.zipRight(queueWritten(sql), makeRows(sql).list(options.limit, options.status, options.subscription))))
    : Effect.succeed([])

/** A delivery that cannot be re-queued: unknown id, or still pending or in flight. @since 0.2.0 @category errors */
export class ReplayError extends Data.TaggedError("ReplayError")<{ readonly message: string }> {}

/**
 * Re-queues a delivered or failed delivery: pending, due now, attempts counted from 0, same `webhook-id`. Fails with
 * `ReplayError` for an unknown id (an id holding a NUL character is one) or one still pending or in flight.
 * @since 0.2.0
 * @category commands
 */
export const replay = (id: string): Effect.Effect<void, ReplayError | StoreFailure, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = makeRows(sql)
    const now = new Date().toISOString()
    const known = storable(id)
    const requeued = known ? yield* fromSql(rows.requeue(id, now)) : []
    if (requeued.length > 0) return
    const found = known ? yield* fromSql(rows.find(id)) : Option.none()
    return yield* Effect.fail(
      new ReplayError({
        message: Option.match(found, {
          onNone: () => `no webhook delivery has the id ${Validation.receivedValue(id)}`,
          onSome: ({ status }) => `webhook delivery ${id} is ${status}: only a delivered or failed delivery can be replayed`
        })
      })
    )
  })
