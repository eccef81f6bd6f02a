#!/usr/bin/env node
// The "webhook subscribed vs none" bench row as an A/B with CPU per thread: mreg-proxy on embedded SQLite with no
// webhooks, and with one subscription to every event (bench/receiver.mjs answering 204) for each build given; turns
// alternate (none, hooked…, none, hooked…) and before each turn every delivery so far has arrived, so no delivery
// runs during another's turn. Prints each variant's median req/s, the main thread's CPU per request (the request
// thread: /proc/<pid>/task/<pid>/stat) and the whole process's (worker thread included, measured until the turn's
// deliveries have all arrived), with ratios to none, and the median of the other threads' CPU per request (process
// minus main thread: with webhooks, mostly the dispatcher's worker thread per delivery; GC helpers and libuv's too),
// and the load average. Ratios from one run only. Build first (`pnpm build`).
//
//   node bench/webhook-ab.mjs [name=path/to/bin.js …]     default: this=apps/proxy/dist/bin.js
//   ROUNDS (5), BENCH_DURATION (5 s per turn), BENCH_CONNECTIONS (32), BENCH_RATE (none: as fast as the proxy
//   answers; N: N upserts/s in all, so every build's dispatcher claims batches of the same size and its CPU per
//   delivery compares at equal work — the req/s ratio then says nothing)
//
// A build before a change: copy apps/proxy/dist to apps/proxy/dist-before (it runs its own bundle,
// dist-before/bundle/main.js, the whole program of that build). A copy changed by hand for an experiment: copy
// apps/proxy/dist and packages/registry/dist, delete the proxy copy's bundle/ folder (bin.js runs the bundle when it
// is there, and the bundle does not see changes to the other files), replace the import "@mreg/registry" in the proxy
// copy's files with the absolute path of the registry copy's index.js, and change the copies; compare it with a copy
// made the same way and left unchanged, not with the bundled build.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { cleanEnv, loadOpts, PATH, webhookReceiver } from "./http.mjs"
import { load, median, root, startServer, stopAll } from "./lib.mjs"

const startLoad = loadavg().map((n) => n.toFixed(1)).join(" ")
const tmp = mkdtempSync(join(tmpdir(), "mreg-webhook-ab-"))
const builds = process.argv.slice(2).map((word) => word.split("="))
if (builds.length === 0) builds.push(["this", "apps/proxy/dist/bin.js"])
const ticks = (path) => {
  const fields = readFileSync(path, "utf8").replace(/^.*\) /, "").split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}
/** CPU time so far (ms) of the main thread and of the whole process. */
const cpu = (pid) => ({
  main: ticks(`/proc/${pid}/task/${pid}/stat`),
  total: readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => sum + ticks(`/proc/${pid}/task/${tid}/stat`), 0)
})

try {
  const { drainedTo, file } = await webhookReceiver(tmp)
  let sent = 0
  const drained = () => drainedTo(sent)
  const variants = [["none", "apps/proxy/dist/bin.js", false], ...builds.map(([name, bin]) => [name, bin, true])]
    .map(([name, bin, hooked]) => ({ name, args: [join(root, bin), "--insecure-no-auth", ...(hooked ? ["--webhooks-file", file] : [])], hooked, runs: [] }))
  const rate = process.env.BENCH_RATE === undefined ? {} : { overallRate: Number(process.env.BENCH_RATE) }
  const opts = { ...loadOpts({ duration: Number(process.env.BENCH_DURATION ?? 5), connections: Number(process.env.BENCH_CONNECTIONS ?? 32), warmup: 3 }), ...rate }
  for (const [n, v] of variants.entries()) {
    v.server = await startServer(v.name, v.args, { env: cleanEnv({ MREG_HOME: join(tmp, `home-${n}`) }), logFile: join(tmp, `${v.name}.log`) })
    const warm = await load({ ...opts, url: v.server.url + PATH, duration: opts.warmup })
    if (v.hooked) sent += warm.total
    await drained()
  }
  for (let round = 0; round < Number(process.env.ROUNDS ?? 5); round++) {
    for (const v of variants) {
      await drained()
      const before = cpu(v.server.pid)
      const result = await load({ ...opts, url: v.server.url + PATH })
      if (v.hooked) sent += result.total
      await drained()
      const after = cpu(v.server.pid)
      const main = (after.main - before.main) / result.total
      const total = (after.total - before.total) / result.total
      v.runs.push({ reqPerSec: result.reqPerSec, main, total, others: total - main })
    }
  }
  const mid = (v, key) => median(v.runs.map((run) => run[key]))
  const none = variants[0]
  console.log(`load average ${loadavg().map((n) => n.toFixed(1)).join(" ")} (at the start: ${startLoad})`)
  console.log("| variant | req/s | ratio | main-thread CPU ms/request | ratio | process CPU ms/request | ratio | other threads ms/request |")
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
  for (const v of variants) {
    const cells = ["reqPerSec", "main", "total"].map((key) => [mid(v, key), mid(v, key) / mid(none, key)])
    console.log(`| ${v.name} | ${Math.round(cells[0][0])} | ${cells[0][1].toFixed(2)} | ${cells[1][0].toFixed(3)} | ${cells[1][1].toFixed(2)} | ${cells[2][0].toFixed(3)} | ${cells[2][1].toFixed(2)} | ${mid(v, "others").toFixed(3)} |`)
  }
} finally {
  await stopAll()
}
