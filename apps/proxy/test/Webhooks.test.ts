/**
 * Webhooks end to end on the built `mreg-proxy` process: writes through the API become signed deliveries to a
 * receiver on 127.0.0.1 (verified with `standardwebhooks`' `Webhook#verify`), in order per model version; a process
 * killed with SIGKILL mid-queue and started again delivers every event, none twice after a success; two processes
 * on one PostgreSQL deliver each event exactly once between them; `GET /webhooks/deliveries` is for admin tokens;
 * `mreg-proxy webhooks replay ID` queues a delivery again.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { type Received, type Receiver, startReceiver } from "@mreg/test-fixtures"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { randomBytes, randomUUID } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll } from "vitest"
import * as WebhooksServer from "../src/WebhooksServer.js"
import { base } from "./utils.js"

const app = fileURLToPath(new URL("..", import.meta.url))
const root = join(app, "..", "..")
const bin = join(app, "dist", "bin.js")
const home = mkdtempSync(join(tmpdir(), "mreg-webhooks-"))
const WRITER = "writer-token-0123456789"
const ADMIN = "admin-token-0123456789"
const SECRET = `whsec_${randomBytes(32).toString("base64")}`
const QUERY_SECRET = "querysecret0123"
const running = new Set<ChildProcess>()

beforeAll(() => {
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.build.json"], { cwd: app, stdio: "pipe" })
  writeFileSync(join(home, "tokens.json"), JSON.stringify({
    tokens: [
      { token: WRITER, subject: { subjectId: "ci", subjectType: "serviceaccount" }, scopes: [{ ml_repo: "*", access: "write" }] },
      { token: ADMIN, subject: { subjectId: "ops", subjectType: "user" }, scopes: [], admin: true }
    ]
  }))
}, 120_000)

afterAll(async () => {
  await Promise.all([...running].map((child) => new Promise<void>((resolve) => {
    child.on("exit", () => resolve())
    child.kill("SIGKILL")
  })))
  rmSync(home, { recursive: true, force: true })
})

interface Proxy {
  readonly child: ChildProcess
  readonly logs: Array<string>
  readonly url: Promise<string>
  readonly exit: Promise<number | null>
}

/** Runs `mreg-proxy args` with the test tokens; `url` resolves with the listening URL. */
const run = (args: ReadonlyArray<string>, env: Record<string, string>): Proxy => {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, HOST: "127.0.0.1", PORT: "0", MREG_TOKENS_FILE: join(home, "tokens.json"), ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  running.add(child)
  const logs: Array<string> = []
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => {
    running.delete(child)
    resolve(code)
  }))
  const url = new Promise<string>((resolve, reject) => {
    let pending = ""
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n")
      pending = lines.pop()!
      logs.push(...lines)
      const listening = lines.find((line) => line.includes("\"msg\":\"listening\""))
      if (listening !== undefined) resolve(JSON.parse(listening).url)
    })
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => logs.push(chunk))
    void exit.then((code) => reject(new Error(`mreg-proxy exited with ${code}: ${logs.join("\n")}`)))
  })
  url.catch(() => undefined) // a command that exits (webhooks replay) never listens: only awaiting `url` fails
  return { child, logs, url, exit }
}

/** A webhooks file with one subscription to `receiver` (its URL carries user info and a query secret). */
const webhooksFile = (receiver: Receiver, events: ReadonlyArray<string> = ["created", "updated", "tags_applied", "deleted"]) => {
  const path = join(home, `webhooks-${randomUUID()}.json`)
  const url = receiver.url.replace("http://", "http://hook:pw@") + `?token=${QUERY_SECRET}`
  writeFileSync(path, JSON.stringify({
    subscriptions: [
      { name: `sub-${randomUUID().slice(0, 8)}`, url, events, secret: SECRET },
      { name: "never", url, events: ["created"], ml_repo: "no-such-repo-*", secret: SECRET }
    ],
    delivery: { timeout_ms: 2000, lease_ms: 4000, backoff_ms: 5, max_backoff_ms: 50, poll_ms: 50, max_attempts: 20 }
  }))
  return path
}

const call = async (url: string, method: string, token: string, body?: unknown) => {
  const response = await fetch(url, { method, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: response.status, body: (await response.json()) as any }
}

const upsert = (url: string, manifest: Record<string, unknown>) => call(`${url}/api/ml/v1/model-versions`, "PUT", WRITER, { manifest })

/** Resolves once `count` distinct webhook ids have been answered 2xx. */
const acknowledged = async (receiver: Receiver, count: number) => {
  while (new Set(receiver.acknowledged).size < count) await new Promise((resolve) => setTimeout(resolve, 20))
}

const withReceiver = async (answer: (r: Received) => number | "hold", body: (receiver: Receiver) => Promise<void>) => {
  const receiver = await startReceiver(SECRET, answer)
  try {
    await body(receiver)
  } finally {
    await receiver.close()
  }
}

/** `[type, revision]` of the events answered 2xx, for one model version, in the order of the answers. */
const delivered = (receiver: Receiver, modelVersionId: string) =>
  receiver.acknowledged
    .map((id) => receiver.received.find((r) => r.webhookId === id && r.status !== undefined && r.status < 300)!)
    .filter((r) => r.payload.data.model_version.id === modelVersionId)
    .map((r) => [r.payload.data.event.type, r.payload.data.event.revision])

describe("webhooks through the mreg-proxy process", () => {
  it("every write type is delivered after 3 failed attempts each, signed, in order; deliveries list for admins; replay", { timeout: 90_000 }, () =>
    withReceiver((r) => (r.attempt <= 3 ? 503 : 204), async (receiver) => {
      const env = { MREG_HOME: join(home, "every-type"), MREG_WEBHOOKS_FILE: webhooksFile(receiver) }
      const proxy = run([], env)
      const url = await proxy.url
      const created = await upsert(url, base("hooks-every"))
      const id = created.body.data.id
      assert.strictEqual((await upsert(url, base("hooks-every", { version: 1, description: "second" }))).status, 200)
      assert.strictEqual((await call(`${url}/api/ml/v1/model-versions/tags`, "PUT", WRITER, { model_version_id: id, tags: ["prod"] })).status, 200)
      assert.strictEqual((await call(`${url}/api/ml/v1/model-versions/${id}`, "DELETE", WRITER)).status, 200)
      await acknowledged(receiver, 4)
      assert.deepStrictEqual(delivered(receiver, id), [["created", 1], ["updated", 2], ["tags_applied", 3], ["deleted", 4]])
      assert.deepStrictEqual(receiver.received.map((r) => [r.verified, r.path]).filter(([ok, path]) => !ok || path !== `/hook?token=${QUERY_SECRET}`), [])
      assert.deepStrictEqual(receiver.received.map((r) => r.attempt), [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4])
      const deleted = receiver.received.at(-1)!.payload
      assert.deepStrictEqual([deleted.type, deleted.data.model_version.manifest.description, deleted.data.model_version.tags], ["model_version.deleted", "second", ["prod"]])

      assert.strictEqual((await call(`${url}/webhooks/deliveries`, "GET", WRITER)).status, 403)
      const list = await call(`${url}/webhooks/deliveries?limit=10`, "GET", ADMIN)
      assert.deepStrictEqual(
        list.body.data.map((d: any) => [d.event_type, d.status, d.attempts, d.last_status_code, d.next_attempt_at]),
        [["deleted", "delivered", 4, 204, null], ["tags_applied", "delivered", 4, 204, null], ["updated", "delivered", 4, 204, null], ["created", "delivered", 4, 204, null]]
      )
      assert.strictEqual((await call(`${url}/webhooks/deliveries?limit=0`, "GET", ADMIN)).body.detail[0].loc.join("."), "query.limit")
      const exponent = await call(`${url}/webhooks/deliveries?limit=1e2`, "GET", ADMIN)
      assert.deepStrictEqual([exponent.status, exponent.body.detail[0].loc.join("."), exponent.body.detail[0].msg], [422, "query.limit", "must be an integer from 1 to 500 (received \"1e2\")"])
      // Every problem of the query at once, as the model-version endpoints answer.
      const both = await call(`${url}/webhooks/deliveries?limit=0&status=bogus`, "GET", ADMIN)
      assert.deepStrictEqual([both.status, both.body.detail.map((d: any) => d.loc.join("."))], [422, ["query.limit", "query.status"]])

      proxy.child.kill("SIGTERM")
      assert.strictEqual(await proxy.exit, 0)
      const logs = proxy.logs.join("\n")
      for (const secret of [SECRET, QUERY_SECRET, "hook:pw", "receiver error body"]) assert.notInclude(logs, secret)
      assert.include(logs, `"url":"${receiver.url}"`)
      // Before `listening`: which file was read, and its subscriptions by name.
      const entries = proxy.logs.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line))
      const start = entries.findIndex((entry) => entry.msg === "webhooks loaded")
      const file = JSON.parse(readFileSync(env.MREG_WEBHOOKS_FILE, "utf8"))
      assert.deepStrictEqual(
        [entries[start]?.file, entries[start]?.subscriptions, start < entries.findIndex((entry) => entry.msg === "listening")],
        [env.MREG_WEBHOOKS_FILE, [file.subscriptions[0].name, "never"], true]
      )

      const first = list.body.data.at(-1).id
      const replay = run(["webhooks", "replay", first], { MREG_HOME: env.MREG_HOME })
      assert.strictEqual(await replay.exit, 0)
      assert.deepStrictEqual(replay.logs, [`webhook delivery ${first} is queued again`])
      const again = run([], env)
      await again.url
      await receiver.waitFor((r) => r.webhookId === first && r.attempt === 5)
      again.child.kill("SIGTERM")
      assert.strictEqual(await again.exit, 0)
    }))

  it("killed with SIGKILL mid-queue and started again: every event delivered, none twice after a success", { timeout: 90_000 }, () => {
    let held = false
    return withReceiver((r) => {
      if (r.payload.data.event.revision === 3 && !held) {
        held = true
        return "hold"
      }
      return 204
    }, async (receiver) => {
      const env = { MREG_HOME: join(home, "killed"), MREG_WEBHOOKS_FILE: webhooksFile(receiver) }
      const proxy = run([], env)
      const url = await proxy.url
      const created = await upsert(url, base("hooks-killed"))
      for (let i = 2; i <= 6; i++) await upsert(url, base("hooks-killed", { version: 1, description: `revision ${i}` }))
      await receiver.waitFor((r) => r.status === undefined)
      proxy.child.kill("SIGKILL")
      await proxy.exit
      const restarted = run([], env)
      await restarted.url
      await acknowledged(receiver, 6)
      assert.deepStrictEqual(delivered(receiver, created.body.data.id).map(([, revision]) => revision), [1, 2, 3, 4, 5, 6])
      assert.strictEqual(receiver.acknowledged.length, 6)
      restarted.child.kill("SIGTERM")
      assert.strictEqual(await restarted.exit, 0)
    })
  })

  const pgUrl = process.env.MREG_TEST_DATABASE_URL
  it("two processes on one PostgreSQL deliver each event exactly once between them, in order per version", { timeout: 90_000 }, () =>
    withReceiver((r) => (r.attempt === 1 && r.payload.data.event.revision === 2 ? 500 : 204), async (receiver) => {
      assert.isDefined(pgUrl, "MREG_TEST_DATABASE_URL is not set (pnpm test starts a throwaway PostgreSQL and sets it)")
      const env = { DATABASE_URL: pgUrl!, MREG_WEBHOOKS_FILE: webhooksFile(receiver) }
      const proxies = [run([], env), run([], env)]
      const urls = await Promise.all(proxies.map((p) => p.url))
      const repo = `hooks-pg-${randomUUID().slice(0, 8)}`
      const ids = await Promise.all(["a", "b", "c"].map(async (name, n) => {
        const created = await upsert(urls[n % 2]!, base(repo, { name }))
        for (let i = 1; i <= 3; i++) await upsert(urls[(n + i) % 2]!, base(repo, { name, version: 1, description: `d${i}` }))
        return created.body.data.id as string
      }))
      await acknowledged(receiver, 12)
      for (const id of ids) {
        assert.deepStrictEqual(delivered(receiver, id), [["created", 1], ["updated", 2], ["updated", 3], ["updated", 4]])
      }
      assert.strictEqual(receiver.acknowledged.length, 12)
      for (const proxy of proxies) proxy.child.kill("SIGTERM")
      assert.deepStrictEqual(await Promise.all(proxies.map((p) => p.exit)), [0, 0])
    }))
})

describe("webhooks file", () => {
  it.effect("the shipped example loads; a YAML syntax error names the line", () =>
    Effect.gen(function*() {
      const config = yield* WebhooksServer.readFile(join(app, "examples", "webhooks.yaml"))
      assert.deepStrictEqual(
        config.subscriptions.map((s) => [s.name, s.url, [...s.events], s.mlRepo]),
        [
          ["deploy-bot", "https://deploy.example.com/hooks/mreg", ["tags_applied"], "nlp-*"],
          ["audit", "http://audit.internal:9000/events", ["created", "updated", "tags_applied", "deleted"], undefined]
        ]
      )
      const path = join(home, "broken.yaml")
      writeFileSync(path, "subscriptions:\n  - name: [x\n")
      const error = yield* Effect.flip(WebhooksServer.readFile(path))
      assert.strictEqual(error.message, `the webhooks file ${path} is not valid YAML or JSON (line 3, column 1)`)
      const missing = yield* Effect.flip(WebhooksServer.readFile(join(home, "nope.yaml")))
      assert.strictEqual(missing.message, `cannot read the webhooks file ${join(home, "nope.yaml")}`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("replay names the registry it looked in; it creates no registry where there is none", () =>
    Effect.gen(function*() {
      const folder = mkdtempSync(join(home, "replay-"))
      const file = join(folder, "registry.db")
      const none = yield* Effect.flip(WebhooksServer.replay({ home: folder, databaseUrl: Option.none() }, "msg_unknown"))
      assert.deepStrictEqual(
        [none.message, existsSync(file)],
        [`no registry at ${file}, from --home or MREG_HOME: give the --home of the proxy`, false]
      )
      writeFileSync(file, "")
      const unknown = yield* Effect.flip(WebhooksServer.replay({ home: folder, databaseUrl: Option.none() }, "msg_unknown"))
      assert.strictEqual(
        unknown.message,
        `no webhook delivery has the id "msg_unknown" (registry: ${file}, from --home or MREG_HOME)`
      )
    }).pipe(Effect.provide(NodeContext.layer)))
})
