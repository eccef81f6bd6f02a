// The proxy rows of `pnpm bench`: `mreg-proxy` under autocannon against bare `node:http` baselines and against its
// stack floor (bench/floor.mjs: the same contract on a minimal HttpApi server), everything on 127.0.0.1 and stopped
// at the end. Each section reads bare → floor → proxy.
// - upsert on the embedded registry, SQLite and PostgreSQL: PUT of examples/base.json (no `version`, so every
//   request stores a new version) to the proxy vs bench/bare-store.mjs with the same driver and statements, and vs
//   bench/floor.mjs running those statements in its HttpApi handler; the SQLite run also samples RSS;
// - upstream mode: the proxy vs bench/upstream.mjs's bare forwarder and vs the floor forwarding through the derived
//   client, all in front of the same loopback upstream, which is also measured directly to tell the latency each
//   adds; then the floor with a fixed body (no upstream: the framework alone), against the upstream measured
//   directly (bare node:http with a fixed body);
// - webhooks: upsert on embedded SQLite with one webhook subscribed to every event (bench/receiver.mjs answering 204)
//   vs the same proxy with none, both running, loaded in turns (none, webhook, none…) and compared by their medians.
import { randomBytes } from "node:crypto"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { load, median, requirePg, root, rssMb, sampleRss, startServer } from "./lib.mjs"

export const PROXY = join(root, "apps/proxy/dist/bin.js")
const FLOOR = join(root, "bench/floor.mjs")
export const PATH = "/api/ml/v1/model-versions"
const BODY = () => readFileSync(join(root, "examples/base.json"), "utf8")

/** The benchmark's environment without anything that would point a server elsewhere than asked. */
export const cleanEnv = (extra) => {
  const env = { ...process.env, NO_COLOR: "1" }
  for (const name of ["TFY_HOST", "TFY_API_KEY", "DATABASE_URL", "MREG_TOKENS_FILE", "MREG_HOME", "MREG_TENANT", "PORT", "HOST", "MREG_TEST_DATABASE_URL", "NODE_OPTIONS"]) {
    delete env[name]
  }
  // Traces stay off (as the proxy rows measure it): no OTEL_* variable reaches a server.
  for (const name of Object.keys(env)) if (name.startsWith("OTEL_")) delete env[name]
  return { ...env, HOST: "127.0.0.1", PORT: "0", ...extra }
}

/** Why the proxy rows cannot run, or undefined when they can. */
export const proxyMissing = () => (existsSync(PROXY) ? undefined : "skipped: proxy not built")

/**
 * Starts a server, warms it up, then measures it under load (sampling its RSS when `rss`), and stops it.
 * Returns the load result plus `{ peakRssMb, hwmRssMb }` when sampled.
 */
const measure = async (name, args, { env, tmp, opts, rss = false }) => {
  const server = await startServer(name, args, { env, logFile: join(tmp, `${name}.log`) })
  try {
    const url = server.url + PATH
    await load({ ...opts, url, duration: opts.warmup })
    const sampler = rss ? sampleRss(server.pid) : undefined
    const result = await load({ ...opts, url })
    const memory = sampler ? { peakRssMb: sampler.stop().peakMb, hwmRssMb: rssMb(server.pid, "VmHWM") } : {}
    return { ...result, ...memory }
  } finally {
    await server.stop()
  }
}

export const loadOpts = ({ duration, connections, warmup }, headers = {}) => ({
  method: "PUT",
  body: BODY(),
  headers,
  connections,
  duration,
  warmup
})

/** Why the floor rows cannot run (@mreg/core not built), or undefined. */
const floorMissing = () => (existsSync(join(root, "packages/core/dist/index.js")) ? undefined : "skipped: @mreg/core not built")

/** The floor server measured like the others, or `{ skipped }`. */
const measureFloor = (name, args, options) => {
  const missing = floorMissing()
  return missing ? { skipped: missing } : measure(name, [FLOOR, ...args], options)
}

/**
 * Upsert on embedded SQLite: `{ proxy, proxyNoMetrics, floor, bare }` (each with RSS), or `{ skipped }`; `proxy` runs
 * as deployed (metrics on, traces off), `proxyNoMetrics` with `--no-metrics`, for the cost of metrics.
 */
export const benchSqlite = async (config, tmp) => {
  const missing = proxyMissing()
  const opts = loadOpts(config)
  const bare = await measure("bare-sqlite", [join(root, "bench/bare-store.mjs"), "sqlite", join(tmp, "bare.db")], {
    env: cleanEnv(),
    tmp,
    opts,
    rss: true
  })
  const floor = await measureFloor("floor-sqlite", ["sqlite", join(tmp, "floor.db")], { env: cleanEnv(), tmp, opts, rss: true })
  if (missing) return { skipped: missing, bare, floor }
  const proxy = await measure("proxy-sqlite", [PROXY, "--insecure-no-auth"], {
    env: cleanEnv({ MREG_HOME: join(tmp, "proxy-home") }),
    tmp,
    opts,
    rss: true
  })
  const proxyNoMetrics = await measure("proxy-sqlite-no-metrics", [PROXY, "--insecure-no-auth", "--no-metrics"], {
    env: cleanEnv({ MREG_HOME: join(tmp, "proxy-home-no-metrics") }),
    tmp,
    opts
  })
  return { proxy, proxyNoMetrics, floor, bare }
}

/**
 * Upsert on embedded PostgreSQL (each server on a fresh database of the cluster at `url`): `{ proxy, bare,
 * bareRowLock }`.
 */
export const benchPg = async (config, tmp, url) => {
  if (!url) return { skipped: "skipped: no PostgreSQL (it did not start: see above)" }
  const missing = proxyMissing()
  const pg = requirePg()
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  const names = {
    bare: `mreg_bench_bare_${process.pid}`,
    floor: `mreg_bench_floor_${process.pid}`,
    lock: `mreg_bench_lock_${process.pid}`,
    proxy: `mreg_bench_proxy_${process.pid}`
  }
  const dbUrl = (db) => {
    const u = new URL(url)
    u.pathname = `/${db}`
    return u.toString()
  }
  try {
    for (const db of Object.values(names)) await admin.query(`CREATE DATABASE ${db}`)
    const opts = loadOpts(config)
    const bare = await measure("bare-pg", [join(root, "bench/bare-store.mjs"), "pg", dbUrl(names.bare)], { env: cleanEnv(), tmp, opts })
    // For context, not a row: the same bare server allocating under a row lock on the model instead of retrying
    // unique violations — what the allocation strategy alone is worth under 32 writers to one model.
    const bareRowLock = await measure("bare-pg-lock", [join(root, "bench/bare-store.mjs"), "pg", dbUrl(names.lock)], {
      env: cleanEnv({ BARE_PG_LOCK: "1" }),
      tmp,
      opts
    })
    const floor = await measureFloor("floor-pg", ["pg", dbUrl(names.floor)], { env: cleanEnv(), tmp, opts })
    if (missing) return { skipped: missing, bare, bareRowLock, floor }
    const proxy = await measure("proxy-pg", [PROXY, "--insecure-no-auth", "--no-metrics"], {
      env: cleanEnv({ DATABASE_URL: dbUrl(names.proxy), MREG_HOME: join(tmp, "proxy-pg-home") }),
      tmp,
      opts
    })
    return { proxy, floor, bare, bareRowLock }
  } finally {
    for (const db of Object.values(names)) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => {})
    await admin.end()
  }
}

/**
 * Upstream mode: `{ direct, bare, floor, proxy, fixedFloor }` — the upstream alone, the bare forwarder, the floor
 * forwarding and the proxy, each in front of the same upstream, then the floor answering a fixed body. Callers send
 * a bearer token, which the proxy passes through (no `--upstream-token`).
 */
export const benchUpstream = async (config, tmp) => {
  const missing = proxyMissing()
  const opts = loadOpts(config, { authorization: "Bearer mreg-bench-token" })
  const upstream = await startServer("upstream", [join(root, "bench/upstream.mjs"), "upstream"], {
    env: cleanEnv(),
    logFile: join(tmp, "upstream.log")
  })
  try {
    await load({ ...opts, url: upstream.url + PATH, duration: opts.warmup })
    const direct = await load({ ...opts, url: upstream.url + PATH })
    const bare = await measure("bare-forwarder", [join(root, "bench/upstream.mjs"), "forward", upstream.url], { env: cleanEnv(), tmp, opts })
    const floor = await measureFloor("floor-forward", ["forward", upstream.url], { env: cleanEnv(), tmp, opts })
    const fixedFloor = await measureFloor("floor-fixed", ["fixed"], { env: cleanEnv(), tmp, opts })
    if (missing) return { skipped: missing, direct, bare, floor, fixedFloor }
    const proxy = await measure("proxy-upstream", [PROXY, "--upstream", upstream.url], {
      env: cleanEnv({ MREG_HOME: join(tmp, "proxy-upstream-home") }),
      tmp,
      opts
    })
    return { direct, bare, floor, fixedFloor, proxy }
  } finally {
    await upstream.stop()
  }
}

/**
 * Upsert on embedded SQLite with one webhook subscribed to every event (bench/receiver.mjs answering 204) vs the same
 * proxy with none: both started and warmed up, then loaded in turns (none, webhook, none, webhook…, 3 rounds of
 * max(5 s, duration / 2)), so that a change in the machine's load hits both alike; each reports its median req/s and
 * p99. Before each turn the webhook proxy's queue has drained (the receiver's count), so its deliveries never run
 * during the other's turn; `proxy.deliveredDuringLoad` (median share of a turn's deliveries the receiver had when the
 * turn ended) and `proxy.drainMs` (median time from the end of a turn until the last delivery arrived) tell whether
 * the dispatcher kept up. `{ proxy, none }`, or `{ skipped }`.
 */
/**
 * bench/receiver.mjs (answering 204, counting) and a webhooks file in `tmp` subscribing it to every event:
 * `{ receiver, file, received, drainedTo }`; `drainedTo(count)` waits until the receiver has `count` deliveries (at
 * most 60 s) and gives the ms waited. Stop `receiver` when done.
 */
export const webhookReceiver = async (tmp) => {
  const receiver = await startServer("webhook-receiver", [join(root, "bench/receiver.mjs")], { env: cleanEnv(), logFile: join(tmp, "receiver.log") })
  const file = join(tmp, "webhooks.json")
  writeFileSync(file, JSON.stringify({
    subscriptions: [{
      name: "bench",
      url: `${receiver.url}/hook`,
      events: ["created", "updated", "tags_applied", "deleted"],
      secret: `whsec_${randomBytes(32).toString("base64")}`
    }]
  }))
  const received = async () => Number(await (await fetch(`${receiver.url}/count`)).text())
  const drainedTo = async (count) => {
    const started = performance.now()
    while ((await received()) < count && performance.now() - started < 60_000) await new Promise((resolve) => setTimeout(resolve, 10))
    return Math.round(performance.now() - started)
  }
  return { receiver, file, received, drainedTo }
}

export const benchWebhooks = async (config, tmp) => {
  const missing = proxyMissing()
  if (missing) return { skipped: missing }
  const opts = { ...loadOpts(config), duration: Math.max(5, config.duration / 2) }
  const { drainedTo, file, received, receiver } = await webhookReceiver(tmp)
  const servers = []
  try {
    let sent = 0
    /** Waits until the receiver has every delivery of the upserts sent so far: ms waited. */
    const drained = () => drainedTo(sent)
    const start = async (name, args, home) => {
      const server = await startServer(name, args, { env: cleanEnv({ MREG_HOME: join(tmp, home) }), logFile: join(tmp, `${name}.log`) })
      servers.push(server)
      return { server, url: server.url + PATH, runs: [] }
    }
    const none = await start("proxy-sqlite-no-webhook", [PROXY, "--insecure-no-auth"], "proxy-no-webhook-home")
    const hooked = await start("proxy-sqlite-webhook", [PROXY, "--insecure-no-auth", "--webhooks-file", file], "proxy-webhook-home")
    await load({ ...opts, url: none.url, duration: opts.warmup })
    sent += (await load({ ...opts, url: hooked.url, duration: opts.warmup })).total
    await drained()
    for (let round = 0; round < 3; round++) {
      none.runs.push(await load({ ...opts, url: none.url }))
      const before = sent
      const result = await load({ ...opts, url: hooked.url })
      sent += result.total
      const atEnd = await received()
      hooked.runs.push({ ...result, deliveredDuringLoad: (atEnd - before) / result.total, drainMs: await drained() })
    }
    const summary = ({ runs }) => {
      const mid = (key) => median(runs.map((run) => run[key]))
      const bad = runs.find((run) => !run.ok)
      return { ...(bad ?? runs[0]), ok: bad === undefined, reqPerSec: mid("reqPerSec"), p50: mid("p50"), p99: mid("p99"), runs: runs.map((run) => Math.round(run.reqPerSec)) }
    }
    const proxy = { ...summary(hooked), deliveredDuringLoad: median(hooked.runs.map((run) => run.deliveredDuringLoad)), drainMs: median(hooked.runs.map((run) => run.drainMs)) }
    return { proxy, none: summary(none) }
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
    await receiver.stop()
  }
}
