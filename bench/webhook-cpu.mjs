#!/usr/bin/env node
// CPU a webhook subscription costs the request thread, in-process (no HTTP, Effect's tracer off as in the proxy):
// sequential upserts of examples/base.json on `ModelVersionsSql.layerSqlite`-like stacks on temp SQLite files, with
// no webhooks and with one subscription to every event; then, for the subscribed stacks, the dispatcher's store work
// (the claim and record statements the proxy runs on the main thread's connection on SQLite: `Queue.cycle`, claims
// of 128, every delivery recorded delivered), drained after each round. Variants take turns (A B C, A B C…) so that a
// change in the machine's load hits them alike; each prints its median CPU time (user + system of this process).
// Build first (`pnpm build`).
//
//   node bench/webhook-cpu.mjs            BENCH_UPSERTS (default 2000 per round, after 200 of warm-up), BENCH_ROUNDS (3)
//   REGISTRY_BEFORE=packages/registry/dist-before node bench/webhook-cpu.mjs   also a copy of an earlier build
//   (`cp -r packages/registry/dist packages/registry/dist-before` before the change: it resolves the same packages)
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { root } from "./lib.mjs"

const fromRegistry = createRequire(join(root, "packages/registry/package.json"))
const load = (name) => import(pathToFileURL(fromRegistry.resolve(name)).href)
const { Effect, Layer, ManagedRuntime } = await load("effect")
const { SqlClient } = await load("@effect/sql")
const { ModelVersions, Validation } = await import(pathToFileURL(join(root, "packages/core/dist/index.js")).href)

const decoded = Validation.decodeUpsertRequest(JSON.parse(readFileSync(join(root, "examples/base.json"), "utf8")))
if (decoded._tag === "Left") throw new Error("examples/base.json does not decode")
const manifest = decoded.right.manifest
const dir = mkdtempSync(join(tmpdir(), "mreg-webhook-cpu-"))
const file = {
  subscriptions: [{
    name: "bench",
    url: "http://127.0.0.1:9/hook",
    events: ["created", "updated", "tags_applied", "deleted"],
    secret: `whsec_${Buffer.alloc(32, 7).toString("base64")}`
  }]
}

/** A registry stack of the build at `dist` on its own file: upserts, and the dispatcher's store work. */
const stack = async (name, dist, hooked) => {
  const url = (path) => pathToFileURL(join(root, dist, path)).href
  const { ModelVersionsSql, Webhooks } = await import(url("index.js"))
  const { sqlQueue } = await import(url("internal/webhooks/queue.js"))
  const config = Webhooks.decode(file, "bench")
  if (config._tag === "Left") throw new Error(config.left.message)
  const base = Layer.provideMerge(ModelVersionsSql.layerMigrator, ModelVersionsSql.layerSqliteClient(join(dir, `${name}.db`)))
  const runtime = ManagedRuntime.make(Layer.provideMerge(ModelVersionsSql.layer({ webhooks: hooked ? Webhooks.makeOutbox(config.right) : undefined }), base))
  const run = (effect) => runtime.runPromise(effect.pipe(Effect.withTracerEnabled(false)))
  const upserts = (n) =>
    run(Effect.flatMap(ModelVersions.ModelVersions, (service) => Effect.forEach(Array.from({ length: n }), () => service.upsert(manifest), { discard: true })))
  /** Claims and records every pending delivery, as the dispatcher does (claims of 128): the number delivered. */
  const drain = () =>
    run(Effect.gen(function*() {
      const queue = sqlQueue(yield* SqlClient.SqlClient)
      let finished = []
      let total = 0
      for (;;) {
        const now = new Date().toISOString()
        const claimed = yield* queue.cycle(finished, { subscriptions: ["bench"], now, leaseUntil: new Date(Date.now() + 60_000).toISOString(), limit: 128 })
        finished = claimed.rows.map((row) => ({ id: row.id, seq: row.seq, token: claimed.token, outcome: { _tag: "delivered", statusCode: 204 } }))
        total += finished.length
        if (finished.length === 0) return total
      }
    }))
  return { name, upserts, drain: hooked ? drain : undefined, dispose: () => runtime.dispose() }
}

const before = process.env.REGISTRY_BEFORE
const stacks = [
  await stack("none", "packages/registry/dist", false),
  ...(before === undefined ? [] : [await stack("one subscription (before)", before, true)]),
  await stack("one subscription", "packages/registry/dist", true)
]
const upserts = Number(process.env.BENCH_UPSERTS ?? 2000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const cpuOf = async (f) => {
  const start = process.cpuUsage()
  const result = await f()
  const used = process.cpuUsage(start)
  return { ms: (used.user + used.system) / 1000, result }
}
const upsertMs = Object.fromEntries(stacks.map((s) => [s.name, []]))
const drainMs = Object.fromEntries(stacks.map((s) => [s.name, []]))
for (const s of stacks) {
  await s.upserts(200)
  await s.drain?.()
}
for (let round = 0; round < rounds; round++) {
  for (const s of stacks) {
    upsertMs[s.name].push((await cpuOf(() => s.upserts(upserts))).ms / upserts)
    if (s.drain !== undefined) {
      const { ms, result } = await cpuOf(s.drain)
      if (result !== upserts) throw new Error(`${s.name}: ${result} deliveries drained, ${upserts} expected`)
      drainMs[s.name].push(ms / result)
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const none = median(upsertMs.none)
console.log(`| registry | CPU ms per upsert (median, lowest) | added by the subscription | cycles, ms per delivery | upsert + cycles vs none |`)
console.log(`| --- | ---: | ---: | ---: | ---: |`)
for (const s of stacks) {
  const up = median(upsertMs[s.name])
  const cycles = s.drain === undefined ? 0 : median(drainMs[s.name])
  console.log(`| ${s.name} | ${up.toFixed(3)}, ${Math.min(...upsertMs[s.name]).toFixed(3)} | ${(up - none).toFixed(3)} | ${s.drain === undefined ? "–" : cycles.toFixed(3)} | ${(none / (up + cycles)).toFixed(2)} |`)
}
for (const s of stacks) await s.dispose()
rmSync(dir, { recursive: true, force: true })
