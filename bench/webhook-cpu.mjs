#!/usr/bin/env node
// CPU a webhook subscription costs the request thread, in-process (no HTTP, Effect's tracer off as in the proxy):
// sequential upserts of examples/base.json on `ModelVersionsSql.layer` stacks on temp SQLite files, with no webhooks
// and with one subscription to every event. For a subscribed stack, after every 90 upserts (what the proxy's
// dispatcher claims at once at 900 upserts/s) one dispatcher cycle runs as the proxy runs it on SQLite, on the main
// thread's connection (`Queue.cycle`: the previous claim's outcomes recorded delivered, then a claim of up to 128), and
// at the end of a round until nothing is left. Stacks take turns (A B C, A B C…) so that a change in the machine's
// load hits them alike; each prints its median CPU time per upsert (user + system of this process) in the upserts
// and in the cycles, and `none / (upsert + cycles)`: the request thread's share of the "webhook subscribed vs none"
// bench row. Build first (`pnpm build`).
//
//   node bench/webhook-cpu.mjs            BENCH_UPSERTS (default 2000 per round, after 200 of warm-up), BENCH_ROUNDS (3)
//   BENCH_PER_CLAIM (90): upserts per cycle; RECORD_APART=1: each claim's outcomes recorded in a transaction of their
//   own before the next claim (as the dispatcher records them, right after a claim's attempts) instead of in the
//   next claim's transaction (docs/performance.md, "Webhooks, fifth pass")
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

/**
 * A registry stack of the build at `dist` on its own file. `round(n)` upserts `n` times; with webhooks, after every
 * `PER_CLAIM` upserts it runs one dispatcher cycle as the proxy does on SQLite (`Queue.cycle`: the outcomes of the
 * previous claim recorded delivered, then a claim), and at the end until nothing is left. It returns the CPU time
 * spent in the upserts and in the cycles (ms).
 */
const stack = async (name, dist, hooked) => {
  const url = (path) => pathToFileURL(join(root, dist, path)).href
  const { ModelVersionsSql, Webhooks } = await import(url("index.js"))
  const { sqlQueue } = await import(url("internal/webhooks/queue.js"))
  const config = Webhooks.decode(file, "bench")
  if (config._tag === "Left") throw new Error(config.left.message)
  const base = Layer.provideMerge(ModelVersionsSql.layerMigrator, ModelVersionsSql.layerSqliteClient(join(dir, `${name}.db`)))
  const runtime = ManagedRuntime.make(Layer.provideMerge(ModelVersionsSql.layer({ webhooks: hooked ? Webhooks.makeOutbox(config.right) : undefined }), base))
  const cpu = () => {
    const { system, user } = process.cpuUsage()
    return (user + system) / 1000
  }
  const round = (n) =>
    runtime.runPromise(Effect.gen(function*() {
      const service = yield* ModelVersions.ModelVersions
      const queue = sqlQueue(yield* SqlClient.SqlClient)
      let finished = []
      let delivered = 0
      /** One cycle: the previous claim's outcomes, then a claim: the number claimed. */
      const cycle = Effect.suspend(() => {
        const claim = { subscriptions: ["bench"], now: new Date().toISOString(), leaseUntil: new Date(Date.now() + 60_000).toISOString(), limit: 128 }
        // RECORD_APART=1: the outcomes in a write of their own before the claim's (two transactions per cycle).
        const write = RECORD_APART
          ? Effect.zipRight(finished.length === 0 ? Effect.void : queue.cycle(finished, { ...claim, limit: 0 }), queue.cycle([], claim))
          : queue.cycle(finished, claim)
        return Effect.map(write, (claimed) => {
          finished = claimed.rows.map((row) => ({ id: row.id, seq: row.seq, token: claimed.token, outcome: { _tag: "delivered", statusCode: 204 } }))
          delivered += finished.length
          return finished.length
        })
      })
      const spent = { upserts: 0, cycles: 0 }
      for (let done = 0; done < n; done += PER_CLAIM) {
        const started = cpu()
        for (let i = done; i < Math.min(n, done + PER_CLAIM); i++) yield* service.upsert(manifest)
        const upserted = cpu()
        spent.upserts += upserted - started
        if (hooked) {
          yield* cycle
          spent.cycles += cpu() - upserted
        }
      }
      const started = cpu()
      while (hooked && ((yield* cycle) > 0 || finished.length > 0));
      spent.cycles += cpu() - started
      if (hooked && delivered !== n) throw new Error(`${name}: ${delivered} deliveries claimed, ${n} expected`)
      return spent
    }).pipe(Effect.withTracerEnabled(false)))
  return { name, hooked, round, dispose: () => runtime.dispose() }
}

/** Upserts per cycle: about what the proxy's dispatcher claims at once at 900 upserts/s (it gathers for 100 ms). */
const PER_CLAIM = Number(process.env.BENCH_PER_CLAIM ?? 90)
const RECORD_APART = process.env.RECORD_APART === "1"
const before = process.env.REGISTRY_BEFORE
const stacks = [
  await stack("none", "packages/registry/dist", false),
  ...(before === undefined ? [] : [await stack("one subscription (before)", before, true)]),
  await stack("one subscription", "packages/registry/dist", true)
]
const upserts = Number(process.env.BENCH_UPSERTS ?? 2000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const upsertMs = Object.fromEntries(stacks.map((s) => [s.name, []]))
const cycleMs = Object.fromEntries(stacks.map((s) => [s.name, []]))
for (const s of stacks) await s.round(200)
for (let round = 0; round < rounds; round++) {
  for (const s of stacks) {
    const spent = await s.round(upserts)
    upsertMs[s.name].push(spent.upserts / upserts)
    cycleMs[s.name].push(spent.cycles / upserts)
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const none = median(upsertMs.none)
console.log(`| registry | CPU ms per upsert (median) | added by the subscription | cycles, ms per delivery | none / (upsert + cycles) |`)
console.log(`| --- | ---: | ---: | ---: | ---: |`)
for (const s of stacks) {
  const up = median(upsertMs[s.name])
  const cycles = median(cycleMs[s.name])
  console.log(`| ${s.name} | ${up.toFixed(3)} | ${(up - none).toFixed(3)} | ${s.hooked ? cycles.toFixed(3) : "–"} | ${(none / (up + cycles)).toFixed(2)} |`)
}
for (const s of stacks) await s.dispose()
rmSync(dir, { recursive: true, force: true })
