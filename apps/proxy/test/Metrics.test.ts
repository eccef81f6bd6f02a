/**
 * `GET /metrics` of the built `mreg-proxy` binary: after known traffic, the Prometheus text (read by
 * `parse-prometheus-text-format`) holds exact request, upsert and error counts under route templates; the bearer
 * token of `--metrics-token` guards it; `--no-metrics` removes it.
 */
import { assert, describe, it } from "@effect/vitest"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import parsePrometheus from "parse-prometheus-text-format"
import { afterAll } from "vitest"
import { listeningUrl, start, stop } from "./proc.js"
import { base } from "./utils.js"

const home = mkdtempSync(join(tmpdir(), "mreg-proxy-metrics-"))
afterAll(() => rmSync(home, { recursive: true, force: true }))

const METRICS_TOKEN = "metrics-token-0123456789"
const UPSERT = "/api/ml/v1/model-versions"

interface Family {
  readonly name: string
  readonly help?: string
  readonly type: string
  readonly metrics: ReadonlyArray<{ readonly value?: string; readonly labels?: Record<string, string> }>
}

/** The samples of one family as `labels → value` (labels written `k=v,…` in the order given). */
const samples = (families: ReadonlyArray<Family>, name: string) => {
  const family = families.find((f) => f.name === name)
  if (family === undefined) return undefined
  return {
    type: family.type,
    values: Object.fromEntries(family.metrics.map((m) => [
      Object.entries(m.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(","),
      m.value
    ]))
  }
}

const put = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}${UPSERT}`, { method: "PUT", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) })

describe("GET /metrics", () => {
  it("counts requests by route template, upserts by outcome; Prometheus text behind the token", { timeout: 60_000 }, async () => {
    const proc = start(home, ["--insecure-no-auth", "--metrics-token", METRICS_TOKEN], { PORT: "0", MREG_HOME: join(home, "a") })
    try {
      const url = await listeningUrl(proc)
      const statuses: Array<number> = []
      const created = await put(url, { manifest: base("metrics-repo") })
      statuses.push(created.status)
      const id = ((await created.json()) as { data: { id: string } }).data.id
      const update = { manifest: base("metrics-repo", { version: 1, description: "updated by the metrics test" }) }
      statuses.push((await put(url, update)).status) // updated
      statuses.push((await put(url, { manifest: base("metrics-repo") }, { "idempotency-key": "metrics-key-1" })).status) // created (v2)
      statuses.push((await put(url, { manifest: base("metrics-repo") }, { "idempotency-key": "metrics-key-1" })).status) // replayed
      statuses.push((await put(url, update, { "if-match": "\"not-the-etag\"" })).status) // conflict (412)
      statuses.push((await put(url, { manifest: {} })).status) // invalid (422)
      statuses.push((await put(url, "{")).status) // invalid (400)
      statuses.push((await fetch(`${url}${UPSERT}/${id}`)).status)
      statuses.push((await fetch(`${url}${UPSERT}/${id}`)).status)
      statuses.push((await fetch(`${url}/no-such-route`)).status)
      statuses.push((await fetch(`${url}/metrics`)).status)
      assert.deepStrictEqual(statuses, [200, 200, 200, 200, 412, 422, 400, 200, 200, 404, 401])

      const scrape = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      assert.strictEqual(scrape.status, 200)
      assert.strictEqual(scrape.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8")
      const text = await scrape.text()
      const families = parsePrometheus(text) as ReadonlyArray<Family>

      assert.deepStrictEqual(samples(families, "mreg_http_requests_total"), {
        type: "COUNTER",
        values: {
          [`route=${UPSERT},method=PUT,status=200`]: "4",
          [`route=${UPSERT},method=PUT,status=412`]: "1",
          [`route=${UPSERT},method=PUT,status=422`]: "1",
          [`route=${UPSERT},method=PUT,status=400`]: "1",
          [`route=${UPSERT}/:id,method=GET,status=200`]: "2",
          "route=unmatched,method=GET,status=404": "1",
          "route=/metrics,method=GET,status=401": "1"
        }
      })
      // The parser keeps a histogram's labels only when its buckets come before `_count` and `_sum` (the exporter
      // writes them after): the family is checked by the parser, its series by their lines.
      assert.strictEqual(samples(families, "mreg_http_request_duration_seconds")?.type, "HISTOGRAM")
      const series = `{route="${UPSERT}",method="PUT",status="200"`
      assert.include(text.split("\n"), `mreg_http_request_duration_seconds_count${series}} 4`)
      assert.include(text.split("\n"), `mreg_http_request_duration_seconds_bucket${series},le="+Inf"} 4`)
      assert.deepStrictEqual(samples(families, "mreg_upserts_total"), {
        type: "COUNTER",
        values: { "outcome=created": "2", "outcome=updated": "1", "outcome=replayed": "1", "outcome=conflict": "1", "outcome=invalid": "2" }
      })
      assert.strictEqual(samples(families, "mreg_store_errors_total"), undefined)
      assert.strictEqual(samples(families, "mreg_http_open_connections")?.type, "GAUGE")
      assert.isAbove(Number(samples(families, "mreg_http_open_connections")?.values[""]), 0)
      for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "nodejs_heap_used_bytes", "nodejs_eventloop_lag_seconds", "nodejs_eventloop_lag_max_seconds"]) {
        assert.isAbove(Number(samples(families, name)?.values[""] ?? Number.NaN), name.startsWith("nodejs_eventloop") ? -1 : 0, name)
      }
      // Effect's own runtime series (no description, not asked for) are left out.
      assert.deepStrictEqual(families.filter((f) => f.name.startsWith("effect_fiber_")).map((f) => f.name), [])
      // Valid 0.0.4 text: each family has its own description, and the only comment lines are HELP and TYPE
      // (`# UNIT` is OpenMetrics).
      assert.deepStrictEqual(families.filter((f) => f.help === undefined || f.help === "" || f.help === "description missing").map((f) => f.name), [])
      assert.deepStrictEqual(text.split("\n").filter((line) => line.startsWith("#") && !/^# (HELP|TYPE) [a-z_]+ /.test(line)), [])
      assert.strictEqual(families.find((f) => f.name === "mreg_upserts_total")?.help, "Model-version upserts by outcome")

      const wrong = await fetch(`${url}/metrics`, { headers: { authorization: "Bearer not-the-metrics-token" } })
      assert.deepStrictEqual([wrong.status, wrong.headers.get("www-authenticate"), ((await wrong.json()) as { code: string }).code], [401, "Bearer", "UNAUTHORIZED"])
    } finally {
      assert.strictEqual(await stop(proc), 0)
    }
  })

  it("--no-metrics: no /metrics route", { timeout: 60_000 }, async () => {
    const proc = start(home, ["--insecure-no-auth", "--no-metrics"], { PORT: "0", MREG_HOME: join(home, "b") })
    try {
      const url = await listeningUrl(proc)
      assert.strictEqual((await fetch(`${url}/metrics`)).status, 404)
    } finally {
      assert.strictEqual(await stop(proc), 0)
    }
  })
})
