/**
 * Traces of the bundled `mreg`: with `OTEL_EXPORTER_OTLP_ENDPOINT` and `TRACEPARENT`, an embedded upsert sends the
 * `mreg` span (child of the `TRACEPARENT` span), the `ModelVersions.upsert` span and SQL spans to an OTLP/HTTP
 * receiver on 127.0.0.1; without an endpoint nothing is sent; a collector that never answers does not keep `mreg`
 * from exiting.
 */
import { assert, describe, it } from "@effect/vitest"
import { BASE_FILE, Otlp } from "@mreg/test-fixtures"
import { Effect } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { mreg, tempHome } from "./utils.js"

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
const PARENT_ID = "00f067aa0ba902b7"

/** An OTLP endpoint on 127.0.0.1 that reads each request and never answers (a hung collector). */
const silentCollector = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly requests: () => number; readonly close: () => void }>((resume) => {
    let requests = 0
    const server = createServer((req) => {
      requests++
      req.resume()
    })
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests: () => requests,
        close: () => server.close()
      })))
    server.on("connection", (socket) => server.once("close", () => socket.destroy()))
  }),
  (collector) => Effect.sync(collector.close)
)

const withReceiver = Effect.acquireRelease(Effect.promise(() => Otlp.receiver()), (r) => Effect.promise(() => r.close()))

describe("mreg traces", () => {
  it.scoped("OTEL_* and TRACEPARENT: the run's spans in the caller's trace", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const otlp = yield* withReceiver
      const run = yield* mreg(home, ["upsert", "-f", BASE_FILE], {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: "mreg-cli-test", TRACEPARENT: `00-${TRACE_ID}-${PARENT_ID}-01` }
      })
      assert.strictEqual(run.code, 0, run.stderr)
      const spans = otlp.spans().filter((s) => s.traceId === TRACE_ID)
      const root = spans.filter((s) => s.name === "mreg")
      assert.deepStrictEqual(root.map((s) => s.parentSpanId), [PARENT_ID])
      const upsert = spans.filter((s) => s.name === "ModelVersions.upsert")
      assert.deepStrictEqual(upsert.map((s) => s.parentSpanId), [root[0]!.spanId])
      assert.isAbove(spans.filter((s) => s.name === "sql.execute").length, 0)
      assert.strictEqual(otlp.resource()["service.name"], "mreg-cli-test")
    }), 60_000)

  it.scoped("no OTEL_* variable: nothing is sent", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const otlp = yield* withReceiver
      const run = yield* mreg(home, ["upsert", "-f", BASE_FILE], { env: { TRACEPARENT: `00-${TRACE_ID}-${PARENT_ID}-01`, OTEL_SERVICE_NAME: "mreg-cli-test" } })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.deepStrictEqual(otlp.requests, [])
    }), 60_000)

  it.scoped("a collector that never answers: the command's output and exit code, then the process ends", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const collector = yield* silentCollector
      // Without the exit at teardown the exporter's pending request (timeout 120 s here) kept the process alive
      // until the test harness killed it at 30 s: code null.
      const run = yield* mreg(home, ["upsert", "-f", BASE_FILE, "-o", "json"], {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_TIMEOUT: "120000" }
      })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(JSON.parse(run.stdout).data.manifest.version, 1)
      assert.strictEqual(collector.requests(), 1)
    }), 60_000)
})
