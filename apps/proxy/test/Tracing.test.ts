/**
 * Traces of the built `mreg-proxy` binary, sent by OTLP/HTTP (JSON) to a receiver on 127.0.0.1 in the test: with an
 * incoming `traceparent`, the server span, the `ModelVersions` span and the SQL spans arrive in that trace with the
 * right parents, names and semantic-convention attributes, and the request metrics count it under its route template;
 * in upstream mode the upstream gets a `traceparent` naming the client span; without an endpoint (or with
 * `OTEL_SDK_DISABLED=true`) nothing is sent.
 */
import { assert, describe, it } from "@effect/vitest"
import { Otlp } from "@mreg/test-fixtures"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { listeningUrl, start, stop } from "./proc.js"
import { base } from "./utils.js"

const home = mkdtempSync(join(tmpdir(), "mreg-proxy-traces-"))
afterAll(() => rmSync(home, { recursive: true, force: true }))

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
const PARENT_ID = "b7ad6b7169203331"
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`
const UPSERT = "/api/ml/v1/model-versions"

const only = (spans: ReadonlyArray<Otlp.Span>, name: string): Otlp.Span => {
  const found = spans.filter((s) => s.name === name)
  assert.strictEqual(found.length, 1, `one span named ${name} (got ${spans.map((s) => s.name).join(", ")})`)
  return found[0]!
}

describe("traces (OTEL_* variables)", () => {
  it("embedded: server, ModelVersions and SQL spans in the caller's trace", { timeout: 60_000 }, async () => {
    const otlp = await Otlp.receiver()
    const proc = start(home, ["--insecure-no-auth"], {
      PORT: "0",
      MREG_HOME: join(home, "a"),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_SERVICE_NAME: "mreg-proxy-test"
    })
    try {
      const url = await listeningUrl(proc)
      const port = Number(new URL(url).port)
      const response = await fetch(`${url}${UPSERT}?secret=query-value`, {
        method: "PUT",
        headers: { "content-type": "application/json", traceparent: TRACEPARENT, authorization: "Bearer some-caller-token", "user-agent": "traces-test" },
        body: JSON.stringify({ manifest: base("traces-repo") })
      })
      assert.strictEqual(response.status, 200)
      await response.arrayBuffer()
      // With tracing on, the route the router sets on the server span still reaches the request metrics.
      const metrics = (await (await fetch(`${url}/metrics`)).text()).split("\n")
      assert.include(metrics, `mreg_http_requests_total{route="${UPSERT}",method="PUT",status="200"} 1`)
      assert.strictEqual(await stop(proc), 0) // shutting down flushes the batch
      const spans = otlp.spans().filter((s) => s.traceId === TRACE_ID)
      const server = only(spans, `PUT ${UPSERT}`)
      assert.deepStrictEqual({ kind: server.kind, parent: server.parentSpanId, attributes: server.attributes }, {
        kind: 2, // SERVER
        parent: PARENT_ID,
        attributes: {
          "http.request.method": "PUT",
          "url.path": UPSERT,
          "url.scheme": "http",
          "server.address": "127.0.0.1",
          "server.port": port,
          "client.address": "127.0.0.1",
          "user_agent.original": "traces-test",
          "http.route": UPSERT,
          "http.response.status_code": 200
        }
      })
      const operation = only(spans, "ModelVersions.upsert")
      assert.strictEqual(operation.parentSpanId, server.spanId)
      const sql = spans.filter((s) => s.name === "sql.execute")
      assert.isAbove(sql.length, 0)
      const ids = new Set(spans.map((s) => s.spanId))
      for (const s of sql) assert.isTrue(ids.has(s.parentSpanId!), "every SQL span's parent is in the trace")
      assert.deepStrictEqual(sql.map((s) => s.attributes["db.system.name"]).filter((v) => v !== "sqlite"), [])
      assert.strictEqual(otlp.resource()["service.name"], "mreg-proxy-test")
      const everything = otlp.requests.map((r) => r.body).join("\n")
      for (const secret of ["some-caller-token", "query-value", "sentiment"]) assert.notInclude(everything, secret)
    } finally {
      proc.child.kill("SIGKILL")
      await otlp.close()
    }
  })

  it("upstream mode: the upstream gets a traceparent naming the client span", { timeout: 60_000 }, async () => {
    const otlp = await Otlp.receiver()
    const missing = { statusCode: 404, code: "NOT_FOUND", message: "no such model version" }
    const upstream = await Otlp.receiver(() => ({ status: 404, body: missing }))
    const proc = start(home, ["--upstream", upstream.url, "--upstream-retries", "0"], {
      PORT: "0",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url}/v1/traces`
    })
    try {
      const url = await listeningUrl(proc)
      const id = "7d3f8a8e-2f6c-4c4e-9a51-1f0b4a3c9d20"
      const response = await fetch(`${url}${UPSERT}/${id}`, { headers: { traceparent: TRACEPARENT, authorization: "Bearer upstream-caller-token" } })
      assert.strictEqual(response.status, 404)
      await response.arrayBuffer()
      assert.strictEqual(await stop(proc), 0)
      const spans = otlp.spans().filter((s) => s.traceId === TRACE_ID)
      const server = only(spans, `GET ${UPSERT}/:id`)
      const operation = only(spans, "ModelVersions.get")
      const client = spans.filter((s) => s.kind === 3 && s.parentSpanId === operation.spanId)
      assert.strictEqual(client.length, 1)
      assert.deepStrictEqual([server.parentSpanId, operation.parentSpanId], [PARENT_ID, server.spanId])
      assert.deepStrictEqual(upstream.requests.map((r) => r.headers.traceparent), [`00-${TRACE_ID}-${client[0]!.spanId}-01`])
      assert.notInclude(otlp.requests.map((r) => r.body).join("\n"), "upstream-caller-token")
    } finally {
      proc.child.kill("SIGKILL")
      await Promise.all([otlp.close(), upstream.close()])
    }
  })

  for (const [what, env] of [["no OTEL_* variable", {}], ["OTEL_SDK_DISABLED=true", { OTEL_SDK_DISABLED: "true" }]] as const) {
    it(`${what}: nothing is exported`, { timeout: 60_000 }, async () => {
      const otlp = await Otlp.receiver()
      const proc = start(home, ["--insecure-no-auth"], {
        PORT: "0",
        MREG_HOME: join(home, "b"),
        ...(Object.keys(env).length === 0 ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url }),
        ...env
      })
      try {
        const url = await listeningUrl(proc)
        const response = await fetch(`${url}${UPSERT}`, {
          method: "PUT",
          headers: { traceparent: TRACEPARENT },
          body: JSON.stringify({ manifest: base("traces-off") })
        })
        assert.strictEqual(response.status, 200)
        await response.arrayBuffer()
        assert.strictEqual(await stop(proc), 0)
        assert.deepStrictEqual(otlp.requests, [])
      } finally {
        proc.child.kill("SIGKILL")
        await otlp.close()
      }
    })
  }
})
