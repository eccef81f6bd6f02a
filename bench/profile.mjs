#!/usr/bin/env node
// CPU profiles under the bench's load: starts one server with `node --cpu-prof`, loads it like `pnpm bench` does
// (warm-up, then the measured run), stops it with SIGTERM (the profile is written on exit) and prints
// bench/profile-summary.mjs's breakdown. The profile covers the whole process, start-up and warm-up included.
//
//   node bench/profile.mjs <target> [--out <dir>] [--under <regex>]…
//
// Targets (everything built first: `pnpm build`):
//   proxy-sqlite     mreg-proxy --insecure-no-auth on embedded SQLite       floor-sqlite    bench/floor.mjs sqlite
//   proxy-webhook    proxy-sqlite with one webhook subscribed to every event (bench/receiver.mjs answering 204); the
//                    worker thread's profile is written to --out beside the main thread's (the summary is the main's)
//   proxy-pg         mreg-proxy --insecure-no-auth on DATABASE_URL (a URL   floor-pg        bench/floor.mjs pg
//                    of a database it may write; PROFILE_DATABASE_URL)
//   proxy-upstream   mreg-proxy --upstream <loopback upstream>              floor-forward   bench/floor.mjs forward
//   bare-sqlite      bench/bare-store.mjs sqlite                            floor-fixed     bench/floor.mjs fixed
// Without --under, the inclusive shares of profile-summary.mjs's STACKS are printed.
// Environment: BENCH_DURATION (default 10), BENCH_CONNECTIONS (32), BENCH_WARMUP (min(5, duration / 2)).
// The .cpuprofile stays in --out (default a new folder under the system temp folder): open it in Chrome DevTools
// (Performance → Load profile) or summarise it again with other --under patterns.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cleanEnv, loadOpts, PATH, webhookReceiver } from "./http.mjs"
import { load, root, startServer } from "./lib.mjs"
import { STACKS, summarise } from "./profile-summary.mjs"

const args = process.argv.slice(2)
const target = args[0]
let out
const under = []
for (let i = 1; i < args.length; i++) {
  if (args[i] === "--out") out = args[++i]
  else if (args[i] === "--under") under.push(args[++i])
}
const duration = Number(process.env.BENCH_DURATION ?? 10)
const config = {
  duration,
  connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
  warmup: Number(process.env.BENCH_WARMUP ?? Math.min(5, duration / 2))
}
out ??= mkdtempSync(join(tmpdir(), `mreg-profile-${target}-`))
mkdirSync(out, { recursive: true })

const floor = join(root, "bench/floor.mjs")
const pgUrl = process.env.PROFILE_DATABASE_URL
// The proxy from its modules, not from dist/bin.js's bundle: the summary names each function's package by its file.
// With the heap growing factor dist/bin.js sets.
const PROXY = ["--heap-growing-percent=50", join(root, "apps/proxy/dist/internal/main.js")]
const TARGETS = {
  "proxy-sqlite": () => ({ args: [...PROXY, "--insecure-no-auth"], env: { MREG_HOME: join(out, "home") } }),
  "proxy-webhook": () => ({ args: [...PROXY, "--insecure-no-auth"], env: { MREG_HOME: join(out, "home") }, webhooks: true }),
  "proxy-pg": () => ({ args: [...PROXY, "--insecure-no-auth"], env: { DATABASE_URL: pgUrl, MREG_HOME: join(out, "home") }, needs: pgUrl }),
  "proxy-upstream": (up) => ({ args: [...PROXY, "--upstream", up], env: { MREG_HOME: join(out, "home") }, upstream: true }),
  "bare-sqlite": () => ({ args: [join(root, "bench/bare-store.mjs"), "sqlite", join(out, "bare.db")] }),
  "floor-sqlite": () => ({ args: [floor, "sqlite", join(out, "floor.db")] }),
  "floor-pg": () => ({ args: [floor, "pg", pgUrl], needs: pgUrl }),
  "floor-forward": (up) => ({ args: [floor, "forward", up], upstream: true }),
  "floor-fixed": () => ({ args: [floor, "fixed"] })
}
if (!(target in TARGETS)) {
  console.error(`usage: node bench/profile.mjs <${Object.keys(TARGETS).join(" | ")}> [--out <dir>] [--under <regex>]…`)
  process.exit(2)
}

let upstream
if (TARGETS[target]("").upstream) {
  upstream = await startServer("upstream", [join(root, "bench/upstream.mjs"), "upstream"], { env: cleanEnv(), logFile: join(out, "upstream.log") })
}
const spec = TARGETS[target](upstream?.url ?? "")
const receiver = spec.webhooks ? await webhookReceiver(out) : undefined
if (receiver) spec.args.push("--webhooks-file", receiver.file)
if ("needs" in spec && !spec.needs) {
  console.error(`${target} needs PROFILE_DATABASE_URL (a PostgreSQL database it may write)`)
  process.exit(2)
}
const headers = spec.upstream ? { authorization: "Bearer mreg-bench-token" } : {}
const opts = loadOpts(config, headers)
const spawned = performance.now()
const server = await startServer(target, ["--cpu-prof", `--cpu-prof-dir=${out}`, ...spec.args], {
  env: cleanEnv(spec.env),
  logFile: join(out, `${target}.log`)
})
let result
let sinceMs
try {
  await load({ ...opts, url: server.url + PATH, duration: config.warmup })
  sinceMs = Math.round(performance.now() - spawned)
  result = await load({ ...opts, url: server.url + PATH })
} finally {
  await server.stop()
  await upstream?.stop()
  await receiver?.receiver.stop()
}
// Node names a profile CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: the main thread is thread 0.
const profile = readdirSync(out).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
if (!profile) {
  console.error(`no .cpuprofile in ${out}: the server did not exit cleanly (see ${join(out, `${target}.log`)})`)
  process.exit(1)
}
const file = join(out, profile)
const patterns = under.length > 0 ? under : Object.values(STACKS)
const s = summarise(JSON.parse(readFileSync(file, "utf8")), { top: 25, under: patterns, sinceMs })
const labels = new Map(Object.entries(STACKS).map(([label, re]) => [re, label]))
const requests = result.total
console.log(`${target}: ${Math.round(result.reqPerSec)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms${result.ok ? "" : ` (NOT OK: ${result.firstBad ?? `${result.errors} errors`})`}`)
console.log(`profile: ${file} (summary: node bench/profile-summary.mjs ${file} --since ${sinceMs})`)
console.log(`busy ${(s.busyMs / 1000).toFixed(1)} s of ${(s.wallMs / 1000).toFixed(1)} s over ${requests} requests ≈ ${(s.busyMs / requests).toFixed(2)} ms of CPU per request (main thread)\n`)
const pct = (x) => `${(100 * x).toFixed(1)}%`.padStart(6)
console.log("| area | self time |\n| --- | ---: |")
for (const a of s.areas) if (a.share >= 0.005) console.log(`| ${a.area} | ${pct(a.share).trim()} |`)
console.log("\ntop packages:", s.packages.slice(0, 10).map((p) => `${p.pkg} ${pct(p.share).trim()}`).join(", "))
console.log("\ntop functions:")
for (const f of s.functions.slice(0, 20)) console.log(`${pct(f.share)}  ${f.name}  ${f.where}  [${f.pkg}]`)
if (s.under.length > 0) {
  console.log("\n| inclusive (a frame on the stack) | share |\n| --- | ---: |")
  for (const u of s.under) console.log(`| ${labels.get(u.pattern) ?? `/${u.pattern}/`} | ${pct(u.share).trim()} |`)
}
