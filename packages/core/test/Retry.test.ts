import { assert, describe, it } from "@effect/vitest"
import { Retry } from "@mreg/core"
import { Effect, Either, Schedule } from "effect"

/** An attempt that fails with the next of `failures` (then succeeds with the attempt's number), counting its runs. */
const attempts = (failures: ReadonlyArray<string>) => {
  let runs = 0
  const attempt = Effect.suspend(() => {
    runs++
    return runs <= failures.length ? Effect.fail(failures[runs - 1]!) : Effect.succeed(runs)
  })
  return { attempt, runs: () => runs }
}

const retryable = (error: string) => error.startsWith("busy")
const NOW = Schedule.spaced("0 millis")

describe("Retry.afterFailure", () => {
  it.effect("an attempt that succeeds runs once", () =>
    Effect.gen(function*() {
      const { attempt, runs } = attempts([])
      assert.strictEqual(yield* Retry.afterFailure(attempt, { while: retryable, times: 3, schedule: NOW }), 1)
      assert.strictEqual(runs(), 1)
    }))

  it.effect("retryable failures are run again until the attempt succeeds", () =>
    Effect.gen(function*() {
      const { attempt, runs } = attempts(["busy 1", "busy 2"])
      assert.strictEqual(yield* Retry.afterFailure(attempt, { while: retryable, times: 3, schedule: NOW }), 3)
      assert.strictEqual(runs(), 3)
    }))

  it.effect("a failure `while` refuses is the result at once, first or later", () =>
    Effect.gen(function*() {
      const first = attempts(["conflict"])
      const firstResult = yield* Effect.either(Retry.afterFailure(first.attempt, { while: retryable, times: 3, schedule: NOW }))
      assert.deepStrictEqual(firstResult, Either.left("conflict"))
      assert.strictEqual(first.runs(), 1)
      const later = attempts(["busy 1", "conflict", "busy 3"])
      const laterResult = yield* Effect.either(Retry.afterFailure(later.attempt, { while: retryable, times: 3, schedule: NOW }))
      assert.deepStrictEqual(laterResult, Either.left("conflict"))
      assert.strictEqual(later.runs(), 2)
    }))

  it.effect("`times` bounds the retries as Effect.retry's does: the last retry's failure is the result", () =>
    Effect.gen(function*() {
      const mine = attempts(["busy 1", "busy 2", "busy 3", "busy 4"])
      const theirs = attempts(["busy 1", "busy 2", "busy 3", "busy 4"])
      const options = { while: retryable, times: 2, schedule: NOW }
      assert.deepStrictEqual(yield* Effect.either(Retry.afterFailure(mine.attempt, options)), Either.left("busy 3"))
      assert.deepStrictEqual(yield* Effect.either(Effect.retry(theirs.attempt, options)), Either.left("busy 3"))
      assert.strictEqual(mine.runs(), 3)
      assert.strictEqual(theirs.runs(), 3)
    }))
})
