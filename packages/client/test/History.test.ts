import { assert, describe, it } from "@effect/vitest"
import { NotFoundError, ValidationError } from "@mreg/client"
import { base, embeddedClient, expectMregError, rejection } from "./utils.js"

const embedded = embeddedClient

describe("client.history (embedded)", () => {
  it("by id or FQN: one event per write, oldest first, paged; a deleted version keeps its history", async () => {
    const client = embedded()
    const { data } = await client.modelVersions.upsert(base())
    await client.modelVersions.upsert({ ...base(), version: 1, metadata: { accuracy: 0.93 } })
    await client.modelVersions.applyTags(data.id, ["prod"])
    const page = await client.history("model:default/nlp-team/sentiment-clf:1")
    assert.deepStrictEqual(page.pagination, { total: 3, offset: 0, limit: 100 })
    assert.deepStrictEqual(page.data.map((event) => [event.revision, event.type]), [[1, "created"], [2, "updated"], [3, "tags_applied"]])
    assert.deepStrictEqual(page.data[1]!.changes, [{ path: "metadata.accuracy", after: 0.93 }])
    assert.deepStrictEqual(JSON.parse(JSON.stringify(page)), page)
    await client.modelVersions.delete(data.id)
    const after = await client.history(data.id, { limit: 2, offset: 2 })
    assert.deepStrictEqual(after.pagination, { total: 4, offset: 2, limit: 2 })
    assert.deepStrictEqual(after.data.map((event) => [event.revision, event.type]), [[3, "tags_applied"], [4, "deleted"]])
  })

  it("rejects bad input before anything is sent, and an unknown version with NotFoundError", async () => {
    const client = embedded()
    const options = expectMregError(await rejection(client.history("some-id", { limit: 0, colour: 1 } as never)), ValidationError, 422, "VALIDATION_ERROR")
    assert.deepStrictEqual(options.issues.map((issue) => issue.loc), [["query", "colour"], ["query", "limit"]])
    expectMregError(await rejection(client.history("model:default/nlp-team")), ValidationError, 422, "VALIDATION_ERROR")
    expectMregError(await rejection(client.history("")), ValidationError, 422, "VALIDATION_ERROR")
    expectMregError(await rejection(client.history("model:default/nlp-team/sentiment-clf:9")), NotFoundError, 404, "NOT_FOUND")
    expectMregError(await rejection(client.history("no-such-id")), NotFoundError, 404, "NOT_FOUND")
  })
})
