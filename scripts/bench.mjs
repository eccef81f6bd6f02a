#!/usr/bin/env node
// `pnpm bench`: builds what it needs, measures mreg against a baseline taken in the same run, prints a markdown
// table and writes bench/results.json. Not part of `pnpm test`. Everything listens on 127.0.0.1 only, every load
// run is bounded, and every process it starts is stopped at the end (PostgreSQL too, also on failure or Ctrl-C).
//
// Rows (baseline in brackets; ratio = mreg / baseline):
//   schema     ModelManifest decode, manifests/s               [ajv on the JSON Schema from JSONSchema.make; with
//                                                               60 KiB of metadata, ajv + the metadata size check]
//   sqlite     mreg-proxy upsert on embedded SQLite, req/s     [bare node:http + better-sqlite3, same statements;
//                                                               metrics on (default) vs the proxy with --no-metrics]
//   pg         mreg-proxy upsert on PostgreSQL, req/s          [bare node:http + pg, same statements]
//   upstream   mreg-proxy in upstream mode, req/s, added p99   [bare node:http forwarder, same upstream]
//   webhooks   mreg-proxy upsert on SQLite, a webhook subscribed [the same proxy without webhooks]
// and each proxy row against its stack floor (bench/floor.mjs: the same RegistryApi on a minimal HttpApi server,
// its upsert handler running the bare store's statements or forwarding through the derived client), plus the
// floor answering a fixed body against bare node:http answering one (context rows, no target).
//   cli        mreg validate / mreg upsert wall time           [node -e 0]
//   rss        mreg-proxy peak RSS under the SQLite load       [the bare SQLite server's]
//   ui         web page /ui/ first page usable in Chromium,    [the same table as static HTML, same browser; and
//              10,000 versions seeded, ms (bench/ui.mjs)        the 1 s target]
//   filter     list with a metadata filter, 100,000 versions,  [the same predicate as hand-written SQL, same driver]
//              SQLite and PostgreSQL (bench/filter.mjs)
//
// Environment: BENCH_DURATION (seconds of each load run, default 10), BENCH_CONNECTIONS (default 32), BENCH_RUNS
// (spawns per CLI command, default 15), BENCH_WARMUP (seconds of load before each measured run, default half the
// run and at most 5), BENCH_ONLY (comma list of schema,cli,sqlite,pg,upstream,ui,filter,webhooks), BENCH_SKIP_BUILD=1.
// Without MREG_TEST_DATABASE_URL it starts a throwaway PostgreSQL (scripts/pg.mjs) for the pg row.
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { startPostgres } from "./pg.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const SECTIONS = ["schema", "cli", "sqlite", "pg", "upstream", "ui", "filter", "webhooks"]
const only = (process.env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean)
const wanted = (section) => only.length === 0 || only.includes(section)
for (const name of only) {
  if (!SECTIONS.includes(name)) {
    console.error(`BENCH_ONLY: unknown section "${name}" (known: ${SECTIONS.join(", ")})`)
    process.exit(2)
  }
}

await main()

async function main() {
  const started = performance.now()
  const loadBefore = loadavg()[0]
  const config = {
    duration: positive("BENCH_DURATION", 10),
    connections: Math.round(positive("BENCH_CONNECTIONS", 32)),
    runs: Math.round(positive("BENCH_RUNS", 15))
  }
  // The proxy's JIT needs several seconds of load before its throughput settles (it serves a third of its settled
  // rate in the first 2 s): every server gets the same warm-up, half the run and at most 5 s, before it is measured.
  config.warmup = positive("BENCH_WARMUP", Math.min(5, config.duration / 2))
  const step = (text) => console.log(`· ${text} (${((performance.now() - started) / 1000).toFixed(0)} s)`)

  // 1. Build: every package through turbo (cached when nothing changed); --continue so a package that does not
  //    build yet (the proxy, while it is written) does not stop the rows that do not need it.
  let build = { skipped: true }
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    step("building (turbo run build)")
    const turbo = join(root, "node_modules/.bin/turbo")
    if (!existsSync(turbo)) {
      console.error("turbo is not installed: run `pnpm install --frozen-lockfile` first.")
      process.exit(1)
    }
    const t = performance.now()
    const result = spawnSync(turbo, ["run", "build", "--output-logs=errors-only", "--continue"], {
      cwd: root,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
      stdio: "inherit"
    })
    build = { ok: result.status === 0, seconds: (performance.now() - t) / 1000 }
    if (!build.ok) console.error(`\nturbo run build failed (exit code ${result.status}): rows whose build output is missing are skipped.`)
  }

  // bench/ loads built code only when a row runs; import it after the build all the same.
  const { benchSchema } = await import("../bench/schema.mjs")
  const { benchCli, CLI } = await import("../bench/cli.mjs")
  const { benchPg, benchSqlite, benchUpstream, benchWebhooks } = await import("../bench/http.mjs")
  const { benchUi } = await import("../bench/ui.mjs")
  const { stopAll } = await import("../bench/lib.mjs")
  const { benchFilterPg, benchFilterSqlite } = await import("../bench/filter.mjs")

  // Without MREG_TEST_DATABASE_URL the pg row gets a throwaway PostgreSQL (scripts/pg.mjs, as in `pnpm test`).
  let pg
  if ((wanted("pg") || wanted("filter")) && !process.env.MREG_TEST_DATABASE_URL) {
    step("starting PostgreSQL (scripts/pg.mjs)")
    try {
      pg = await startPostgres()
      process.env.MREG_TEST_DATABASE_URL = pg.url
    } catch (error) {
      console.error(`PostgreSQL did not start (${error.message}): its rows are skipped`)
    }
  }

  const tmp = mkdtempSync(join(tmpdir(), "mreg-bench-"))
  // Interrupted: stop the servers, remove the temporary folder, exit (scripts/pg.mjs stops PostgreSQL on the signal).
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping`)
      stopAll().finally(() => {
        rmSync(tmp, { recursive: true, force: true })
        process.exit(130)
      })
    })
  }
  const raw = {}
  const run = async (name, fn) => {
    if (!wanted(name)) return
    step(`${name}`)
    try {
      raw[name] = await fn()
    } catch (error) {
      raw[name] = { failed: String(error?.message ?? error) }
      console.error(`${name} failed: ${raw[name].failed}`)
    }
  }
  try {
    await run("schema", () =>
      existsSync(join(root, "packages/core/dist/index.js")) ? benchSchema() : { skipped: "skipped: @mreg/core not built" })
    await run("cli", () => (existsSync(CLI) ? benchCli({ runs: config.runs }) : { skipped: "skipped: CLI not built" }))
    await run("sqlite", () => benchSqlite(config, tmp))
    await run("pg", () => benchPg(config, tmp, process.env.MREG_TEST_DATABASE_URL))
    await run("upstream", () => benchUpstream(config, tmp))
    await run("ui", () => benchUi({ runs: config.runs }, tmp))
    await run("filter", async () => ({
      sqlite: await benchFilterSqlite(tmp, { runs: config.runs }).catch((error) => ({ failed: String(error?.message ?? error) })),
      pg: await benchFilterPg(process.env.MREG_TEST_DATABASE_URL, { runs: config.runs }).catch((error) => ({ failed: String(error?.message ?? error) }))
    }))
    await run("webhooks", () => benchWebhooks(config, tmp))
  } finally {
    rmSync(tmp, { recursive: true, force: true })
    await pg?.stop()
  }

  const rows = tableRows(raw)
  const seconds = (performance.now() - started) / 1000
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model?.trim(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    // 1-minute load average when the run started and ended: above the core count, other processes competed for
    // the CPUs and the absolute numbers (less so the ratios) are low.
    loadAverage: { start: loadBefore, end: loadavg()[0] }
  }
  const results = {
    date: new Date().toISOString(),
    command: "pnpm bench",
    machine,
    config,
    build,
    seconds,
    rows,
    raw
  }
  writeFileSync(join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`)

  console.log("")
  console.log(markdown(rows))
  console.log("")
  console.log(`ratio = mreg / baseline (throughput: higher is better; time and memory: lower is better).`)
  console.log(
    `${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}; load runs ${config.duration} s at ` +
      `${config.connections} connections after ${config.warmup} s of warm-up; CLI median of ${config.runs} spawns.`
  )
  if (Math.max(machine.loadAverage.start, machine.loadAverage.end) > machine.cpus) {
    console.log(
      `warning: load average ${machine.loadAverage.start.toFixed(1)} → ${machine.loadAverage.end.toFixed(1)} on ${machine.cpus} cores: ` +
        "other processes competed for the CPUs during this run."
    )
  }
  console.log(`wrote bench/results.json in ${seconds.toFixed(0)} s`)
  process.exit(Object.values(raw).some((section) => section?.failed) ? 1 : 0)
}

function positive(name, fallback) {
  const text = process.env[name]
  if (text === undefined || text === "") return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number (received ${JSON.stringify(text)})`)
    process.exit(2)
  }
  return value
}

/** One table row: numbers, their rendering, the ratio and whether the target is met. */
function row(benchmark, { mreg, baseline, render = (x) => String(x), ratio, target, note }) {
  const r = ratio ?? (typeof mreg === "number" && typeof baseline === "number" && baseline > 0 ? mreg / baseline : undefined)
  const met = target === undefined || r === undefined ? undefined : target.op === ">=" ? r >= target.value : r <= target.value
  return {
    benchmark,
    mreg,
    baseline,
    ratio: r,
    target: target && `${target.op === ">=" ? "≥" : "≤"} ${target.value}`,
    met,
    cells: [benchmark, note ?? (mreg === undefined ? "" : render(mreg)), baseline === undefined ? "" : render(baseline)]
  }
}

/** A row that could not be measured: the reason in the mreg cell. */
function missing(benchmark, reason, target, baseline, render) {
  return {
    benchmark,
    skipped: reason,
    target: target && `${target.op === ">=" ? "≥" : "≤"} ${target.value}`,
    cells: [benchmark, reason, baseline === undefined ? "" : render(baseline)]
  }
}

function tableRows(raw) {
  const rows = []
  const perSec = (x) => `${Math.round(x).toLocaleString("en-US")}/s`
  const ms = (x) => `${x.toFixed(0)} ms`
  const mb = (x) => `${x.toFixed(0)} MB`
  const failedLoad = (r) => {
    if (!r || r.ok) return ""
    const parts = [
      r.non2xx > 0 && `${r.non2xx} non-2xx${r.firstBad ? ` (${r.firstBad})` : ""}`,
      r.errors - r.timeouts > 0 && `${r.errors - r.timeouts} connection errors`,
      r.timeouts > 0 && `${r.timeouts} unanswered after 10 s`
    ].filter(Boolean)
    return ` (${parts.join(", ") || "no request completed"})`
  }

  if (raw.schema) {
    const s = raw.schema
    const sets = [
      ["examples", "schema: decode examples/ vs ajv (manifests/s)", (set) => set.ajv],
      ["60 KiB metadata", "schema: decode 60 KiB metadata vs ajv + JSON.stringify(metadata).length check (manifests/s)", (set) => set.ajvWithSizeCheck]
    ]
    for (const [name, label, baseline] of sets) {
      const set = s.sets?.find((x) => x.name === name)
      const target = { op: ">=", value: 0.3 }
      if (!set) rows.push(missing(label, s.skipped ?? `failed: ${s.failed}`, target))
      else rows.push(row(label, { mreg: set.mreg, baseline: baseline(set), render: perSec, target, note: set.ok ? undefined : `invalid: ${set.rejected[0]}` }))
    }
  }

  // One proxy section (sqlite, pg, upstream): the row against the bare baseline, its p99 row, the row against the
  // stack floor, and the floor against bare for context. `latency` turns a load result into the p99 compared.
  const proxyRows = (s, { label, bareLabel, target, p99, latency = (r) => r.p99, latencyLabel, renderLatency = ms }) => {
    const title = `proxy ${label} vs ${bareLabel} (req/s)`
    const floorTitle = `proxy ${label} vs stack floor (req/s)`
    const floorTarget = { op: ">=", value: 0.7 }
    const floorOk = s.floor && !s.floor.skipped && !s.floor.failed
    if (s.failed || s.skipped || !s.proxy) {
      const reason = s.skipped ?? `failed: ${s.failed}`
      rows.push(missing(title, reason, target, s.bare?.reqPerSec, perSec))
      if (s.bare) rows.push(missing(`proxy ${label}, ${latencyLabel}`, reason, p99, latency(s.bare), renderLatency))
      rows.push(missing(floorTitle, reason, floorTarget, floorOk ? s.floor.reqPerSec : undefined, perSec))
    } else {
      const broken = failedLoad(s.proxy) || failedLoad(s.bare)
      rows.push(row(title, {
        mreg: s.proxy.reqPerSec,
        baseline: s.bare.reqPerSec,
        render: perSec,
        target,
        note: broken ? `${perSec(s.proxy.reqPerSec)}${broken}` : undefined
      }))
      rows.push({
        ...row(`proxy ${label}, ${latencyLabel}`, { mreg: latency(s.proxy), baseline: latency(s.bare), target: p99 }),
        cells: [`proxy ${label}, ${latencyLabel}`, renderLatency(latency(s.proxy), s.proxy), renderLatency(latency(s.bare), s.bare)]
      })
      if (floorOk) {
        rows.push({
          ...row(floorTitle, {
            mreg: s.proxy.reqPerSec,
            baseline: s.floor.reqPerSec,
            render: perSec,
            target: floorTarget,
            note: failedLoad(s.floor) ? `${perSec(s.proxy.reqPerSec)} (floor${failedLoad(s.floor)})` : undefined
          }),
          floor: s.floor.reqPerSec
        })
      } else {
        rows.push(missing(floorTitle, s.floor?.skipped ?? `floor failed: ${s.floor?.failed}`, floorTarget))
      }
    }
    if (floorOk && s.bare) {
      rows.push({
        ...row(`stack floor, ${label} vs ${bareLabel} (req/s, context)`, {
          mreg: s.floor.reqPerSec,
          baseline: s.bare.reqPerSec,
          render: perSec,
          note: failedLoad(s.floor) ? `${perSec(s.floor.reqPerSec)}${failedLoad(s.floor)}` : undefined
        }),
        floor: s.floor.reqPerSec
      })
    }
  }

  const lat = (r) => `${r.p50} / ${r.p99} ms`
  for (const [key, label] of [["sqlite", "upsert, embedded SQLite"], ["pg", "upsert, PostgreSQL"]]) {
    if (!raw[key]) continue
    proxyRows(raw[key], {
      label,
      bareLabel: "bare node:http",
      target: { op: ">=", value: 0.3 },
      p99: { op: "<=", value: 3 },
      latencyLabel: "p99 vs bare (p50 / p99)",
      renderLatency: (_, r) => (r ? lat(r) : "")
    })
  }
  const sq = raw.sqlite
  if (sq?.proxy && sq.proxyNoMetrics) {
    rows.push(row("proxy upsert, SQLite, metrics on vs --no-metrics (req/s)", {
      mreg: sq.proxy.reqPerSec,
      baseline: sq.proxyNoMetrics.reqPerSec,
      render: perSec,
      target: { op: ">=", value: 0.95 }
    }))
  }
  if (sq?.bare) {
    const label = "proxy peak RSS under the SQLite load vs bare server"
    if (sq.proxy) rows.push(row(label, { mreg: sq.proxy.peakRssMb, baseline: sq.bare.peakRssMb, render: mb, target: { op: "<=", value: 2 } }))
    else rows.push(missing(label, sq.skipped ?? `failed: ${sq.failed}`, { op: "<=", value: 2 }, sq.bare.peakRssMb, mb))
  }

  if (raw.upstream) {
    const s = raw.upstream
    const direct = s.direct?.p99 ?? 0
    proxyRows(s, {
      label: "upstream mode",
      bareLabel: "bare forwarder",
      target: { op: ">=", value: 0.25 },
      p99: { op: "<=", value: 3 },
      latency: (r) => r.p99 - direct,
      latencyLabel: `p99 added to the upstream's ${direct} ms`
    })
    const fixed = s.fixedFloor
    if (fixed && !fixed.skipped && !fixed.failed && s.direct) {
      rows.push({
        ...row("stack floor, fixed body vs bare node:http, fixed body (req/s, context)", {
          mreg: fixed.reqPerSec,
          baseline: s.direct.reqPerSec,
          render: perSec,
          note: failedLoad(fixed) ? `${perSec(fixed.reqPerSec)}${failedLoad(fixed)}` : undefined
        }),
        floor: fixed.reqPerSec
      })
    }
  }

  for (const [store, label] of [["sqlite", "SQLite"], ["pg", "PostgreSQL"]]) {
    const s = raw.filter?.[store] ?? (raw.filter ? raw.filter : undefined)
    if (s === undefined) continue
    const title = `list with a metadata filter, ${(s.versions ?? 100_000).toLocaleString("en-US")} versions, ${label}, vs hand-written SQL (time per list)`
    const target = { op: ">=", value: 0.5 }
    if (s.skipped || s.failed) rows.push(missing(title, s.skipped ?? `failed: ${s.failed}`, target))
    // The ratio is throughput: hand-written time ÷ mreg's time.
    else rows.push(row(title, { mreg: s.mregMs, baseline: s.handMs, render: ms, ratio: s.handMs / s.mregMs, target, note: s.ok ? undefined : s.failed }))
  }

  if (raw.webhooks) {
    const s = raw.webhooks
    const label = "proxy upsert, SQLite, with a webhook subscribed vs none (req/s)"
    const target = { op: ">=", value: 0.9 }
    if (s.failed || s.skipped || !s.proxy) rows.push(missing(label, s.skipped ?? `failed: ${s.failed}`, target, s.none?.reqPerSec, perSec))
    else {
      const broken = failedLoad(s.proxy) || failedLoad(s.none)
      rows.push(row(label, { mreg: s.proxy.reqPerSec, baseline: s.none.reqPerSec, render: perSec, target, note: broken ? `${perSec(s.proxy.reqPerSec)}${broken}` : undefined }))
    }
  }

  if (raw.cli) {
    const s = raw.cli
    if (s.failed || s.skipped) {
      rows.push(missing("mreg validate vs node -e 0, wall time", s.skipped ?? `failed: ${s.failed}`, { op: "<=", value: 2.5 }))
      rows.push(missing("mreg upsert (embedded SQLite) vs node -e 0, wall time", s.skipped ?? `failed: ${s.failed}`))
    } else {
      const note = s.ok ? undefined : `failed: ${s.failures[0]}`
      rows.push(row(`mreg validate vs node -e 0, wall time (median of ${s.validate.runs.length})`, {
        mreg: s.validate.median,
        baseline: s.node.median,
        render: ms,
        target: { op: "<=", value: 2.5 },
        note
      }))
      rows.push(row(`mreg upsert (embedded SQLite) vs node -e 0, wall time`, { mreg: s.upsert.median, baseline: s.node.median, render: ms, note }))
    }
  }
  if (raw.ui) {
    const s = raw.ui
    const label = "web page: first page usable in Chromium (100 models of 10,000 versions) vs the same table as static HTML"
    const target = { op: "<=", value: 1 }
    const absolute = "web page: first page usable vs the 1 s target"
    if (s.failed || s.skipped) {
      rows.push(missing(label, s.skipped ?? `failed: ${s.failed}`))
      rows.push(missing(absolute, s.skipped ?? `failed: ${s.failed}`, target))
    } else {
      rows.push(row(`${label} (median of ${s.ui.runs.length})`, { mreg: s.ui.median, baseline: s.static.median, render: ms }))
      rows.push(row(absolute, { mreg: s.ui.median, baseline: 1000, render: ms, target }))
    }
  }
  return rows
}

function markdown(rows) {
  const lines = [
    "| benchmark | mreg | baseline | ratio | target | met |",
    "| --- | ---: | ---: | ---: | :---: | :---: |"
  ]
  for (const r of rows) {
    const ratio = r.ratio === undefined || !Number.isFinite(r.ratio) ? "" : r.ratio < 0.1 ? r.ratio.toFixed(3) : r.ratio.toFixed(2)
    const met = r.skipped ? "" : r.met === undefined ? "" : r.met ? "yes" : "**no**"
    const cell = (c) => {
      const text = String(c).replace(/\s+/g, " ").replaceAll("|", "\\|")
      return text.length > 160 ? `${text.slice(0, 157)}…` : text
    }
    lines.push(`| ${[...r.cells, ratio, r.target ?? "", met].map(cell).join(" | ")} |`)
  }
  return lines.join("\n")
}
