/**
 * Webhooks on the embedded registry (SQLite in memory and PostgreSQL): every write's event becomes an outbox row in
 * its transaction (none for a write that fails), posted to a receiver on 127.0.0.1 with Standard Webhooks
 * signatures, retried until a 2xx or the attempt limit, in order per model version, filtered by event type and ML
 * repo, with the dispatcher in the test's fibers and in a worker thread; the webhooks file is validated with messages
 * that name the entry, field, rule and value.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql, Webhooks } from "@mreg/registry"
import { type Answer, type Received, type Receiver, startReceiver } from "@mreg/test-fixtures"
import { Duration, Effect, Either, Layer, Redacted, Schedule } from "effect"
import { randomBytes, randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { base } from "./ModelVersionsSuite.js"

const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`

/** Fast settings for tests: attempts 50 ms apart at most, polled every 20 ms. */
const FAST = { timeout_ms: 2000, lease_ms: 5000, backoff_ms: 5, max_backoff_ms: 50, poll_ms: 20 }

const configOf = (subscriptions: ReadonlyArray<Record<string, unknown>>, delivery: Record<string, unknown> = {}) => {
  const decoded = Webhooks.decode({ subscriptions, delivery: { ...FAST, ...delivery } }, "the test webhooks")
  if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
  return decoded.right
}

const pgUrl = process.env.MREG_TEST_DATABASE_URL
const pgUrlRedacted = () => Redacted.make(pgUrl ?? "postgres://missing-MREG_TEST_DATABASE_URL@127.0.0.1:1/x")
const folder = mkdtempSync(join(tmpdir(), "mreg-webhooks-"))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

type Client = () => Layer.Layer<SqlClient.SqlClient, ModelVersionsSql.StoreErrors>
type Dispatcher = (outbox: Webhooks.Outbox) => Layer.Layer<never, never, SqlClient.SqlClient | ModelVersionsSql.Migrations>

/** The dispatcher in the test's fibers, posting through Node's `HttpClient`. */
const inProcess: Dispatcher = (outbox) => Webhooks.layerDispatcher(outbox).pipe(Layer.provide(NodeHttpClient.layer))

/**
 * The stores and dispatchers the tests run on: SQLite in memory with the dispatcher in the test's fibers; a SQLite
 * file (a new one per test) and PostgreSQL (`MREG_TEST_DATABASE_URL`, set by `pnpm test`; the test data's ML repos
 * are fixed, so it runs once) with the dispatcher in a worker thread (its own connections, the built `worker.js` of
 * this package).
 */
const stores: ReadonlyArray<readonly [string, () => readonly [Client, Dispatcher]]> = [
  ["SQLite", () => [() => ModelVersionsSql.layerSqliteClient(":memory:"), inProcess]],
  ["SQLite, dispatcher in a worker thread", () => {
    const filename = join(folder, `${randomUUID()}.db`)
    return [() => ModelVersionsSql.layerSqliteClient(filename), (outbox) => Webhooks.layerDispatcherWorker(outbox, { _tag: "Sqlite" })]
  }],
  ["PostgreSQL, dispatcher in a worker thread", () => [
    () => ModelVersionsSql.layerPgClient(pgUrlRedacted()),
    (outbox) => Webhooks.layerDispatcherWorker(outbox, { _tag: "Pg", url: pgUrlRedacted() })
  ]]
]

/** A registry on a new store of `kind` with `outbox`, its dispatcher running, for the duration of `body`. */
const withRegistry = <A, E>(kind: () => readonly [Client, Dispatcher], outbox: Webhooks.Outbox, body: Effect.Effect<A, E, ModelVersions.ModelVersions | SqlClient.SqlClient>) => {
  const [store, dispatcher] = kind()
  const client = Layer.provideMerge(ModelVersionsSql.layerMigrator, store())
  const layer = Layer.mergeAll(ModelVersionsSql.layer({ webhooks: outbox }), dispatcher(outbox)).pipe(Layer.provideMerge(client))
  return Effect.provide(body, Layer.orDie(layer))
}

const withReceiver = <A, E, R>(secret: string, answer: (r: Received) => Answer, body: (receiver: Receiver) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(Effect.promise(() => startReceiver(secret, answer)), body, (receiver) => Effect.promise(() => receiver.close()))

/** Waits until every delivery of `outbox`'s subscriptions is delivered or failed; returns the first one's. */
const settled = (outbox: Webhooks.Outbox) =>
  Effect.forEach(outbox.config.subscriptions, (s) => Webhooks.deliveries({ limit: 500, subscription: s.name })).pipe(
    Effect.map((lists) => lists.flat()),
    Effect.flatMap((rows) =>
      rows.every((row) => row.status === "delivered" || row.status === "failed") ? Effect.succeed(rows) : Effect.fail("open" as const)
    ),
    Effect.retry(Schedule.spaced("20 millis")),
    Effect.timeout(Duration.seconds(20)),
    Effect.orDie
  )

/** A subscription name no other test (or test file on the same PostgreSQL) uses. */
const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`

const registry = ModelVersions.ModelVersions
const created = (mlRepo: string, name?: string) =>
  Effect.flatMap(registry, (r) => r.upsert(base(mlRepo, name === undefined ? {} : { name }))).pipe(Effect.map((r) => r.modelVersion))

for (const [storeName, store] of stores) describe(`webhook deliveries on ${storeName}`, () => {
  it.live("a receiver failing the first 3 attempts gets the event on the 4th, signed, with one webhook-id", () => {
    const secret = newSecret()
    return withReceiver(secret, (r) => (r.attempt <= 3 ? 503 : 204), (receiver) => {
      const outbox = Webhooks.makeOutbox(configOf([{ name: unique("flaky"), url: receiver.url, events: ["created"], secret }]))
      return withRegistry(store, outbox, Effect.gen(function*() {
        const mv = yield* created("hooks-a")
        const [row] = yield* settled(outbox)
        const [event] = (yield* Effect.flatMap(registry, (r) => r.history(mv.id))).data
        assert.deepStrictEqual(receiver.received.map((r) => [r.attempt, r.status, r.verified]), [[1, 503, true], [2, 503, true], [3, 503, true], [4, 204, true]])
        assert.deepStrictEqual(new Set(receiver.received.map((r) => r.webhookId)), new Set([row!.id]))
        const payload = receiver.received[3]!.payload
        assert.deepStrictEqual(payload, JSON.parse(JSON.stringify({ type: "model_version.created", timestamp: event!.at, data: { event, model_version: mv } })))
        assert.deepStrictEqual(
          [row!.status, row!.attempts, row!.last_status_code, row!.last_error, row!.next_attempt_at],
          ["delivered", 4, 204, null, null]
        )
      }))
    })
  })

  it.live("fails after the attempt limit, keeps no receiver body, and replay re-queues it", () => {
    const secret = newSecret()
    let up = false
    return withReceiver(secret, () => (up ? 200 : 500), (receiver) => {
      const outbox = Webhooks.makeOutbox(configOf([{ name: unique("down"), url: receiver.url, events: ["created"], secret }], { max_attempts: 3 }))
      return withRegistry(store, outbox, Effect.gen(function*() {
        yield* created("hooks-b")
        const [row] = yield* settled(outbox)
        assert.deepStrictEqual([row!.status, row!.attempts, row!.last_status_code, row!.last_error], ["failed", 3, 500, "HTTP 500"])
        const again = yield* Effect.flip(Webhooks.replay("msg_unknown"))
        assert.strictEqual(again.message, "no webhook delivery has the id \"msg_unknown\"")
        up = true
        yield* Webhooks.replay(row!.id)
        const [replayed] = yield* settled(outbox)
        assert.deepStrictEqual([replayed!.status, replayed!.attempts, replayed!.last_status_code], ["delivered", 1, 200])
        assert.deepStrictEqual(receiver.received.map((r) => r.status), [500, 500, 500, 200])
      }))
    })
  })

  it.live("events of one model version go out in order: a later one waits while an earlier one is retried", () => {
    const secret = newSecret()
    return withReceiver(secret, (r) => (r.payload.data.event.type === "created" && r.attempt <= 2 ? 500 : 204), (receiver) => {
      const outbox = Webhooks.makeOutbox(configOf([{ name: unique("ordered"), url: receiver.url, events: ["created", "updated", "deleted"], secret }]))
      return withRegistry(store, outbox, Effect.gen(function*() {
        const mv = yield* created("hooks-c")
        yield* Effect.flatMap(registry, (r) => r.upsert(base("hooks-c", { version: 1, description: "updated" })))
        yield* Effect.flatMap(registry, (r) => r.delete(mv.id))
        yield* settled(outbox)
        assert.deepStrictEqual(
          receiver.received.map((r) => [r.payload.type, r.payload.data.event.revision, r.status]),
          [["model_version.created", 1, 500], ["model_version.created", 1, 500], ["model_version.created", 1, 204], ["model_version.updated", 2, 204], ["model_version.deleted", 3, 204]]
        )
        // A deleted version's webhook carries its last state.
        assert.strictEqual(receiver.received.at(-1)!.payload.data.model_version.manifest.description, "updated")
      }))
    })
  })

  it.live("a write that fails writes no delivery; a forced tag notifies the version it moved away from", () => {
    const secret = newSecret()
    return withReceiver(secret, () => 204, (receiver) => {
      const outbox = Webhooks.makeOutbox(configOf([{ name: unique("tx"), url: receiver.url, events: ["created", "updated", "tags_applied"], secret }]))
      return withRegistry(store, outbox, Effect.gen(function*() {
        const first = yield* created("hooks-tx", "tx")
        const second = yield* created("hooks-tx", "tx")
        const refused = yield* Effect.flip(Effect.flatMap(registry, (r) => r.upsert(base("hooks-tx", { name: "tx", version: 1 }), { ifNoneMatch: "*" })))
        assert.strictEqual(refused._tag, "PreconditionFailed")
        yield* Effect.flatMap(registry, (r) => r.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: first.id, tags: ["prod"] })))
        yield* Effect.flatMap(registry, (r) => r.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: second.id, tags: ["prod"], force: true })))
        const rows = yield* settled(outbox)
        assert.deepStrictEqual(rows.map((row) => row.event_type).sort(), ["created", "created", "tags_applied", "tags_applied", "tags_applied"])
        const moved = receiver.received.filter((r) => r.payload.data.model_version.id === first.id).map((r) => r.payload.data.model_version.tags)
        assert.deepStrictEqual(moved, [[], ["prod"], []])
      }))
    })
  })

  it.live("a subscription gets only its events and ML repos", () => {
    const secret = newSecret()
    return withReceiver(secret, () => 204, (receiver) => {
      const outbox = Webhooks.makeOutbox(configOf([
        { name: unique("nlp-tags"), url: `${receiver.url}/nlp`, events: ["tags_applied"], ml_repo: "nlp-*", secret },
        { name: unique("all"), url: `${receiver.url}/all`, events: ["created", "tags_applied"], secret }
      ]))
      return withRegistry(store, outbox, Effect.gen(function*() {
        const nlp = yield* created("nlp-one")
        const cv = yield* created("cv-one")
        yield* Effect.flatMap(registry, (r) => r.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: nlp.id, tags: ["prod"] })))
        yield* Effect.flatMap(registry, (r) => r.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: cv.id, tags: ["prod"] })))
        yield* Effect.flatMap(registry, (r) => r.upsert(base("cv-one", { version: 1, description: "updated" })))
        yield* settled(outbox)
        const seen = receiver.received.map((r) => `${r.path} ${r.payload.type} ${r.payload.data.model_version.manifest.ml_repo}`).sort()
        assert.deepStrictEqual(seen, [
          "/hook/all model_version.created cv-one",
          "/hook/all model_version.created nlp-one",
          "/hook/all model_version.tags_applied cv-one",
          "/hook/all model_version.tags_applied nlp-one",
          "/hook/nlp model_version.tags_applied nlp-one"
        ])
      }))
    })
  })

})

describe("the worker thread's POST", () => {
  /** A receiver that answers 200 at once but never ends the answer's body. */
  const endlessBody = Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<Server>((resolve) => {
        const server = createServer((req, res) => {
          req.resume()
          res.writeHead(200).write("x")
        })
        server.listen(0, "127.0.0.1", () => resolve(server))
      })
    ),
    (server) => Effect.promise(() => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }))
  )

  it.live("a 2xx whose body does not end within timeout_ms is a timeout, not a delivery", () =>
    Effect.scoped(Effect.flatMap(endlessBody, (server) => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
      const subscription = { name: unique("endless"), url, events: ["created"], secret: newSecret() }
      const outbox = Webhooks.makeOutbox(configOf([subscription], { timeout_ms: 300, max_attempts: 1 }))
      return withRegistry(stores[1]![1], outbox, Effect.gen(function*() {
        yield* created("hooks-endless")
        const [row] = yield* settled(outbox)
        assert.deepStrictEqual([row!.status, row!.attempts, row!.last_status_code, row!.last_error], ["failed", 1, null, "no answer within 300 ms"])
      }))
    })))
})

describe("the outbox", () => {
  it.effect("a write wanted by 3000 subscriptions lists them in its event row; listing the deliveries queues 3000 rows", () => {
    const secret = newSecret()
    const outbox = Webhooks.makeOutbox(configOf(
      Array.from({ length: 3000 }, (_, i) => ({ name: `many-${i}`, url: "http://127.0.0.1:9/x", events: ["created"], secret }))
    ))
    const layer = ModelVersionsSql.layer({ webhooks: outbox }).pipe(
      Layer.provideMerge(Layer.provideMerge(ModelVersionsSql.layerMigrator, ModelVersionsSql.layerSqliteClient(":memory:"))),
      Layer.orDie
    )
    return Effect.gen(function*() {
      yield* created("hooks-many")
      const sql = yield* SqlClient.SqlClient
      const count = sql<{ readonly n: number; readonly subscriptions: number }>`SELECT COUNT(*) AS n, COUNT(DISTINCT subscription) AS subscriptions FROM webhook_deliveries`
      // SQLite: the write keeps the names in its event row (no row per subscription in the write's transaction).
      assert.deepStrictEqual((yield* count).map((row) => [Number(row.n), Number(row.subscriptions)]), [[0, 0]])
      const [event] = yield* sql<{ readonly listed: string }>`SELECT webhook_subscriptions AS listed FROM model_version_events`
      assert.deepStrictEqual(JSON.parse(event!.listed), Array.from({ length: 3000 }, (_, i) => `many-${i}`))
      const listed = yield* Webhooks.deliveries({ limit: 500 })
      assert.deepStrictEqual([listed.length, listed[0]!.subscription, listed[499]!.subscription], [500, "many-2999", "many-2500"])
      assert.deepStrictEqual((yield* count).map((row) => [Number(row.n), Number(row.subscriptions)]), [[3000, 3000]])
    }).pipe(Effect.provide(layer))
  })
})

describe("webhooks file", () => {
  const secret = newSecret()
  const problems = (value: unknown) => Either.match(Webhooks.decode(value, "the webhooks file w.yaml"), { onLeft: (e) => e.message, onRight: () => "valid" })

  it("names the entry, field, rule and value; never shows a secret", () => {
    const message = problems({
      subscriptions: [
        { name: "ok", url: "https://hooks.example.com/a", events: ["created"], secret },
        { name: "Bad Name", url: "ftp://x", events: ["created", "moved"], secret: "whsec_c2hvcnQ=" }
      ]
    })
    assert.strictEqual(
      message,
      "the webhooks file w.yaml is not a valid webhooks file: " +
        "subscriptions[1].name (subscription \"Bad Name\"): must be 1-63 lowercase letters, digits and \"-\", starting with a letter or digit (received \"Bad Name\"); " +
        "subscriptions[1].url (subscription \"Bad Name\"): must be an absolute http:// or https:// URL; " +
        "subscriptions[1].events[1] (subscription \"Bad Name\"): must be one of \"created\", \"updated\", \"tags_applied\", \"deleted\" (received \"moved\"); " +
        "subscriptions[1].secret (subscription \"Bad Name\"): must be \"whsec_\" followed by the base64 of 24 to 64 random bytes (the value is not shown)"
    )
    assert.notInclude(message, "c2hvcnQ")
  })

  it("cuts a long name it echoes at 80 characters, with its length", () => {
    const name = "n".repeat(5000)
    const message = problems({ subscriptions: [{ name, url: "https://hooks.example.com/a", events: ["created"], secret }] })
    const shown = `"${"n".repeat(80)}"… (5000 characters)`
    assert.strictEqual(
      message,
      "the webhooks file w.yaml is not a valid webhooks file: " +
        `subscriptions[0].name (subscription ${shown}): must be 1-63 lowercase letters, digits and "-", starting with a letter or digit (received ${shown})`
    )
  })

  it("suggests the closest event type for a misspelt one, and only for a near miss", () => {
    const message = problems({ subscriptions: [{ name: "typo", url: "https://hooks.example.com/a", events: ["creatd", "tags-applied", "moved", 5], secret }] })
    assert.strictEqual(
      message,
      "the webhooks file w.yaml is not a valid webhooks file: " +
        "subscriptions[0].events[0] (subscription \"typo\"): must be one of \"created\", \"updated\", \"tags_applied\", \"deleted\" (received \"creatd\"); did you mean \"created\"?; " +
        "subscriptions[0].events[1] (subscription \"typo\"): must be one of \"created\", \"updated\", \"tags_applied\", \"deleted\" (received \"tags-applied\"); did you mean \"tags_applied\"?; " +
        "subscriptions[0].events[2] (subscription \"typo\"): must be one of \"created\", \"updated\", \"tags_applied\", \"deleted\" (received \"moved\"); " +
        "subscriptions[0].events[3] (subscription \"typo\"): must be one of \"created\", \"updated\", \"tags_applied\", \"deleted\" (received 5)"
    )
  })

  it("a secret where a subscription or the list of subscriptions belongs is not shown", () => {
    assert.strictEqual(
      problems({ subscriptions: [secret] }),
      "the webhooks file w.yaml is not a valid webhooks file: subscriptions[0]: must be a JSON object (the value is not shown)"
    )
    assert.strictEqual(
      problems({ subscriptions: { name: "one", url: "http://127.0.0.1:9/x", events: ["created"], secret } }),
      "the webhooks file w.yaml is not a valid webhooks file: subscriptions: must be a JSON array (the value is not shown)"
    )
  })

  it("refuses a URL whose user name or password is not valid percent-encoding, without showing it", () => {
    const message = problems({ subscriptions: [{ name: "userinfo", url: "https://us%zz:pa%ss@hooks.example.com/a", events: ["created"], secret }] })
    assert.strictEqual(
      message,
      "the webhooks file w.yaml is not a valid webhooks file: " +
        "subscriptions[0].url (subscription \"userinfo\"): the user name and password must decode as percent-encoding: " +
        "each \"%\" starts an escape of two hex digits of UTF-8, such as %25 for \"%\" itself (the value is not shown)"
    )
    assert.notInclude(message, "pa%ss")
  })

  it("refuses a name given twice, unknown keys and a lease not longer than the timeout", () => {
    const entry = { name: "dup", url: "http://127.0.0.1:9/x", events: ["deleted"], secret }
    assert.strictEqual(
      problems({ subscriptions: [entry, entry] }),
      "the webhooks file w.yaml is not a valid webhooks file: subscriptions[1].name: must be unique; \"dup\" names an earlier subscription"
    )
    assert.include(problems({ subscriptions: [{ ...entry, event: "x" }] }), "subscriptions[0].event (subscription \"dup\"): ")
    // A misspelt secret key is an unknown field: its value (the secret) is not shown.
    const { secret: _, ...noSecret } = entry
    const misspelt = problems({ subscriptions: [{ ...noSecret, secrte: secret }] })
    assert.strictEqual(
      misspelt,
      "the webhooks file w.yaml is not a valid webhooks file: " +
        "subscriptions[0].secrte (subscription \"dup\"): is not a known field; did you mean \"secret\"? (the value is not shown); " +
        "subscriptions[0].secret (subscription \"dup\"): is required"
    )
    assert.notInclude(misspelt, secret.slice(6))
    assert.strictEqual(
      problems({ subscriptions: [entry], delivery: { timeout_ms: 5000, lease_ms: 5000 } }),
      "the webhooks file w.yaml is not a valid webhooks file: delivery.lease_ms: must be longer than delivery.timeout_ms (5000) (received 5000)"
    )
  })

  it("logs and lists a receiver URL without user info or query", () => {
    assert.strictEqual(Webhooks.safeUrl("https://user:pw@hooks.example.com:8443/in?token=abc#x"), "https://hooks.example.com:8443/in")
  })

  it("builds the Standard Webhooks payload from the event and the model version", () => {
    const event = { id: randomUUID(), type: "created", at: "2026-01-01T00:00:00.000Z" }
    assert.deepStrictEqual(JSON.parse(Webhooks.payloadOf(event, { id: "v" } as never)), {
      type: "model_version.created",
      timestamp: "2026-01-01T00:00:00.000Z",
      data: { event, model_version: { id: "v" } }
    })
  })
})
