#!/usr/bin/env node
// Effect operations and FiberRefs copies per request (deterministic, unlike CPU time on a shared machine): starts
// each variant with bench/ops-preload.mjs, loads it with the upsert load of bench/ab.mjs (warm-up, then a measured
// run), and divides the counts of the measured run by its requests.
//
//   node bench/ops.mjs -- <name>=<script> [args…] -- …     e.g. -- before=apps/proxy/dist-before/internal/main.js --insecure-no-auth
// (the proxy's modules, `…/dist/internal/main.js`: dist/bin.js runs a bundle with its own copy of effect, which the
// preload does not see).
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { cleanEnv, loadOpts, PATH } from "./http.mjs"
import { load, root, startServer, stopAll } from "./lib.mjs"

const argv = process.argv.slice(2)
const variants = []
for (let i = 0; i < argv.length; i++) {
  if (argv[i] !== "--") continue
  const words = []
  while (i + 1 < argv.length && argv[i + 1] !== "--") words.push(argv[++i])
  const [name, ...script] = words[0].split("=")
  variants.push({ name, args: [script.join("="), ...words.slice(1)] })
}
const tmp = mkdtempSync(join(tmpdir(), "mreg-ops-"))
const opts = loadOpts({ duration: 3, connections: 8, warmup: 2 }, {})
const snapshot = async (v) => {
  process.kill(v.server.pid, "SIGUSR2")
  await sleep(200)
  const lines = readFileSync(v.file, "utf8").trim().split("\n")
  return JSON.parse(lines.at(-1))
}
try {
  console.log("| variant | requests | Effect operations per request | FiberRefs copies per request |\n| --- | ---: | ---: | ---: |")
  for (const [n, v] of variants.entries()) {
    v.file = join(tmp, `${v.name}.ops`)
    v.server = await startServer(v.name, v.args, {
      env: cleanEnv({ MREG_HOME: join(tmp, `home-${n}`), OPS_FILE: v.file, NODE_OPTIONS: `--import=${join(root, "bench/ops-preload.mjs")}` }),
      logFile: join(tmp, `${v.name}.log`)
    })
    await load({ ...opts, url: v.server.url + PATH, duration: 2 })
    const before = await snapshot(v)
    const run = await load({ ...opts, url: v.server.url + PATH, duration: 3 })
    const after = await snapshot(v)
    const per = (key) => ((after[key] - before[key]) / run.total).toFixed(1)
    console.log(`| ${v.name} | ${run.total} | ${per("ops")} | ${per("refs")} |`)
    await v.server.stop()
  }
} finally {
  await stopAll()
}
