/**
 * The registry's operations as `Effect.fn` spans, made only when tracing is on.
 * @internal
 */
import { Effect, FiberRef } from "effect"
import type { YieldWrap } from "effect/Utils"

/**
 * `Effect.fn(name)(body)` whose span exists only when Effect's tracer is on (the proxy turns it on only when traces
 * are configured). `Effect.fn` captures the call site's stack and makes a span on every call, about 15 µs of CPU even
 * with the tracer off (a no-op span); with it off this runs `body` as `Effect.fnUntraced` does.
 */
export const traced = <Eff extends YieldWrap<Effect.Effect<any, any, any>>, AEff, Args extends Array<any>>(
  name: string,
  body: (...args: Args) => Generator<Eff, AEff, never>
) => {
  const untraced = Effect.fnUntraced(body)
  const spanned = Effect.fn(name)(body)
  return (...args: Args): ReturnType<typeof untraced> =>
    Effect.withFiberRuntime((fiber) => fiber.getFiberRef(FiberRef.currentTracerEnabled) ? spanned(...args) : untraced(...args)) as ReturnType<
      typeof untraced
    >
}
