#!/usr/bin/env node
// The webhook dispatcher's worker thread alone, CPU per delivery at equal work: starts the built `worker.js` of each
// registry build given (as the proxy does on SQLite: its store requests come to this thread), answers its claims with
// batches of BATCH ready rows (a ≈ 1.8 KB `updated` payload, as the bench's upserts make) until DELIVERIES rows went
// out, and reads the worker thread's CPU (user + system, /proc/<pid>/task/<tid>/stat) from the first claim after
// WARMUP outcomes were recorded (start-up, connections, JIT) until all are. bench/receiver.mjs answers 204 in its own process. No SQL, no request thread, no load
// generator: what the worker itself spends per delivery (signing, the POST, Effect's runtime, the messages to the main
// thread). Builds take turns, ROUNDS times; prints each one's median and its ratio to the first. Build first.
//
//   node bench/webhook-worker.mjs [name=path/to/registry/dist …]   default: this=packages/registry/dist
//   DELIVERIES (10000 per round), WARMUP (1000), BATCH (90: what the proxy claims at ≈ 900 upserts/s), ROUNDS (5)
//
// A build before a change: `cp -r packages/registry/dist packages/registry/dist-before` before it.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { Worker } from "node:worker_threads"
import { median, root, startServer, stopAll } from "./lib.mjs"
import { cleanEnv } from "./http.mjs"

const DELIVERIES = Number(process.env.DELIVERIES ?? 10_000)
const WARMUP = Number(process.env.WARMUP ?? 1000)
const BATCH = Number(process.env.BATCH ?? 90)
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const builds = process.argv.slice(2).map((word) => word.split("="))
if (builds.length === 0) builds.push(["this", "packages/registry/dist"])

const load = () => loadavg().map((n) => n.toFixed(1)).join(" ")
const ticks = (tid) => {
  const fields = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}
const tasks = () => new Set(readdirSync(`/proc/${process.pid}/task`))
const payload = JSON.stringify({
  type: "updated",
  timestamp: "2026-12-03T21:00:00.000Z",
  data: { id: "v".repeat(36), fqn: "model:truefoundry/bench/model:1", manifest: { name: "model", metadata: { pad: "x".repeat(1500) } } }
})

/** One round of `dist`'s worker: worker-thread CPU ms per delivery. */
const round = (dist, receiverUrl) =>
  new Promise((resolve, reject) => {
    const before = tasks()
    const wake = new SharedArrayBuffer(4)
    const file = {
      subscriptions: [{ name: "bench", url: `${receiverUrl}/hook`, events: ["created", "updated", "tags_applied", "deleted"], secret: `whsec_${Buffer.alloc(32, 7).toString("base64")}` }],
      delivery: { batch: BATCH }
    }
    const worker = new Worker(new URL(`file://${join(root, dist, "internal/webhooks/worker.js")}`), { workerData: { file, store: { _tag: "Main" }, wake } })
    let tid
    let started
    let sent = 0
    let recorded = 0
    let seq = 0
    let from = 0
    const answer = (id, result) => worker.postMessage({ _tag: "stored", id, ok: true, result })
    worker.on("message", (message) => {
      if (message._tag === "log" && message.level !== "Info") console.error(message)
      if (message._tag !== "store") return
      const { request } = message
      if (request.op !== "cycle") return answer(message.id, request.op === "depth" ? 0 : undefined)
      recorded += request.finished.length
      if (tid === undefined && recorded >= WARMUP) {
        // The worker thread: the busiest of the threads that appeared with it.
        const fresh = [...tasks()].filter((t) => !before.has(t))
        tid = fresh.sort((a, b) => ticks(b) - ticks(a))[0]
        started = ticks(tid)
        from = recorded
      }
      const n = Math.min(request.claim.limit, DELIVERIES - sent)
      const rows = Array.from({ length: n }, () => {
        seq++
        return { seq, id: `msg_${seq}_bench`, subscription: "bench", event_type: "updated", payload, attempts: 1 }
      })
      sent += n
      answer(message.id, { token: `t${seq}`, rows })
      if (recorded === DELIVERIES) {
        const ms = ticks(tid) - started
        worker.postMessage({ _tag: "stop" })
        worker.once("exit", () => resolve(ms / (DELIVERIES - from)))
      }
    })
    worker.on("error", reject)
    worker.postMessage({ _tag: "wake" })
  })

try {
  const receiver = await startServer("webhook-receiver", [join(root, "bench/receiver.mjs")], { env: cleanEnv(), logFile: join(mkdtempSync(join(tmpdir(), "mreg-webhook-worker-")), "receiver.log") })
  const startLoad = load()
  const runs = builds.map(() => [])
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, [, dist]] of builds.entries()) runs[i].push(await round(dist, receiver.url))
  }
  console.log(`${DELIVERIES} deliveries per round (${WARMUP} of warm-up) in batches of ${BATCH}, ${ROUNDS} rounds; load average ${startLoad} → ${load()}`)
  console.log("| build | worker-thread CPU ms per delivery | ratio | rounds |")
  console.log("| --- | ---: | ---: | --- |")
  const first = median(runs[0])
  for (const [i, [name]] of builds.entries()) console.log(`| ${name} | ${median(runs[i]).toFixed(4)} | ${(median(runs[i]) / first).toFixed(2)} | ${runs[i].map((x) => x.toFixed(3)).join(" ")} |`)
} finally {
  await stopAll()
}
