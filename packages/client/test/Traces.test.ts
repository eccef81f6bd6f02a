/**
 * The facade's `traceparent` option: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, an embedded upsert's spans reach an
 * OTLP/HTTP receiver on 127.0.0.1 as children of the given span (sent when the client closes at the latest); a
 * malformed value is a `TypeError`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Otlp } from "@mreg/test-fixtures"
import { createClient } from "../src/index.js"
import { base, tempHome } from "./utils.js"

const TRACE_ID = "5bf92f3577b34da6a3ce929d0e0e4737"
const PARENT_ID = "10f067aa0ba902b8"

describe("createClient traceparent", () => {
  it("spans of the calls are children of the traceparent span", { timeout: 30_000 }, async () => {
    const otlp = await Otlp.receiver()
    const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.url
    try {
      const client = createClient({ embedded: { home: tempHome() }, traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` })
      const { data } = await client.modelVersions.upsert(base({ ml_repo: "traced-repo" }))
      assert.strictEqual(data.fqn, "model:default/traced-repo/sentiment-clf:1")
      await client.close()
      const spans = otlp.spans().filter((s) => s.traceId === TRACE_ID)
      assert.deepStrictEqual(spans.filter((s) => s.name === "ModelVersions.upsert").map((s) => s.parentSpanId), [PARENT_ID])
      assert.strictEqual(otlp.resource()["service.name"], "@mreg/client")
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved
      await otlp.close()
    }
  })

  it("a malformed traceparent is a TypeError naming the option", () => {
    assert.throws(
      () => createClient({ embedded: true, traceparent: "00-abc" }),
      TypeError,
      "createClient: traceparent must be a W3C traceparent, 00-{32 hex}-{16 hex}-{2 hex} (received \"00-abc\")"
    )
  })
})
