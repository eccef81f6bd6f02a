/**
 * Retries that cost nothing until something fails.
 *
 * `Effect.retry` builds its schedule's driver (state, a clock reading, the schedule's step) every time the retried
 * effect runs, success or not: about 40 of the ≈ 270 Effect operations of an embedded upsert, measured with
 * `bench/ops.mjs`. {@link afterFailure} runs the effect once on its own and brings `Effect.retry` in only after a
 * failure it should retry, so the common case — the first attempt succeeds — pays for no retry machinery.
 *
 * @since 0.2.0
 */
import { Effect, type Predicate, type Schedule } from "effect"

/**
 * The options of {@link afterFailure}: those of `Effect.retry` with a schedule. `while` decides which failures are
 * retried (the first one included); `times` bounds the retries (not the attempts).
 * @since 0.2.0
 * @category models
 */
export interface Options<E, Out, R> {
  readonly while: Predicate.Predicate<E>
  readonly schedule: Schedule.Schedule<Out, E, R>
  readonly times?: number | undefined
}

/**
 * `Effect.retry(attempt, options)` with the same delays, counts and result, whose retry machinery comes in only after
 * a first failure that `options.while` accepts; a failure it does not accept, or the last retry's, is the result.
 *
 * ```ts
 * const AGAIN = Schedule.exponential("200 millis").pipe(Schedule.jittered) // built once
 * Retry.afterFailure(call, { while: RegistryError.isRetryable, times: 4, schedule: AGAIN })
 * ```
 * @since 0.2.0
 * @category combinators
 */
export const afterFailure = <A, E, R, Out, R2>(
  attempt: Effect.Effect<A, E, R>,
  options: Options<E, Out, R2>
): Effect.Effect<A, E, R | R2> =>
  Effect.catchIf(attempt, options.while, (first) => {
    // The retried effect's first run replays the failure already seen, so the schedule sees it as Effect.retry would.
    let replayed = false
    return Effect.retry(Effect.suspend(() => replayed ? attempt : (replayed = true, Effect.fail(first))), options)
  })
