import { assert, describe, it } from "@effect/vitest"
import { createClient, NotFoundError, StoreUnavailableError } from "@mreg/client"
import { randomUUID } from "node:crypto"
import { onTestFinished } from "vitest"
import { base } from "./utils.js"

// `pnpm test` starts a throwaway PostgreSQL and sets MREG_TEST_DATABASE_URL; a bare `vitest run` skips these.
const url = process.env.MREG_TEST_DATABASE_URL

describe.skipIf(url === undefined || url === "")("createClient, embedded on PostgreSQL", () => {
  it("upsert → getByFqn → iterate → delete on a shared PostgreSQL store", async () => {
    const client = createClient({ embedded: { databaseUrl: url!, tenant: "client" } })
    onTestFinished(() => client.close())
    assert.deepStrictEqual(client.target, { mode: "embedded", store: "postgresql", tenant: "client" })
    const mlRepo = `client-${randomUUID().slice(0, 8)}`
    for (let i = 1; i <= 4; i++) await client.modelVersions.upsert(base({ ml_repo: mlRepo, metadata: { i } }))
    const found = await client.modelVersions.getByFqn(`model:client/${mlRepo}/sentiment-clf:3`)
    assert.deepStrictEqual(found.data.manifest.metadata, { i: 3 })
    const versions: Array<number | undefined> = []
    for await (const version of client.modelVersions.iterate({ ml_repo: mlRepo, limit: 3 })) versions.push(version.manifest.version)
    assert.deepStrictEqual(versions, [4, 3, 2, 1])
    await client.modelVersions.delete(found.data.id)
    assert.instanceOf(await client.modelVersions.get(found.data.id).catch((error: unknown) => error), NotFoundError)
  })

  it("an unreachable database is a StoreUnavailableError (503) that does not show the URL", async () => {
    const client = createClient({ embedded: { databaseUrl: "postgres://mreg:s3cret@127.0.0.1:1/nope" } })
    onTestFinished(() => client.close())
    const error = await client.modelVersions.list().catch((error: unknown) => error)
    assert.instanceOf(error, StoreUnavailableError)
    assert.deepStrictEqual(
      [(error as StoreUnavailableError).status, (error as StoreUnavailableError).message],
      [503, "cannot connect to the PostgreSQL registry (DATABASE_URL)"]
    )
  })
})
