#!/usr/bin/env node
// CPU time per request of each server under the bench's load: the server's user + system CPU (from /proc) over the
// measured run, divided by its requests. Unlike req/s, it hardly changes when other processes compete for the cores,
// so changes can be compared on a busy machine. Linux only.
//
//   node bench/cpu.mjs <target>…      (targets as in bench/profile.mjs: proxy-sqlite, floor-sqlite, bare-sqlite, …)
//
// Environment: BENCH_DURATION (default 5), BENCH_CONNECTIONS (32), BENCH_WARMUP (min(3, duration / 2)).
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cleanEnv, loadOpts, PATH, PROXY } from "./http.mjs"
import { load, root, sampleRss, startServer } from "./lib.mjs"

const duration = Number(process.env.BENCH_DURATION ?? 5)
const config = {
  duration,
  connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
  warmup: Number(process.env.BENCH_WARMUP ?? Math.min(3, duration / 2))
}
const out = mkdtempSync(join(tmpdir(), "mreg-cpu-"))
const floor = join(root, "bench/floor.mjs")
const bare = join(root, "bench/bare-store.mjs")
const pgUrl = process.env.PROFILE_DATABASE_URL
const TARGETS = {
  "proxy-sqlite": () => ({ args: [PROXY, "--insecure-no-auth"], env: { MREG_HOME: join(out, "home-sqlite") } }),
  "proxy-pg": () => ({ args: [PROXY, "--insecure-no-auth"], env: { DATABASE_URL: pgUrl, MREG_HOME: join(out, "home-pg") } }),
  "proxy-upstream": (up) => ({ args: [PROXY, "--upstream", up], env: { MREG_HOME: join(out, "home-up") }, upstream: true }),
  "bare-sqlite": () => ({ args: [bare, "sqlite", join(out, "bare.db")] }),
  "bare-pg": () => ({ args: [bare, "pg", pgUrl] }),
  "bare-forward": (up) => ({ args: [join(root, "bench/upstream.mjs"), "forward", up], upstream: true }),
  "bare-fixed": () => ({ args: [join(root, "bench/upstream.mjs"), "upstream"] }),
  "floor-sqlite": () => ({ args: [floor, "sqlite", join(out, "floor.db")] }),
  "floor-pg": () => ({ args: [floor, "pg", pgUrl] }),
  "floor-forward": (up) => ({ args: [floor, "forward", up], upstream: true }),
  "floor-fixed": () => ({ args: [floor, "fixed"] })
}
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // utime + stime, in clock ticks of 10 ms
}
console.log("| target | req/s | p99 ms | CPU ms/request | peak RSS MB |\n| --- | ---: | ---: | ---: | ---: |")
for (const target of process.argv.slice(2)) {
  if (!(target in TARGETS)) throw new Error(`unknown target ${target} (known: ${Object.keys(TARGETS).join(", ")})`)
  let upstream
  if (TARGETS[target]("").upstream) {
    upstream = await startServer("upstream", [join(root, "bench/upstream.mjs"), "upstream"], { env: cleanEnv(), logFile: join(out, "upstream.log") })
  }
  const spec = TARGETS[target](upstream?.url ?? "")
  const headers = spec.upstream ? { authorization: "Bearer mreg-bench-token" } : {}
  const opts = loadOpts(config, headers)
  const server = await startServer(target, spec.args, { env: cleanEnv(spec.env), logFile: join(out, `${target}.log`) })
  try {
    await load({ ...opts, url: server.url + PATH, duration: config.warmup })
    const rss = sampleRss(server.pid)
    const before = cpuMs(server.pid)
    const result = await load({ ...opts, url: server.url + PATH })
    const used = cpuMs(server.pid) - before
    const { peakMb } = rss.stop()
    console.log(`| ${target} | ${Math.round(result.reqPerSec)} | ${result.p99} | ${(used / result.total).toFixed(2)} | ${Math.round(peakMb)} |${result.ok ? "" : " NOT OK"}`)
  } finally {
    await server.stop()
    await upstream?.stop()
  }
}
