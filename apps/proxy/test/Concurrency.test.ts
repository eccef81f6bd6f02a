/**
 * Concurrency across processes: two built `mreg-proxy` processes share one store — a PostgreSQL database, or one
 * SQLite file in WAL mode — and clients race them. Counts are exact: versions 1..N with none lost or duplicated,
 * exactly one alias holder, exactly one If-Match winner per revision, and never a 5xx (no SQLITE_BUSY reaches a client).
 */
import { assert, describe, it } from "@effect/vitest"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { withPostgres } from "@mreg/test-fixtures/postgres"
import { afterAll, beforeAll } from "vitest"

const app = fileURLToPath(new URL("..", import.meta.url))
const root = join(app, "..", "..")
const bin = join(app, "dist", "bin.js")
const home = mkdtempSync(join(tmpdir(), "mreg-concurrency-"))
const children: Array<ChildProcess> = []

beforeAll(() => {
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.build.json"], { cwd: app, stdio: "pipe" })
}, 120_000)

afterAll(async () => {
  await Promise.all(children.map((child) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.on("exit", () => resolve())
      child.kill("SIGTERM")
    })
  ))
  rmSync(home, { recursive: true, force: true })
})

/** Starts a proxy (no auth, loopback, port 0) and resolves to its base URL. */
const startProxy = (env: Record<string, string>) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "--insecure-no-auth"], {
      env: { PATH: process.env.PATH ?? "", HOME: home, PORT: "0", HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    children.push(child)
    let pending = ""
    let errors = ""
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (errors += chunk))
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk
      const lines = pending.split("\n")
      pending = lines.pop()!
      for (const line of lines) {
        try {
          const entry = JSON.parse(line)
          if (entry.msg === "listening") resolve(entry.url)
        } catch {
          // not a log line
        }
      }
    })
    child.on("exit", (code) => reject(new Error(`mreg-proxy exited with ${code} before listening: ${errors}`)))
  })

const manifest = (mlRepo: string, extra: Record<string, unknown> = {}) => ({
  type: "model-version",
  name: "race",
  ml_repo: mlRepo,
  metadata: {},
  source: { type: "truefoundry", uri: "s3://bucket/race" },
  ...extra
})

const put = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${url}/api/ml/v1/model-versions`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ manifest: body })
  })
  return { status: response.status, etag: response.headers.get("etag"), body: (await response.json()) as any }
}

/** Runs `total` jobs with at most `clients` in flight. */
const pool = async <A>(total: number, clients: number, job: (i: number) => Promise<A>): Promise<Array<A>> => {
  const results: Array<A> = new Array(total)
  let next = 0
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < total) {
      const i = next++
      results[i] = await job(i)
    }
  }))
  return results
}

const count = (values: ReadonlyArray<number>) =>
  Object.fromEntries([...new Set(values)].sort().map((v) => [v, values.filter((x) => x === v).length]))

const races = (name: string, env: () => Record<string, string>) =>
  describe(name, () => {
    let urls: Array<string> = []
    beforeAll(async () => {
      const shared = env()
      urls = [await startProxy(shared), await startProxy(shared)]
    }, 60_000)

    it("64 clients, 500 creates across both processes: versions exactly 1..500", { timeout: 120_000 }, async () => {
      const repo = `race-${randomUUID().slice(0, 8)}`
      const results = await pool(500, 64, (i) => put(urls[i % 2]!, manifest(repo, { metadata: { i } })))
      assert.deepStrictEqual(count(results.map((r) => r.status)), { 200: 500 })
      const versions = results.map((r) => r.body.data.manifest.version as number).sort((a, b) => a - b)
      assert.deepStrictEqual(versions, Array.from({ length: 500 }, (_, i) => i + 1))
      const writes = results.map((r) => r.body.data.manifest.metadata.i as number).sort((a, b) => a - b)
      assert.deepStrictEqual(writes, Array.from({ length: 500 }, (_, i) => i))
    })

    it("16 clients set one alias on 16 versions: exactly one holds it, 15 get 409 ALIAS_IN_USE", { timeout: 60_000 }, async () => {
      const repo = `alias-${randomUUID().slice(0, 8)}`
      for (let i = 0; i < 16; i++) assert.strictEqual((await put(urls[0]!, manifest(repo))).status, 200)
      const results = await pool(16, 16, (i) => put(urls[i % 2]!, manifest(repo, { version: i + 1, version_alias: "v1-race" })))
      assert.deepStrictEqual(count(results.map((r) => r.status)), { 200: 1, 409: 15 })
      const codes = results.filter((r) => r.status === 409).map((r) => r.body.code)
      assert.deepStrictEqual(count(codes.map(() => 1)), { 1: 15 })
      assert.isTrue(codes.every((code) => code === "ALIAS_IN_USE"))
      const holder = results.find((r) => r.status === 200)!.body.data.manifest.version
      const named = results.filter((r) => r.status === 409).map((r) => r.body.details[0].version)
      assert.isTrue(named.every((v) => v === holder))
    })

    it("16 clients update one revision with If-Match: exactly one wins, 15 get 412", { timeout: 60_000 }, async () => {
      const repo = `match-${randomUUID().slice(0, 8)}`
      const created = await put(urls[0]!, manifest(repo))
      assert.strictEqual(created.status, 200)
      const etag = created.etag!
      const results = await pool(16, 16, (i) =>
        put(urls[i % 2]!, manifest(repo, { version: 1, description: `writer ${i}` }), { "if-match": etag }))
      assert.deepStrictEqual(count(results.map((r) => r.status)), { 200: 1, 412: 15 })
      const winner = results.find((r) => r.status === 200)!
      assert.isTrue(results.filter((r) => r.status === 412).every((r) => r.body.details[0].etag === winner.etag))
    })
  })

const onPostgres = "two processes on one PostgreSQL database"
withPostgres(onPostgres, (url) => races(onPostgres, () => ({ DATABASE_URL: url })))

races("two processes on one SQLite file (WAL)", () => ({ MREG_HOME: join(home, "sqlite") }))
