import { assert, describe, it } from "@effect/vitest"
import { Telemetry } from "@mreg/core"
import { ConfigProvider, Effect, FiberRef, Layer, Option } from "effect"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("Telemetry", () => {
  const cases: ReadonlyArray<readonly [Record<string, string>, boolean]> = [
    [{}, false],
    [{ OTEL_SERVICE_NAME: "x", OTEL_TRACES_SAMPLER: "always_on" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/v1/traces" }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "  " }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "TRUE" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "false" }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_TRACES_EXPORTER: "none" }, false]
  ]

  it.effect("tracingConfigured and isTracingConfigured: an OTLP endpoint, not disabled", () =>
    Effect.gen(function*() {
      for (const [env, expected] of cases) {
        assert.strictEqual(yield* withEnv(env)(Telemetry.tracingConfigured), expected, JSON.stringify(env))
        assert.strictEqual(Telemetry.isTracingConfigured(env), expected, JSON.stringify(env))
      }
    }))

  it.effect("layerTracing without an endpoint turns Effect's tracer off", () =>
    Effect.gen(function*() {
      const enabled = yield* FiberRef.get(FiberRef.currentTracerEnabled).pipe(Effect.provide(Telemetry.layerTracing({ serviceName: "t" })), withEnv({}))
      assert.isFalse(enabled)
    }))

  it.effect("withTraceparent: the span named by a valid traceparent is the parent; an invalid one is ignored", () =>
    Effect.gen(function*() {
      const parentOf = (traceparent: string | undefined) =>
        Effect.map(Effect.currentSpan, (span) => Option.map(span.parent, (p) => [p.traceId, p.spanId])).pipe(
          Effect.withSpan("child"),
          Telemetry.withTraceparent(traceparent),
          Effect.orDie
        )
      assert.deepStrictEqual(
        yield* parentOf("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        Option.some(["0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"])
      )
      assert.deepStrictEqual(yield* parentOf("not-a-traceparent"), Option.none())
      assert.deepStrictEqual(yield* parentOf(undefined), Option.none())
    }).pipe(Effect.provide(Layer.empty)))

  it.effect("traced: the operation's span only while the tracer is on, and the same result either way", () =>
    Effect.gen(function*() {
      const get = Telemetry.traced("ModelVersions.get", function*(id: string) {
        const span = yield* Effect.option(Effect.currentSpan)
        return { id, span: Option.map(span, (s) => s.name) }
      })
      assert.deepStrictEqual(yield* get("mv-1"), { id: "mv-1", span: Option.some("ModelVersions.get") })
      assert.deepStrictEqual(yield* Effect.withTracerEnabled(get("mv-2"), false), { id: "mv-2", span: Option.none() })
    }))
})
