/**
 * The dispatcher: claims due deliveries, posts each with the Standard Webhooks headers (signed by the
 * `standardwebhooks` package), and records the outcome — delivered on a 2xx, else retried with exponential backoff
 * and jitter until the attempt limit, then failed. Waits for a wake-up from this process's outbox or the poll
 * interval when nothing is due (no busy loop); interrupting it hands its claimed rows back.
 * @internal
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Cause, Chunk, Clock, Duration, Effect, type Either, Metric, Option, Redacted, Schedule, Stream } from "effect"
import { Webhook } from "standardwebhooks"
import type { Outbox } from "./outbox.js"
import { type ClaimedRow, makeRows, type Outcome } from "./rows.js"
import { type DeliverySettings, safeUrl, type Subscription } from "./subscriptions.js"

/** `mreg_webhook_deliveries_total{outcome}`: attempts by outcome (`delivered`, `retried`, `failed`). */
export const deliveriesTotal = Metric.counter("mreg_webhook_deliveries_total", {
  description: "webhook delivery attempts by outcome: delivered, retried (will be tried again), failed (retry limit reached)",
  incremental: true
})

/** `mreg_webhook_queue_depth`: deliveries pending or in flight for the configured subscriptions. */
export const queueDepth = Metric.gauge("mreg_webhook_queue_depth", {
  description: "webhook deliveries pending or being delivered, for the subscriptions of this process"
})

const iso = (ms: number) => new Date(ms).toISOString()

/** How long a woken dispatcher waits before claiming, so that one claim takes the deliveries of several writes. */
const GATHER = Duration.millis(100)

/** The delay before retry number `attempt` (1 = after the first failure): exponential from `backoff`, jittered, capped. */
export const retryDelay = (settings: DeliverySettings, attempt: number): Effect.Effect<Duration.Duration> =>
  Effect.map(
    Schedule.run(Schedule.delays(Schedule.jittered(Schedule.exponential(settings.backoff, 2))), 0, Array.from({ length: attempt }, () => undefined)),
    (delays) => Duration.min(Option.getOrElse(Chunk.last(delays), () => settings.backoff), settings.maxBackoff)
  )

interface Target {
  readonly subscription: Subscription
  readonly webhook: Webhook
}

export const makeDispatcher = (outbox: Outbox) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const client = yield* HttpClient.HttpClient
    const rows = makeRows(sql)
    const { settings, subscriptions } = outbox.config
    const targets = new Map<string, Target>(subscriptions.map((subscription) => [
      subscription.name,
      { subscription, webhook: new Webhook(Redacted.value(subscription.secret)) }
    ]))
    const names = [...targets.keys()]
    const now = Effect.map(Clock.currentTimeMillis, iso)
    const storeFailed = (cause: Cause.Cause<unknown>) => Effect.logWarning("webhook dispatcher: the registry store failed; trying again", cause)
    const count = (outcome: string) => Metric.increment(Metric.tagged(deliveriesTotal, "outcome", outcome))

    /** One POST: its status code, or why there is none. The body is drained unread (never logged or stored). */
    const post = (target: Target, row: ClaimedRow) =>
      Effect.gen(function*() {
        const at = new Date(yield* Clock.currentTimeMillis)
        const request = HttpClientRequest.post(target.subscription.url).pipe(
          HttpClientRequest.setHeaders({
            "webhook-id": row.id,
            "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
            "webhook-signature": target.webhook.sign(row.id, at, row.payload),
            "user-agent": "mreg-webhooks"
          }),
          HttpClientRequest.bodyText(row.payload, "application/json")
        )
        return yield* client.execute(request).pipe(
          Effect.flatMap((response) => Effect.as(Stream.runDrain(response.stream).pipe(Effect.ignore), response.status)),
          Effect.timeoutFail({ duration: settings.timeout, onTimeout: () => `no answer within ${Duration.toMillis(settings.timeout)} ms` }),
          Effect.mapError((error) => (typeof error === "string" ? error : `request failed (${error.reason})`)),
          Effect.either
        )
      })

    const outcomeOf = (row: ClaimedRow, answer: Either.Either<number, string>) =>
      Effect.gen(function*() {
        if (answer._tag === "Right" && answer.right >= 200 && answer.right < 300) {
          return { _tag: "delivered", statusCode: answer.right } satisfies Outcome
        }
        const statusCode = answer._tag === "Right" ? answer.right : null
        const error = answer._tag === "Right" ? `HTTP ${answer.right}` : answer.left
        if (row.attempts >= settings.maxAttempts) return { _tag: "failed", statusCode, error } satisfies Outcome
        const delay = yield* retryDelay(settings, row.attempts)
        return { _tag: "retry", statusCode, error, at: iso((yield* Clock.currentTimeMillis) + Duration.toMillis(delay)) } satisfies Outcome
      })

    /** One attempt: its outcome, counted and (unless delivered) logged; recorded by the cycle. */
    const attempt = (row: ClaimedRow) =>
      Effect.gen(function*() {
        const target = targets.get(row.subscription)!
        const outcome = yield* outcomeOf(row, yield* post(target, row))
        yield* count(outcome._tag === "retry" ? "retried" : outcome._tag)
        if (outcome._tag !== "delivered") {
          yield* Effect.logWarning(outcome._tag === "failed" ? "webhook delivery failed" : "webhook delivery will be retried").pipe(
            Effect.annotateLogs({
              webhook_id: row.id,
              subscription: row.subscription,
              url: safeUrl(target.subscription.url),
              attempts: row.attempts,
              error: outcome.error,
              next_attempt_at: outcome._tag === "retry" ? outcome.at : null
            })
          )
        }
        return outcome
      })

    /**
     * Records the outcomes of a claim in one transaction (one commit, not one per delivery), then hands back the rows
     * without one (interrupted at shutdown): due again at once, for this or another process.
     */
    const record = (token: string, claimed: number, done: ReadonlyArray<readonly [ClaimedRow, Outcome]>) =>
      Effect.gen(function*() {
        const at = yield* now
        if (done.length > 0) yield* sql.withTransaction(Effect.forEach(done, ([row, outcome]) => rows.finish(row.id, token, outcome, at)))
        if (done.length < claimed) yield* rows.release(token, at)
      }).pipe(Effect.catchAllCause(storeFailed))

    // The queue depth is counted at most once per poll interval (a COUNT per cycle would double the store's work).
    let depthAt = 0
    const cycle = Effect.gen(function*() {
      const at = yield* Clock.currentTimeMillis
      const { rows: claimed, token } = yield* rows.claim(names, iso(at), iso(at + Duration.toMillis(settings.lease)), settings.batch)
      const done: Array<readonly [ClaimedRow, Outcome]> = []
      yield* Effect.forEach(claimed, (row) => Effect.map(attempt(row), (outcome) => done.push([row, outcome])), { concurrency: 16, discard: true })
        .pipe(Effect.ensuring(record(token, claimed.length, done)))
      if (claimed.length === 0 || at - depthAt >= Duration.toMillis(settings.poll)) {
        depthAt = at
        yield* Metric.set(queueDepth, yield* rows.depth(names))
      }
      return claimed.length
    })

    const latch = yield* Effect.makeLatch(false)
    const off = outbox.onWake(() => latch.unsafeOpen())
    yield* Effect.addFinalizer(() => Effect.sync(off))
    // Woken by a write: a moment more gathers the deliveries of the writes committing meanwhile into one claim.
    const idle = Effect.raceFirst(Effect.sleep(settings.poll), Effect.zipRight(latch.await, Effect.sleep(GATHER)))

    if (sql.onDialectOrElse({ sqlite: () => true, orElse: () => false })) {
      yield* Effect.flatMap(now, rows.releaseAll).pipe(Effect.catchAllCause(storeFailed))
    }
    return yield* Effect.forever(
      Effect.gen(function*() {
        latch.unsafeClose()
        const claimed = yield* cycle.pipe(
          Effect.catchAllCause((cause) =>
            Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.as(storeFailed(cause), 0)
          )
        )
        if (claimed === 0) yield* idle
      })
    )
  })
