/**
 * The dispatcher: claims due deliveries, posts each with the Standard Webhooks headers (signed by the
 * `standardwebhooks` package), and records the outcome — delivered on a 2xx, else retried with exponential backoff
 * and jitter until the attempt limit, then failed. Waits for a wake-up or the poll interval when nothing is due (no
 * busy loop); interrupting it hands its claimed rows back.
 *
 * The loop is the same wherever it runs; {@link Hooks} say how one POST is made and where the outcome counts, the
 * queue depth and the wake-ups come from: in the proxy it runs in a worker thread (`worker.ts`: undici, counts
 * posted to the main thread), as a library in the caller's fibers (`Webhooks.dispatcher`: the platform
 * `HttpClient`, Effect metrics).
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Cause, Chunk, Clock, Duration, Effect, type Either, Metric, Option, Redacted, Schedule, Stream } from "effect"
import { Webhook } from "standardwebhooks"
import type { Claim, Finished, Queue } from "./queue.js"
import type { ClaimedRow, Outcome } from "./rows.js"
import { type Config, type DeliverySettings, safeUrl, type Subscription } from "./subscriptions.js"

/** `mreg_webhook_deliveries_total{outcome}`: attempts by outcome (`delivered`, `retried`, `failed`). */
export const deliveriesTotal = Metric.counter("mreg_webhook_deliveries_total", {
  description: "webhook delivery attempts by outcome: delivered, retried (will be tried again), failed (retry limit reached)",
  incremental: true
})

/** `mreg_webhook_queue_depth`: deliveries pending or in flight for the configured subscriptions. */
export const queueDepth = Metric.gauge("mreg_webhook_queue_depth", {
  description: "webhook deliveries pending or being delivered, for the subscriptions of this process"
})

/** Attempts by outcome, as `mreg_webhook_deliveries_total` counts them. */
export interface Counts {
  readonly delivered: number
  readonly retried: number
  readonly failed: number
}

/** Adds `counts` to `mreg_webhook_deliveries_total`. */
export const countAttempts = (counts: Counts): Effect.Effect<void> =>
  Effect.forEach(["delivered", "retried", "failed"] as const, (outcome) =>
    counts[outcome] === 0 ? Effect.void : Metric.incrementBy(Metric.tagged(deliveriesTotal, "outcome", outcome), counts[outcome]), { discard: true })

/**
 * One POST of `body` (JSON, `Content-Type: application/json`) with `headers` to `url`: its status code, or why there is none (`no answer within N ms`,
 * `request failed (…)` — never the receiver's body, which is drained unread), within `timeout`.
 */
export type Post = (
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  timeout: Duration.Duration
) => Effect.Effect<Either.Either<number, string>>

/** What the loop needs from where it runs. */
export interface Hooks {
  readonly post: Post
  /** The outcomes of attempts just recorded. */
  readonly counted: (counts: Counts) => Effect.Effect<void>
  /** The number of deliveries pending or in flight (counted at most once per poll interval). */
  readonly depth: (n: number) => Effect.Effect<void>
  /** Registers the wake-up called when rows may be due; returns its removal. */
  readonly onWake: (listener: () => void) => () => void
  /** Called right before each claim: a wake-up from then on is for rows that claim may not see. */
  readonly claiming: () => void
}

/** `Post` through the platform `HttpClient` (Effect's own request and response types). */
export const httpClientPost: Effect.Effect<Post, never, HttpClient.HttpClient> = Effect.map(
  HttpClient.HttpClient,
  (client) => (url, headers, body, timeout) =>
    client.execute(HttpClientRequest.post(url).pipe(HttpClientRequest.setHeaders(headers), HttpClientRequest.bodyText(body, "application/json"))).pipe(
      Effect.flatMap((response) => Effect.as(Stream.runDrain(response.stream).pipe(Effect.ignore), response.status)),
      Effect.timeoutFail({ duration: timeout, onTimeout: () => `no answer within ${Duration.toMillis(timeout)} ms` }),
      Effect.mapError((error) => (typeof error === "string" ? error : `request failed (${error.reason})`)),
      Effect.scoped,
      Effect.either
    )
)

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * How long a woken dispatcher waits before claiming, so that one claim takes the deliveries of several writes; also
 * the shortest time between two claims that were not full (under load the dispatcher writes to the store about 20
 * times a second, not once per delivery).
 */
const GATHER = Duration.millis(100)

/** How often the outcomes of a claim still in progress are recorded (a slow receiver holds back only its own). */
const RECORD_EVERY = Duration.seconds(1)

/** The outcome of a row not attempted. */
const RELEASED: Outcome = { _tag: "released" }

/** Deliveries posted at a time, within a claimed batch. */
const CONCURRENCY = 32

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

export const makeDispatcher = (config: Config, hooks: Hooks, queue: Queue) =>
  Effect.gen(function*() {
    const { settings, subscriptions } = config
    const targets = new Map<string, Target>(subscriptions.map((subscription) => [
      subscription.name,
      { subscription, webhook: new Webhook(Redacted.value(subscription.secret)) }
    ]))
    const names = [...targets.keys()]
    const now = Effect.map(Clock.currentTimeMillis, iso)
    const storeFailed = (cause: Cause.Cause<unknown>) => Effect.logWarning("webhook dispatcher: the registry store failed; trying again", cause)

    const timeoutMs = Duration.toMillis(settings.timeout)
    // Read without an Effect operation per attempt; the fiber's clock (a test's `TestClock` too).
    const clock = yield* Effect.clock

    /** The outcome of an answer that is not a 2xx: retried after a jittered backoff, or failed at the attempt limit. */
    type Missed = Outcome & { readonly _tag: "retry" | "failed" }
    const notDelivered = (row: ClaimedRow, answer: Either.Either<number, string>): Effect.Effect<Missed> => {
      const statusCode = answer._tag === "Right" ? answer.right : null
      const error = answer._tag === "Right" ? `HTTP ${answer.right}` : answer.left
      if (row.attempts >= settings.maxAttempts) return Effect.succeed({ _tag: "failed", statusCode, error } satisfies Outcome)
      return Effect.map(retryDelay(settings, row.attempts), (delay) =>
        ({ _tag: "retry", statusCode, error, at: iso(clock.unsafeCurrentTimeMillis() + Duration.toMillis(delay)) }) satisfies Outcome)
    }

    /** Logs an attempt that did not deliver (never the receiver's URL with its credentials, nor its answer's body). */
    const logged = (row: ClaimedRow, target: Target, outcome: Missed) =>
      Effect.as(
        Effect.logWarning(outcome._tag === "failed" ? "webhook delivery failed" : "webhook delivery will be retried").pipe(
          Effect.annotateLogs({
            webhook_id: row.id,
            subscription: row.subscription,
            url: safeUrl(target.subscription.url),
            attempts: row.attempts,
            error: outcome.error,
            next_attempt_at: outcome._tag === "retry" ? outcome.at : null
          })
        ),
        outcome
      )

    /**
     * One attempt, signed for it: its outcome, logged unless delivered; none when the claim's lease (`leaseEnd`, ms)
     * could pass before the attempt's timeout (the row waited for a free slot too long: another dispatcher may take
     * it, so it is handed back instead of posted twice). Few Effect operations per delivered attempt: the clock read
     * directly, no generator (docs/performance.md "Webhooks, fifth pass").
     */
    const attempt = (row: ClaimedRow, leaseEnd: number): Effect.Effect<Outcome | undefined> =>
      Effect.suspend(() => {
        const ms = clock.unsafeCurrentTimeMillis()
        if (ms + timeoutMs >= leaseEnd) return Effect.succeed(undefined)
        const target = targets.get(row.subscription)!
        return Effect.flatMap(
          hooks.post(target.subscription.url, {
            "webhook-id": row.id,
            "webhook-timestamp": String(Math.floor(ms / 1000)),
            "webhook-signature": target.webhook.sign(row.id, new Date(ms), row.payload),
            "user-agent": "mreg-webhooks"
          }, row.payload, settings.timeout),
          (answer): Effect.Effect<Outcome> =>
            answer._tag === "Right" && answer.right >= 200 && answer.right < 300
              ? Effect.succeed({ _tag: "delivered", statusCode: answer.right })
              : Effect.flatMap(notDelivered(row, answer), (outcome) => logged(row, target, outcome))
        )
      })

    /**
     * Outcomes not yet recorded, with the lease token of their claim. They are recorded when the claim's attempts have
     * all ended, every `RECORD_EVERY` while they run (a slow receiver does not hold back the others' records), in the
     * transaction of the next claim when a record failed, and when the dispatcher stops.
     */
    let unrecorded: Array<Finished> = []
    const counted = (taken: ReadonlyArray<Finished>) => {
      const counts = { delivered: 0, retried: 0, failed: 0 }
      for (const { outcome } of taken) if (outcome._tag !== "released") counts[outcome._tag === "retry" ? "retried" : outcome._tag]++
      return counts.delivered + counts.retried + counts.failed === 0 ? Effect.void : hooks.counted(counts)
    }
    /** One write: the outcomes waiting, then `claim`; on failure the outcomes wait for the next one. */
    const cycleWrite = (claim: Omit<Claim, "now">) =>
      Effect.flatMap(now, (at) => {
        const taken = unrecorded
        unrecorded = []
        return queue.cycle(taken, { ...claim, now: at }).pipe(
          Effect.tapBoth({ onFailure: () => Effect.sync(() => unrecorded.unshift(...taken)), onSuccess: () => counted(taken) })
        )
      })
    const flush = Effect.suspend(() => unrecorded.length === 0 ? Effect.void : Effect.asVoid(cycleWrite({ subscriptions: names, leaseUntil: "", limit: 0 }))).pipe(
      Effect.catchAllCause(storeFailed)
    )

    /** The claim in progress: its lease token, handed back when the dispatcher stops. */
    let inFlight: string | undefined
    yield* Effect.addFinalizer(() =>
      Effect.zipRight(
        flush,
        Effect.suspend(() => inFlight === undefined ? Effect.void : Effect.flatMap(now, (at) => queue.release(inFlight!, at)))
      ).pipe(Effect.catchAllCause(storeFailed))
    )

    // The queue depth is counted at most once per poll interval (a COUNT per cycle would double the store's work).
    let depthAt = 0
    const cycle = Effect.gen(function*() {
      hooks.claiming()
      const at = yield* Clock.currentTimeMillis
      const leaseEnd = at + Duration.toMillis(settings.lease)
      const { rows: claimed, token } = yield* cycleWrite({ subscriptions: names, leaseUntil: iso(leaseEnd), limit: settings.batch })
      if (claimed.length > 0) {
        inFlight = token
        const attempts = Effect.forEach(claimed, (row) =>
          Effect.map(attempt(row, leaseEnd), (outcome) => {
            unrecorded.push({ seq: row.seq, token, outcome: outcome ?? RELEASED })
          }), { concurrency: CONCURRENCY, discard: true })
        yield* Effect.raceFirst(attempts, Effect.forever(Effect.zipRight(Effect.sleep(RECORD_EVERY), Effect.uninterruptible(flush))))
        inFlight = undefined
        yield* flush
      }
      if (claimed.length === 0 || at - depthAt >= Duration.toMillis(settings.poll)) {
        depthAt = at
        yield* hooks.depth(yield* queue.depth(names))
      }
      return claimed.length
    })

    const latch = yield* Effect.makeLatch(false)
    const off = hooks.onWake(() => latch.unsafeOpen())
    yield* Effect.addFinalizer(() => Effect.sync(off))
    // Woken by a write: a moment more gathers the deliveries of the writes committing meanwhile into one claim.
    const idle = Effect.raceFirst(Effect.sleep(settings.poll), Effect.zipRight(latch.await, Effect.sleep(GATHER)))

    yield* Effect.flatMap(now, queue.releaseAll).pipe(Effect.catchAllCause(storeFailed))
    return yield* Effect.forever(
      Effect.gen(function*() {
        latch.unsafeClose()
        const started = yield* Clock.currentTimeMillis
        const claimed = yield* cycle.pipe(
          Effect.catchAllCause((cause) =>
            Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.as(storeFailed(cause), 0)
          )
        )
        if (claimed === 0) yield* Effect.zipRight(flush, idle)
        else if (claimed < settings.batch) {
          yield* Effect.sleep(Duration.millis(Math.max(0, Duration.toMillis(GATHER) - ((yield* Clock.currentTimeMillis) - started))))
        }
      })
    )
  })
