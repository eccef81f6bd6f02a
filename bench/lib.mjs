// Helpers shared by the benchmark sections of `pnpm bench` (scripts/bench.mjs): module resolution inside the
// pnpm workspace, child servers on 127.0.0.1, autocannon runs, RSS sampling and small statistics.
import { spawn } from "node:child_process"
import { closeSync, existsSync, openSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

/** The repository root (this file lives in `<root>/bench`). */
export const root = fileURLToPath(new URL("..", import.meta.url))

/**
 * Serves a baseline `server` (bare store, upstream, forwarder) on HOST/PORT (default 127.0.0.1, random) with
 * keep-alive, logs "listening on http://127.0.0.1:<port>", and on SIGTERM closes it, awaits `close` and exits 0.
 */
export const listen = (server, close = async () => {}) => {
  server.keepAliveTimeout = 65_000
  server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => {
    console.log(`listening on http://127.0.0.1:${server.address().port}`)
  })
  process.on("SIGTERM", () => {
    server.close()
    server.closeAllConnections()
    Promise.resolve().then(close).finally(() => process.exit(0))
  })
}

// pnpm links a package only into the node_modules of the workspace packages that depend on it; the benchmark
// borrows them from there instead of declaring its own.
const BASES = ["packages/core", "packages/registry", "apps/proxy", "apps/cli"]

/** `require` of `name` as seen from the first workspace package that can resolve it. */
export const requireFrom = (name, bases = BASES) => {
  for (const base of bases) {
    try {
      return createRequire(join(root, base, "package.json"))(name)
    } catch {
      // not a dependency of this package: try the next one
    }
  }
  throw new Error(`cannot resolve ${name} from ${bases.join(", ")}`)
}

/** The ESM entry of `name` + `subpath` (package `exports`, condition `import`), as seen from `base`. */
export const importFrom = async (name, subpath = ".", base = "packages/core") => {
  const req = createRequire(join(root, base, "package.json"))
  const main = req.resolve(name)
  const isRoot = (dir) => existsSync(join(dir, "package.json")) && JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name === name
  let dir = dirname(main)
  while (!isRoot(dir)) {
    if (dirname(dir) === dir) throw new Error(`no package.json of ${name} above ${main}`)
    dir = dirname(dir)
  }
  const entry = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).exports?.[subpath]
  const file = typeof entry === "string" ? entry : entry?.import ?? entry?.default
  if (typeof file !== "string") throw new Error(`${name} exports no ${subpath}`)
  return import(pathToFileURL(join(dir, file)).href)
}

/** `pg` as @effect/sql-pg (a dependency of @mreg/registry) sees it: the driver the registry uses. */
export const requirePg = () => {
  const sqlPg = createRequire(join(root, "packages/registry/package.json")).resolve("@effect/sql-pg")
  return createRequire(sqlPg)("pg")
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** The address in a server's "listening" log line: `http://127.0.0.1:41231`, `127.0.0.1:41231`, `port 41231`. */
const ADDRESS = /(?:https?:\/\/)?(?:127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0|\[::\]):(\d{2,5})\b|\bport[ "=:]+(\d{2,5})\b/i

/** Servers started by {@link startServer} and not yet stopped, for {@link stopAll}. */
const live = new Set()

/** Stops every server still running (SIGTERM): for an interrupted benchmark. */
export const stopAll = () => Promise.all([...live].map((server) => server.stop()))

/**
 * Spawns `node <args>` with `env` (not merged: pass what it needs), its stdout and stderr going to `logFile` (a
 * file, not a pipe: a server that logs every request writes synchronously and must never wait for the benchmark to
 * read), and waits until a line containing "listening" names an address. Returns `{ child, pid, port, url, log(),
 * stop }`; `stop()` sends SIGTERM (SIGKILL after 3 s) and resolves on exit. Fails after `timeoutMs`, or when the
 * process exits first, with the end of its log.
 */
export const startServer = (name, args, { env, logFile, timeoutMs = 20_000 }) =>
  new Promise((resolve, reject) => {
    const fd = openSync(logFile, "w")
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", fd, fd] })
    closeSync(fd)
    const log = () => {
      try {
        return readFileSync(logFile, "utf8")
      } catch {
        return ""
      }
    }
    const exited = new Promise((done) => child.once("exit", done))
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM")
        const killer = setTimeout(() => child.kill("SIGKILL"), 3000)
        await exited
        clearTimeout(killer)
      }
      live.delete(handle)
    }
    const handle = { stop }
    live.add(handle)
    let settled = false
    const finish = (error, value) => {
      if (settled) return
      settled = true
      clearInterval(poll)
      clearTimeout(timer)
      if (error) stop().then(() => reject(new Error(`${name}: ${error}\n${log().trim().split("\n").slice(-15).join("\n")}`)))
      else resolve(value)
    }
    const poll = setInterval(() => {
      // Only the head of the log: the listening line comes before any request line.
      const head = log().slice(0, 64_000)
      for (const line of head.split("\n")) {
        const match = /listening/i.test(line) ? ADDRESS.exec(line) : null
        if (match) {
          const port = Number(match[1] ?? match[2])
          return finish(undefined, { child, pid: child.pid, port, url: `http://127.0.0.1:${port}`, log, stop })
        }
      }
    }, 25)
    const timer = setTimeout(() => finish(`did not log a listening address within ${timeoutMs} ms`), timeoutMs)
    child.once("error", (error) => finish(error.message))
    child.once("exit", (code, signal) => finish(`exited (${signal ?? code}) before listening`))
  })

/** Resident set size of `pid` in MB from /proc (`VmRSS`, or `VmHWM` for the peak so far); undefined when gone. */
export const rssMb = (pid, field = "VmRSS") => {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
    return kb === undefined ? undefined : Number(kb) / 1024
  } catch {
    return undefined
  }
}

/** Samples VmRSS of `pid` every `everyMs` until `stop()`, which returns `{ peakMb, samples }`. */
export const sampleRss = (pid, everyMs = 100) => {
  let peak = 0
  let samples = 0
  const tick = () => {
    const mb = rssMb(pid)
    if (mb !== undefined) {
      samples++
      if (mb > peak) peak = mb
    }
  }
  tick()
  const timer = setInterval(tick, everyMs)
  return { stop: () => (clearInterval(timer), tick(), { peakMb: peak, samples }) }
}

/**
 * One autocannon run (as fast as `connections` allow, or `overallRate` requests per second in all). Returns req/s (mean of per-second counts), latency p50/p99 in ms, and the failure counts; a
 * run where any response was not 2xx or any request failed is marked `ok: false` with a sample of the reason.
 */
export const load = async ({ url, method = "GET", body, headers = {}, connections, duration, overallRate }) => {
  const { default: autocannon } = await import("autocannon")
  let firstBad
  const result = await autocannon({
    url,
    method,
    body,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    connections,
    duration,
    ...(overallRate === undefined ? {} : { overallRate }),
    setupClient: (client) => {
      let last = ""
      // `body` hands over the socket chunk that held (part of) the body: enough to say why a request failed.
      client.on("body", (chunk) => {
        if (firstBad === undefined) last = chunk.toString("utf8", 0, Math.min(chunk.length, 600))
      })
      client.on("response", (statusCode) => {
        if (firstBad === undefined && (statusCode < 200 || statusCode > 299)) {
          firstBad = `HTTP ${statusCode}: ${last.replace(/\s+/g, " ").slice(-300)}`
        }
      })
    }
  })
  // autocannon counts a timed-out request (no answer within 10 s) both in `errors` and in `timeouts`.
  const failures = result.non2xx + result.errors
  return {
    ok: failures === 0 && result.requests.total > 0,
    reqPerSec: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    firstBad
  }
}
