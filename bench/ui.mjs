// The web page row of `pnpm bench`: the first page usable in Chromium — `/ui/` of mreg-proxy on the embedded SQLite
// registry holding 10,000 versions (100 models of 100 versions in 10 ML repos), until the models table shows every
// row of the first page — against the same browser loading a static HTML page with the same table (the same models,
// served by bare node:http). Each load is a new browser context (cold cache); the two take turns; median of `runs`.
// Chromium is Debian's (`command -v chromium`), driven by playwright-core with the test flags (docs/ui.md).
// `node bench/ui.mjs` runs it alone and prints the raw numbers.
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { cleanEnv, PROXY, proxyMissing } from "./http.mjs"
import { median, requireFrom, root, startServer } from "./lib.mjs"

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
const BASE = JSON.parse(readFileSync(join(root, "examples/base.json"), "utf8")).manifest

/** PUTs `versions` versions through the proxy, `concurrency` at a time (each model's versions in order). */
const seed = async (url, versions, concurrency = 8) => {
  const models = Math.ceil(versions / 100)
  const put = async (model, version) => {
    const manifest = {
      ...BASE,
      name: `model-${model}`,
      ml_repo: `repo-${model % 10}`,
      version,
      metadata: { accuracy: (version % 100) / 100, dataset: `set-${model}` },
      source: { type: "external", uri: `s3://bench/model-${model}/${version}/` }
    }
    const response = await fetch(`${url}/api/ml/v1/model-versions`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ manifest })
    })
    if (response.status !== 200) throw new Error(`seeding: PUT answered ${response.status}: ${await response.text()}`)
  }
  let next = 0
  const worker = async () => {
    for (let model = next++; model < models; model = next++) {
      for (let version = 1; version <= Math.min(100, versions - model * 100); version++) await put(model, version)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)

/** The baseline: the page's models table as static HTML (same rows, same columns). */
const staticPage = (models) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>models</title></head><body><main><h1>ML repos and models</h1><table><thead><tr>` +
  `<th>Model</th><th>ML repo</th><th>Latest version</th><th>Updated</th><th>Created by</th></tr></thead><tbody>` +
  models.map((m) =>
    `<tr><th><a href="#${escape(m.id)}">${escape(m.name)}</a></th><td>${escape(m.fqn.split("/")[1])}</td>` +
    `<td>${escape(m.latest_version?.manifest.version ?? "")}</td><td>${escape(m.updated_at)}</td><td>${escape(m.created_by_subject.subjectId)}</td></tr>`
  ).join("") +
  `</tbody></table></main></body></html>`

/** Milliseconds from navigation to `rows` rows in the page's table, in a new context (cold cache). */
const firstPage = async (browser, url, rows) => {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    const start = performance.now()
    await page.goto(url, { waitUntil: "commit" })
    // A locator wait (no script evaluation: the page's Content-Security-Policy forbids eval).
    await page.locator("table tbody tr").nth(rows - 1).waitFor({ timeout: 30_000 })
    return performance.now() - start
  } finally {
    await context.close()
  }
}

/**
 * `{ versions, rows, ui: { median, runs }, static: { median, runs }, seedSeconds }`, or `{ skipped }` when the proxy
 * or Chromium is missing.
 */
export const benchUi = async ({ runs = 9, versions = 10_000 } = {}, tmp = mkdtempSync(join(tmpdir(), "mreg-bench-ui-"))) => {
  const missing = proxyMissing()
  if (missing) return { skipped: missing }
  const executablePath = spawnSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).stdout.trim()
  if (executablePath === "") return { skipped: "skipped: no chromium on PATH (apt-get install -y chromium)" }
  const home = join(tmp, "ui-home")
  mkdirSync(home, { recursive: true })
  const proxy = await startServer("proxy-ui", [PROXY, "--insecure-no-auth"], { env: cleanEnv({ MREG_HOME: home }), logFile: join(tmp, "proxy-ui.log") })
  const baseline = createServer()
  let browser
  try {
    const t = performance.now()
    await seed(proxy.url, versions)
    const seedSeconds = (performance.now() - t) / 1000
    const first = await (await fetch(`${proxy.url}/api/ml/v1/models`)).json()
    const html = staticPage(first.data)
    baseline.on("request", (_, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html))
    await new Promise((resolve) => baseline.listen(0, "127.0.0.1", resolve))
    const staticUrl = `http://127.0.0.1:${baseline.address().port}/`
    const { chromium } = requireFrom("playwright-core", ["apps/proxy"])
    browser = await chromium.launch({ executablePath, args: FLAGS, headless: true })
    const rows = first.data.length
    const times = { ui: [], static: [] }
    for (let i = 0; i < runs + 1; i++) {
      const ui = await firstPage(browser, `${proxy.url}/ui/`, rows)
      const bare = await firstPage(browser, staticUrl, rows)
      if (i > 0) { // the first pair warms the proxy and the browser up
        times.ui.push(ui)
        times.static.push(bare)
      }
    }
    const summary = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs })
    return { versions, total: first.pagination.total, rows, seedSeconds, ui: summary(times.ui), static: summary(times.static) }
  } finally {
    await browser?.close()
    baseline.close()
    await proxy.stop()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const tmp = mkdtempSync(join(tmpdir(), "mreg-bench-ui-"))
  try {
    console.log(JSON.stringify(await benchUi({}, tmp), null, 2))
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
