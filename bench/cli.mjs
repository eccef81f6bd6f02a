// Row 4 of `pnpm bench`: wall time of `mreg validate` and of `mreg upsert` on the embedded SQLite registry vs
// `node -e 0`, by repeated spawns (hyperfine is not installed): the three commands take turns, median of `runs`.
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { median, root } from "./lib.mjs"

export const CLI = join(root, "apps/cli/dist/mreg.mjs")

/** Spawns `node args…`; resolves to `{ ms, code, stderr }` (wall time from spawn to exit). */
const time = (args, env) =>
  new Promise((resolve) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk))
    child.on("exit", (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, stderr }))
    child.on("error", (error) => resolve({ ms: NaN, code: -1, stderr: error.message }))
  })

/**
 * Returns `{ node, version, validate, upsert }`, each `{ median, runs: [ms…] }`, plus `ok` and the first failure. The
 * manifests: `validate -f examples/distilbert-sst2.json`, `upsert -f examples/base.json` (no `version`: every run
 * stores a new version) into a temporary MREG_HOME.
 */
export const benchCli = async ({ runs = 15, warmup = 2 } = {}) => {
  const home = mkdtempSync(join(tmpdir(), "mreg-bench-cli-"))
  const env = { ...process.env, MREG_HOME: home, NO_COLOR: "1" }
  delete env.DATABASE_URL
  delete env.TFY_HOST
  const commands = {
    node: ["-e", "0"],
    // Start-up alone (load the bundle, parse argv, print): what validate and upsert spend before their own work.
    version: [CLI, "--version"],
    validate: [CLI, "validate", "-f", join(root, "examples/distilbert-sst2.json")],
    upsert: [CLI, "upsert", "-f", join(root, "examples/base.json")]
  }
  const times = { node: [], version: [], validate: [], upsert: [] }
  const failures = []
  try {
    for (let i = 0; i < warmup + runs; i++) {
      for (const [name, args] of Object.entries(commands)) {
        const { ms, code, stderr } = await time(args, env)
        if (code !== 0) failures.push(`${name} exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" ")}`)
        if (i >= warmup) times[name].push(ms)
      }
    }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
  const summary = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs })
  return {
    ok: failures.length === 0,
    failures: failures.slice(0, 3),
    node: summary(times.node),
    version: summary(times.version),
    validate: summary(times.validate),
    upsert: summary(times.upsert)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchCli()
  console.log(JSON.stringify({ ...r, node: r.node.median, version: r.version.median, validate: r.validate.median, upsert: r.upsert.median }, null, 2))
}
