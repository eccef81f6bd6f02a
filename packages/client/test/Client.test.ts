import { assert, describe, it } from "@effect/vitest"
import {
  type Client,
  ClientClosedError,
  ConflictError,
  createClient,
  InternalError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError
} from "@mreg/client"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { onTestFinished } from "vitest"
import { base, expectMregError, rejection, tempHome, withEnv } from "./utils.js"

/** An embedded client on a fresh temp home, closed (and the home removed) when the test ends. */
const embedded = (): { readonly client: Client; readonly home: string } => {
  const home = tempHome()
  const client = createClient({ embedded: { home } })
  onTestFinished(() => client.close())
  return { client, home }
}

const isPlain = (value: unknown): boolean =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype

describe("createClient, embedded", () => {
  it("upsert → get → getByFqn → list → applyTags → delete → get rejects NotFoundError", async () => {
    const { client, home } = embedded()
    assert.deepStrictEqual(client.target, {
      mode: "embedded",
      store: "sqlite",
      filename: join(home, "registry.db"),
      tenant: "default"
    })

    const upserted = await client.modelVersions.upsert(base({ metadata: { accuracy: 0.93 } }))
    assert.strictEqual(upserted.created, true)
    assert.strictEqual(upserted.replayed, false)
    assert.strictEqual(upserted.data.fqn, "model:default/nlp-team/sentiment-clf:1")
    assert.strictEqual(upserted.etag, `"${upserted.data.id}.1"`)
    assert.deepStrictEqual(upserted.data.manifest, { ...base({ metadata: { accuracy: 0.93 } }), version: 1 })
    assert.deepStrictEqual(upserted.data.tags, [])
    assert.strictEqual(upserted.data.deployable, true)
    // Plain wire objects, not schema class instances: what JSON.parse would give.
    assert.isTrue(isPlain(upserted.data) && isPlain(upserted.data.manifest) && isPlain(upserted.data.created_by_subject))
    assert.deepStrictEqual(JSON.parse(JSON.stringify(upserted.data)), upserted.data)

    const got = await client.modelVersions.get(upserted.data.id)
    assert.deepStrictEqual(got, { data: upserted.data, etag: upserted.etag })

    const byFqn = await client.modelVersions.getByFqn("model:default/nlp-team/sentiment-clf:1")
    assert.deepStrictEqual(byFqn, { data: upserted.data, etag: upserted.etag })

    const page = await client.modelVersions.list({ ml_repo: "nlp-team", name: "sentiment-clf" })
    assert.deepStrictEqual(page, { data: [upserted.data], pagination: { total: 1, offset: 0, limit: 100 } })
    assert.isTrue(isPlain(page) && isPlain(page.pagination))

    await client.modelVersions.applyTags(upserted.data.id, ["production", "Candidate"])
    const tagged = await client.modelVersions.get(upserted.data.id)
    assert.deepStrictEqual(tagged.data.tags, ["Candidate", "production"])
    assert.strictEqual(tagged.etag, `"${upserted.data.id}.2"`)

    assert.strictEqual(await client.modelVersions.delete(upserted.data.id), undefined)
    const error = await rejection(client.modelVersions.get(upserted.data.id))
    const notFound = expectMregError(error, NotFoundError, 404, "NOT_FOUND")
    assert.instanceOf(error, Error)
    assert.strictEqual(notFound.name, "NotFoundError")
    assert.strictEqual(notFound.message, `no model version with id "${upserted.data.id}"`)
    assert.deepStrictEqual(notFound.details, [])
    assert.deepStrictEqual(notFound.facts, {})
    assert.deepStrictEqual(notFound.toJSON(), {
      statusCode: 404,
      code: "NOT_FOUND",
      message: `no model version with id "${upserted.data.id}"`
    })

    const gone = await rejection(client.modelVersions.getByFqn("model:default/nlp-team/sentiment-clf:1"))
    assert.instanceOf(gone, NotFoundError)
    assert.strictEqual((gone as NotFoundError).message, "no model version with FQN \"model:default/nlp-team/sentiment-clf:1\"")
  })

  it("iterate over 7 versions with page size 3 yields versions 7..1 once each", async () => {
    const { client } = embedded()
    for (let i = 1; i <= 7; i++) await client.modelVersions.upsert(base({ metadata: { i } }))
    await client.modelVersions.upsert(base({ name: "other-model" }))

    const seen: Array<number | undefined> = []
    for await (const version of client.modelVersions.iterate({ name: "sentiment-clf", limit: 3 })) {
      seen.push(version.manifest.version)
      assert.strictEqual(version.manifest.metadata.i, version.manifest.version)
    }
    assert.deepStrictEqual(seen, [7, 6, 5, 4, 3, 2, 1])

    const fromOffset: Array<number | undefined> = []
    for await (const version of client.modelVersions.iterate({ name: "sentiment-clf", limit: 3, offset: 5 })) {
      fromOffset.push(version.manifest.version)
    }
    assert.deepStrictEqual(fromOffset, [2, 1])

    const none: Array<unknown> = []
    for await (const version of client.modelVersions.iterate({ name: "no-such-model" })) none.push(version)
    assert.deepStrictEqual(none, [])

    // Breaking out early is fine: the generator just stops.
    const first: Array<number | undefined> = []
    for await (const version of client.modelVersions.iterate({ name: "sentiment-clf", limit: 2 })) {
      first.push(version.manifest.version)
      if (first.length === 3) break
    }
    assert.deepStrictEqual(first, [7, 6, 5])
  })

  it("iterate follows page tokens: versions created or deleted meanwhile never make it skip or repeat another", async () => {
    const { client } = embedded()
    const before: Array<string> = []
    for (const name of ["m-b", "m-c"]) {
      for (let i = 0; i < 3; i++) before.push((await client.modelVersions.upsert(base({ name }))).data.id)
    }
    const seen: Array<string> = []
    const deleted = new Set<string>()
    for await (const version of client.modelVersions.iterate({ limit: 2 })) {
      seen.push(version.id)
      if (seen.length % 2 !== 0) continue
      // After each page: a version of a model before and one after the others, one returned and one coming deleted.
      await client.modelVersions.upsert(base({ name: "m-a" }))
      await client.modelVersions.upsert(base({ name: "m-d" }))
      const returned = seen.find((id) => !deleted.has(id))
      const coming = [...before].reverse().find((id) => !seen.includes(id) && !deleted.has(id))
      for (const id of [returned, coming]) {
        if (id === undefined) continue
        await client.modelVersions.delete(id)
        deleted.add(id)
      }
    }
    const whole = before.filter((id) => !deleted.has(id))
    assert.deepStrictEqual(whole.map((id) => seen.filter((s) => s === id).length), whole.map(() => 1))
    assert.strictEqual(new Set(seen).size, seen.length)
  })

  it("an alias held by another version is a ConflictError ALIAS_IN_USE naming the holder", async () => {
    const { client } = embedded()
    await client.modelVersions.upsert(base({ version_alias: "v1-prod" }))
    const error = await rejection(client.modelVersions.upsert(base({ version_alias: "v1-PROD" })))
    assert.instanceOf(error, ConflictError)
    const conflict = error as ConflictError
    assert.strictEqual(conflict.status, 409)
    assert.strictEqual(conflict.code, "ALIAS_IN_USE")
    assert.deepStrictEqual(conflict.details, [{ field: "manifest.version_alias", alias: "v1-prod", version: 1 }])
    assert.strictEqual(
      conflict.message,
      "version alias \"v1-PROD\" is held by version 1 of this model (as \"v1-prod\"); aliases are unique within a model, ignoring case"
    )
    assert.strictEqual((await client.modelVersions.list({})).pagination.total, 1)
  })

  it("a tag held by another version is TAG_IN_USE unless force moves it", async () => {
    const { client } = embedded()
    const v1 = await client.modelVersions.upsert(base())
    const v2 = await client.modelVersions.upsert(base())
    await client.modelVersions.applyTags(v1.data.id, ["prod"])
    const error = await rejection(client.modelVersions.applyTags(v2.data.id, ["prod"]))
    assert.instanceOf(error, ConflictError)
    assert.strictEqual((error as ConflictError).code, "TAG_IN_USE")
    assert.deepStrictEqual((error as ConflictError).details, [{ field: "tags", tag: "prod", version: 1 }])
    await client.modelVersions.applyTags(v2.data.id, ["prod"], { force: true })
    assert.deepStrictEqual((await client.modelVersions.get(v1.data.id)).data.tags, [])
    assert.deepStrictEqual((await client.modelVersions.get(v2.data.id)).data.tags, ["prod"])
  })

  it("NaN in metadata is rejected naming metadata.loss, and nothing is stored (C8)", async () => {
    const { client } = embedded()
    const error = await rejection(client.modelVersions.upsert(base({ metadata: { loss: Number.NaN, nested: { x: Infinity } } })))
    assert.instanceOf(error, ValidationError)
    const invalid = error as ValidationError
    assert.strictEqual(invalid.status, 422)
    assert.strictEqual(invalid.code, "VALIDATION_ERROR")
    assert.deepStrictEqual(invalid.issues, [
      {
        loc: ["body", "manifest", "metadata", "loss"],
        msg: "must be a finite number: JSON has no NaN or Infinity (received NaN)",
        type: "value_error"
      },
      {
        loc: ["body", "manifest", "metadata", "nested", "x"],
        msg: "must be a finite number: JSON has no NaN or Infinity (received Infinity)",
        type: "value_error"
      }
    ])
    assert.strictEqual(
      invalid.message,
      "2 problems: manifest.metadata.loss: must be a finite number: JSON has no NaN or Infinity (received NaN); " +
        "manifest.metadata.nested.x: must be a finite number: JSON has no NaN or Infinity (received Infinity)"
    )
    assert.deepStrictEqual(invalid.toJSON(), { statusCode: 422, code: "VALIDATION_ERROR", message: invalid.message, detail: invalid.issues })
    assert.deepStrictEqual(await client.modelVersions.list(), { data: [], pagination: { total: 0, offset: 0, limit: 100 } })
  })

  it("the same idempotency key replays the first answer; with another manifest it is IDEMPOTENCY_KEY_REUSED (C3)", async () => {
    const { client } = embedded()
    const first = await client.modelVersions.upsert(base(), { idempotencyKey: "k-123" })
    const retry = await client.modelVersions.upsert(base(), { idempotencyKey: "k-123" })
    assert.strictEqual(retry.replayed, true)
    assert.strictEqual(retry.created, true)
    assert.deepStrictEqual(retry.data, first.data)
    assert.strictEqual((await client.modelVersions.list()).pagination.total, 1)

    const error = await rejection(client.modelVersions.upsert(base({ description: "other" }), { idempotencyKey: "k-123" }))
    assert.instanceOf(error, ConflictError)
    assert.strictEqual((error as ConflictError).code, "IDEMPOTENCY_KEY_REUSED")

    // Without a key, each call gets its own: two calls, two versions.
    await client.modelVersions.upsert(base())
    await client.modelVersions.upsert(base())
    assert.strictEqual((await client.modelVersions.list()).pagination.total, 3)
  })

  it("ifMatch and ifNoneMatch are preconditions (412 with the current ETag)", async () => {
    const { client } = embedded()
    const v1 = await client.modelVersions.upsert(base())
    const updated = await client.modelVersions.upsert(base({ version: 1, description: "d" }), { ifMatch: v1.etag })
    assert.strictEqual(updated.created, false)
    assert.strictEqual(updated.data.manifest.description, "d")

    const stale = await rejection(client.modelVersions.upsert(base({ version: 1 }), { ifMatch: v1.etag }))
    assert.instanceOf(stale, PreconditionFailedError)
    assert.strictEqual((stale as PreconditionFailedError).status, 412)
    assert.strictEqual((stale as PreconditionFailedError).code, "PRECONDITION_FAILED")
    assert.deepStrictEqual((stale as PreconditionFailedError).details, [{ etag: updated.etag }])
    assert.deepStrictEqual((stale as PreconditionFailedError).facts, { etag: updated.etag })

    const exists = await rejection(client.modelVersions.upsert(base({ version: 1 }), { ifNoneMatch: "*" }))
    assert.instanceOf(exists, PreconditionFailedError)
  })

  it("list({ filter }) and models.list({ filter }) select by the filter language; a bad filter is a ValidationError naming the column", async () => {
    const { client } = embedded()
    await client.modelVersions.upsert(base({ metadata: { accuracy: 0.93 } }))
    await client.modelVersions.upsert(base({ metadata: { accuracy: 0.5 } }))
    const page = await client.modelVersions.list({ filter: "metadata.accuracy >= 0.9" })
    assert.deepStrictEqual(page.data.map((version) => version.manifest.version), [1])
    assert.strictEqual(page.pagination.total, 1)
    const models = await client.models.list({ filter: "metadata.accuracy < 0.1" })
    assert.deepStrictEqual(models.data, [])
    const error = await rejection(client.modelVersions.list({ filter: "metadata.accuracy >=" }))
    assert.instanceOf(error, ValidationError)
    assert.deepStrictEqual((error as ValidationError).issues, [
      { loc: ["query", "filter"], msg: "column 21: expected a value after \">=\", found end of input", type: "value_error" }
    ])
  })

  it("bad input to any call is a ValidationError with its place, before anything runs", async () => {
    const { client } = embedded()
    const cases: Array<[() => Promise<unknown>, ReadonlyArray<ReadonlyArray<string | number>>]> = [
      [() => client.modelVersions.get(""), [["path", "id"]]],
      [() => client.modelVersions.delete(""), [["path", "id"]]],
      [() => client.modelVersions.getByFqn("sentiment-clf:1"), [["query", "fqn"]]],
      [() => client.modelVersions.list({ limit: 0, nmae: "x" } as never), [["query", "nmae"], ["query", "limit"]]],
      [() => client.modelVersions.applyTags("some-id", ["ok", "-bad"]), [["body", "tags", 1]]],
      [() => client.modelVersions.upsert(base(), { ifNoneMatch: "v1" as never }), [["header", "if-none-match"]]],
      [() => client.modelVersions.upsert(base({ version_alias: "1.0", name: "a b" })), [
        ["body", "manifest", "name"],
        ["body", "manifest", "version_alias"]
      ]]
    ]
    for (const [call, locs] of cases) {
      const error = await rejection(call())
      assert.instanceOf(error, ValidationError)
      assert.deepStrictEqual((error as ValidationError).issues.map((issue) => issue.loc), locs)
    }
    const iterator = client.modelVersions.iterate({ limit: 5000 })
    const error = await rejection(iterator.next())
    assert.instanceOf(error, ValidationError)
    assert.deepStrictEqual((error as ValidationError).issues, [
      { loc: ["query", "limit"], msg: "must be an integer from 1 to 1000 (received 5000)", type: "value_error" }
    ])
  })

  it("close() is idempotent and later calls reject with ClientClosedError", async () => {
    const home = tempHome()
    const client = createClient({ embedded: { home } })
    const stored = await client.modelVersions.upsert(base())
    const iterator = client.modelVersions.iterate({ limit: 1 })
    await client.modelVersions.upsert(base())
    assert.strictEqual((await iterator.next()).value?.manifest.version, 2)

    assert.strictEqual(client.closed, false)
    const closing = client.close()
    assert.strictEqual(client.close(), closing)
    assert.strictEqual(client.closed, true)
    await closing
    await client.close()

    for (const call of [
      () => client.modelVersions.get(stored.data.id),
      () => client.modelVersions.upsert(base()),
      () => client.modelVersions.list(),
      () => iterator.next()
    ]) {
      const error = await rejection(call())
      const closed = expectMregError(error, ClientClosedError, undefined, "CLIENT_CLOSED")
      assert.strictEqual(closed.message, "the mreg client is closed: create a new one with createClient()")
    }

    // The data is on disk: a new client on the same home sees it.
    const again = createClient({ embedded: { home } })
    onTestFinished(() => again.close())
    assert.strictEqual((await again.modelVersions.get(stored.data.id)).data.fqn, "model:default/nlp-team/sentiment-clf:1")
  })

  it("close() waits for the calls already running", async () => {
    const { client } = embedded()
    const pending = Array.from({ length: 5 }, (_, i) => client.modelVersions.upsert(base({ metadata: { i } })))
    await client.close()
    const results = await Promise.all(pending)
    assert.deepStrictEqual(results.map((result) => result.data.manifest.version).sort(), [1, 2, 3, 4, 5])
  })

  it("a store that cannot be opened rejects the call with an InternalError, without driver text", async () => {
    const home = tempHome()
    writeFileSync(join(home, "a-file"), "not a folder")
    const client = createClient({ embedded: { home: join(home, "a-file") } })
    onTestFinished(() => client.close())
    const error = await rejection(client.modelVersions.list())
    assert.instanceOf(error, InternalError)
    assert.strictEqual((error as InternalError).status, 500)
    assert.strictEqual((error as InternalError).code, "INTERNAL_ERROR")
    assert.strictEqual((error as InternalError).message, `cannot open the registry at ${join(home, "a-file", "registry.db")}: ${join(home, "a-file")} is a file, not a folder`)
    // The failure is remembered: the next call says the same.
    assert.strictEqual(((await rejection(client.modelVersions.list())) as InternalError).message, (error as InternalError).message)
  })

  it("the tenant option names the FQNs", async () => {
    const home = tempHome()
    const client = createClient({ embedded: { home, tenant: "acme" } })
    onTestFinished(() => client.close())
    const { data } = await client.modelVersions.upsert(base())
    assert.strictEqual(data.fqn, "model:acme/nlp-team/sentiment-clf:1")
    assert.strictEqual((await client.modelVersions.getByFqn(data.fqn)).data.id, data.id)
  })
})

describe("createClient options and environment", () => {
  it("no host and no TFY_HOST is the embedded SQLite registry in MREG_HOME", () => {
    const target = withEnv({ TFY_HOST: undefined, DATABASE_URL: undefined, MREG_HOME: "/tmp/mreg-home-x", MREG_TENANT: "t1" }, () =>
      createClient().target)
    assert.deepStrictEqual(target, { mode: "embedded", store: "sqlite", filename: "/tmp/mreg-home-x/registry.db", tenant: "t1" })
  })

  it("TFY_HOST makes the client remote; an explicit embedded wins over it", () => {
    withEnv({ TFY_HOST: "https://acme.example.com/", TFY_API_KEY: "k" }, () => {
      assert.deepStrictEqual(createClient().target, { mode: "remote", host: "https://acme.example.com" })
      assert.deepStrictEqual(createClient({ host: "http://127.0.0.1:9" }).target, { mode: "remote", host: "http://127.0.0.1:9" })
      assert.strictEqual(createClient({ embedded: { home: "/tmp/x" } }).target.mode, "embedded")
      withEnv({ MREG_HOME: "/tmp/mreg-home-y", DATABASE_URL: undefined, MREG_TENANT: undefined }, () =>
        assert.deepStrictEqual(createClient({ embedded: true }).target, {
          mode: "embedded",
          store: "sqlite",
          filename: "/tmp/mreg-home-y/registry.db",
          tenant: "default"
        }))
    })
    withEnv({ TFY_HOST: "" }, () => assert.strictEqual(createClient().target.mode, "embedded"))
  })

  it("DATABASE_URL or databaseUrl is PostgreSQL; an explicit home keeps SQLite", () => {
    withEnv({ TFY_HOST: undefined, DATABASE_URL: "postgres://u:secret@127.0.0.1:1/db", MREG_TENANT: undefined }, () => {
      assert.deepStrictEqual(createClient().target, { mode: "embedded", store: "postgresql", tenant: "default" })
      assert.deepStrictEqual(createClient({ embedded: { home: "/tmp/h" } }).target, {
        mode: "embedded",
        store: "sqlite",
        filename: "/tmp/h/registry.db",
        tenant: "default"
      })
    })
    assert.deepStrictEqual(createClient({ embedded: { databaseUrl: "postgres://u:secret@127.0.0.1:1/db", tenant: "pg" } }).target, {
      mode: "embedded",
      store: "postgresql",
      tenant: "pg"
    })
  })

  it("unusable options throw a TypeError naming the option", () => {
    const throws = (f: () => unknown, message: string) => {
      try {
        f()
      } catch (error) {
        assert.instanceOf(error, TypeError)
        assert.strictEqual((error as TypeError).message, message)
        return
      }
      assert.fail("expected a TypeError")
    }
    withEnv({ TFY_HOST: undefined }, () => {
      throws(() => createClient({ apiKey: "k" }), "createClient: apiKey was given without a host: pass host or set TFY_HOST")
      throws(() => createClient({ host: "acme.example.com" }),
        "createClient: host must be an http(s) URL such as https://acme.truefoundry.cloud (received \"acme.example.com\")")
      throws(() => createClient({ host: "http://x", embedded: {} } as never),
        "createClient: \"host\" is an option of a remote client and cannot be combined with \"embedded\"")
      throws(() => createClient({ host: "http://x", retries: -1 }), "createClient: retries must be an integer ≥ 0 (received -1)")
      throws(() => createClient({ host: "http://x", timeoutMs: 0 }), "createClient: timeoutMs must be a number of milliseconds > 0 (received 0)")
      throws(() => createClient({ embedded: { home: "/a", databaseUrl: "postgres://x" } }),
        "createClient: give embedded.home (SQLite) or embedded.databaseUrl (PostgreSQL), not both")
    })
    withEnv({ TFY_HOST: "ftp://nope" }, () =>
      throws(() => createClient(),
        "createClient: TFY_HOST must be an http(s) URL such as https://acme.truefoundry.cloud (received \"ftp://nope\")"))
    withEnv({ TFY_HOST: undefined, MREG_TENANT: "a:b", DATABASE_URL: undefined }, () => {
      const rule = "must be 1–512 letters, digits and \"-\", starting and ending with a letter or digit (an FQN segment, like an ML repo name)"
      throws(() => createClient(), `createClient: MREG_TENANT ${rule} (received "a:b")`)
      throws(() => createClient({ embedded: { tenant: "a/b" } }), `createClient: embedded.tenant ${rule} (received "a/b")`)
      throws(() => createClient({ embedded: { databaseUrl: "mysql://u:hunter2@h/db" } }),
        "createClient: embedded.databaseUrl must be a postgres:// or postgresql:// URL (the value is secret and not shown)")
    })
    withEnv({ TFY_HOST: "https://ada:hunter2@acme.example.com" }, () =>
      throws(() => createClient(),
        "createClient: TFY_HOST must not contain a user name or password: give the token as the API key (the value is not shown)"))
    withEnv({ TFY_HOST: "https://acme.example.com/tfy//", TFY_API_KEY: "k" }, () =>
      assert.deepStrictEqual(createClient().target, { mode: "remote", host: "https://acme.example.com/tfy" }))
  })
})
