#!/usr/bin/env node
// A/B of servers in one run: starts every variant (idle servers cost nothing), then loads them in turn for
// `--rounds` rounds (A B C, A B C, …: a change in the machine's load hits every variant alike) with the bench's
// upsert load, and prints each variant's median req/s, p99, CPU time per request (user + system, from /proc: the
// steadiest number when other jobs share the cores) and peak RSS, with ratios to the first variant. This is how a
// change is measured on the shared machine: ratios from one run, never absolute numbers across runs.
//
//   node bench/ab.mjs [--rounds 3] [--upstream] -- <name>=<script> [args…] -- <name>=<script> [args…] …
//
// Each variant is `node <script> [args…]` with the bench's clean environment; `NAME=value` words before the script
// are added to its environment (`proxy=KEY=1 apps/proxy/dist/bin.js --insecure-no-auth`). `{tmp}` in an argument
// or value is a fresh folder of the run, `{upstream}` the URL of bench/upstream.mjs's loopback upstream (started
// with `--upstream`, whose load also sends a bearer token). BENCH_DURATION (default 5 s per turn),
// BENCH_WARMUP (3 s, once per variant) and BENCH_CONNECTIONS (32) apply.
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cleanEnv, loadOpts, PATH } from "./http.mjs"
import { load, median, root, sampleRss, startServer, stopAll } from "./lib.mjs"

const argv = process.argv.slice(2)
let rounds = 3
let withUpstream = false
const variants = []
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--rounds") rounds = Number(argv[++i])
  else if (argv[i] === "--upstream") withUpstream = true
  else if (argv[i] === "--") {
    const words = []
    while (i + 1 < argv.length && argv[i + 1] !== "--") words.push(argv[++i])
    const [name, ...rest] = words[0]?.split("=") ?? []
    if (!name || rest.length === 0) throw new Error(`a variant is <name>=<script> [args…], got ${words.join(" ")}`)
    const all = [rest.join("="), ...words.slice(1)]
    const env = {}
    while (all.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(all[0])) {
      const [key, ...value] = all.shift().split("=")
      env[key] = value.join("=")
    }
    variants.push({ name, env, args: all })
  }
}
if (variants.length === 0) {
  console.error("usage: node bench/ab.mjs [--rounds 3] [--upstream] -- <name>=<script> [args…] -- …")
  process.exit(2)
}
const duration = Number(process.env.BENCH_DURATION ?? 5)
const warmup = Number(process.env.BENCH_WARMUP ?? 3)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32)
const tmp = mkdtempSync(join(tmpdir(), "mreg-ab-"))
const opts = loadOpts({ duration, connections, warmup }, withUpstream ? { authorization: "Bearer mreg-bench-token" } : {})
const uptime = () => (
  import("node:os").then(({ loadavg }) => loadavg().map((x) => x.toFixed(2)).join(" "))
)

/** CPU time (user + system) of `pid` so far, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}

console.log(`load average at the start: ${await uptime()}`)
try {
  const upstream = withUpstream
    ? await startServer("upstream", [join(root, "bench/upstream.mjs"), "upstream"], { env: cleanEnv(), logFile: join(tmp, "upstream.log") })
    : undefined
  const fill = (s) => s.replaceAll("{tmp}", tmp).replaceAll("{upstream}", upstream?.url ?? "")
  for (const [n, v] of variants.entries()) {
    const env = Object.fromEntries(Object.entries(v.env).map(([k, x]) => [k, fill(x)]))
    v.server = await startServer(v.name, v.args.map(fill), {
      env: cleanEnv({ MREG_HOME: join(tmp, `home-${n}`), ...env }),
      logFile: join(tmp, `${v.name}.log`)
    })
    v.runs = []
    v.peakMb = 0
    await load({ ...opts, url: v.server.url + PATH, duration: warmup })
  }
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const rss = sampleRss(v.server.pid)
      const cpu = cpuMs(v.server.pid)
      const result = await load({ ...opts, url: v.server.url + PATH })
      result.cpuPerRequest = (cpuMs(v.server.pid) - cpu) / result.total
      v.peakMb = Math.max(v.peakMb, rss.stop().peakMb)
      if (!result.ok) console.log(`${v.name}: NOT OK ${result.firstBad ?? `${result.errors} errors`}`)
      v.runs.push(result)
    }
  }
  const base = variants[0]
  const rps = (v) => median(v.runs.map((x) => x.reqPerSec))
  const p99 = (v) => median(v.runs.map((x) => x.p99))
  const cpu = (v) => median(v.runs.map((x) => x.cpuPerRequest))
  console.log(`\n${rounds} rounds of ${duration} s, ${connections} connections; load average at the end: ${await uptime()}; logs in ${tmp}\n`)
  console.log("| variant | req/s (median) | ratio | p99 ms | p99 ratio | CPU ms/request | CPU ratio | peak RSS MB | RSS ratio |")
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
  for (const v of variants) {
    console.log(`| ${v.name} | ${Math.round(rps(v))} | ${(rps(v) / rps(base)).toFixed(2)} | ${p99(v)} | ${(p99(v) / p99(base)).toFixed(2)} | ${cpu(v).toFixed(3)} | ${(cpu(v) / cpu(base)).toFixed(2)} | ${Math.round(v.peakMb)} | ${(v.peakMb / base.peakMb).toFixed(2)} |`)
  }
} finally {
  await stopAll()
}
