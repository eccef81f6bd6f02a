#!/usr/bin/env node
// CPU per upsert of the embedded registry straight (no HTTP) on a SQLite file (`ModelVersionsSql.layerSqlite`,
// Effect's tracer off as in the proxy), against bench/bare-store.mjs's statements on the same driver (better-sqlite3,
// one synchronous transaction: the bare server's store, without its HTTP server). Sequential upserts of
// examples/base.json (no `version`: each one creates a version); the two take turns for 7 rounds and each prints its
// median and lowest CPU time per upsert (user + system of this process). Build first (`pnpm build`).
//
//   node bench/registry-cpu.mjs            BENCH_UPSERTS (default 2000 per round)
//   REGISTRY_BEFORE=packages/registry/dist-before node bench/registry-cpu.mjs   also a copy of an earlier build
//   (`cp -r packages/registry/dist packages/registry/dist-before` before the change: it resolves the same packages)
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { root } from "./lib.mjs"

const fromRegistry = createRequire(join(root, "packages/registry/package.json"))
const load = (name) => import(pathToFileURL(fromRegistry.resolve(name)).href)
const { Effect, ManagedRuntime } = await load("effect")
const { openStore } = await import("./bare-store.mjs")
const { ModelVersions, Validation } = await import(pathToFileURL(join(root, "packages/core/dist/index.js")).href)
const { ModelVersionsSql } = await import(pathToFileURL(join(root, "packages/registry/dist/index.js")).href)

const decoded = Validation.decodeUpsertRequest(JSON.parse(readFileSync(join(root, "examples/base.json"), "utf8")))
if (decoded._tag === "Left") throw new Error("examples/base.json does not decode")
const manifest = decoded.right.manifest
const dir = mkdtempSync(join(tmpdir(), "mreg-registry-cpu-"))
const registry = ManagedRuntime.make(ModelVersionsSql.layerSqlite({ filename: join(dir, "registry.db") }))
const before = process.env.REGISTRY_BEFORE
const registryBefore = before === undefined ? undefined : ManagedRuntime.make(
  (await import(pathToFileURL(join(root, before, "index.js")).href)).ModelVersionsSql.layerSqlite({ filename: join(dir, "before.db") })
)
const upsertsOn = (runtime) => (n) =>
  runtime.runPromise(Effect.flatMap(ModelVersions.ModelVersions, (service) =>
    Effect.forEach(Array.from({ length: n }), () => service.upsert(manifest), { discard: true })).pipe(Effect.withTracerEnabled(false)))
const bare = await openStore("sqlite", join(dir, "bare.db"))
const body = JSON.parse(readFileSync(join(root, "examples/base.json"), "utf8")).manifest
const variants = {
  ...(registryBefore === undefined ? {} : { [`${before} (layerSqlite)`]: upsertsOn(registryBefore) }),
  "ModelVersionsSql.layerSqlite": upsertsOn(registry),
  "bare store statements": async (n) => {
    for (let i = 0; i < n; i++) await bare.upsert(body)
  }
}
const upserts = Number(process.env.BENCH_UPSERTS ?? 2000)
const cpu = Object.fromEntries(Object.keys(variants).map((name) => [name, []]))
for (const run of Object.values(variants)) await run(500)
for (let round = 0; round < 7; round++) {
  for (const [name, run] of Object.entries(variants)) {
    const start = process.cpuUsage()
    await run(upserts)
    const used = process.cpuUsage(start)
    cpu[name].push((used.user + used.system) / 1000 / upserts)
  }
}
const first = Object.keys(variants)[0]
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(`| store | CPU ms per upsert (median) | lowest | ratio |\n| --- | ---: | ---: | ---: |`)
for (const [name, xs] of Object.entries(cpu)) {
  console.log(`| ${name} | ${median(xs).toFixed(3)} | ${Math.min(...xs).toFixed(3)} | ${(median(xs) / median(cpu[first])).toFixed(2)} |`)
}
await registry.dispose()
await registryBefore?.dispose()
await bare.close()
rmSync(dir, { recursive: true, force: true })
