import { assert, describe, it } from "@effect/vitest"
import { createClient, NotFoundError, ValidationError } from "@mreg/client"
import { onTestFinished } from "vitest"
import { base, embeddedClient, expectMregError, fakeServer, json, rejection, wireVersion } from "./utils.js"

const embedded = embeddedClient

describe("client.models, apply and deleteManifest (embedded)", () => {
  it("apply creates and updates; models.list/get show the model; deleteManifest and models.delete remove", async () => {
    const client = embedded()
    const dry = await client.apply(base(), { dryRun: true })
    assert.deepStrictEqual(dry, { action: "CREATE", manifest: { ...base(), version: 1 } })
    const created = await client.apply(base())
    assert.strictEqual(created.action, "CREATE")
    assert.strictEqual(created.data?.fqn, "model:default/nlp-team/sentiment-clf:1")
    const updated = await client.apply({ ...base(), version: 1, description: "again" })
    assert.strictEqual(updated.action, "UPDATE")
    assert.deepStrictEqual(updated.existingManifest, created.data?.manifest)
    await client.apply(base())

    const page = await client.models.list({ ml_repo: "nlp-team" })
    assert.deepStrictEqual(page.pagination, { total: 1, offset: 0, limit: 100 })
    const model = page.data[0]!
    assert.deepStrictEqual(
      [model.type, model.name, model.fqn, model.latest_version?.manifest.version, model.run_steps],
      ["model", "sentiment-clf", "model:default/nlp-team/sentiment-clf", 2, [0]]
    )
    assert.deepStrictEqual(JSON.parse(JSON.stringify(model)), model)
    assert.deepStrictEqual(await client.models.get(model.id), model)

    await client.deleteManifest({ ...base(), version: 2 })
    assert.strictEqual((await client.models.get(model.id)).latest_version?.manifest.version, 1)
    await client.models.delete(model.id)
    expectMregError(await rejection(client.models.get(model.id)), NotFoundError, 404, "NOT_FOUND")
    assert.strictEqual((await client.apply(base())).data?.manifest.version, 1)
  })

  it("checks input before anything is done: another manifest type, a bad query, an empty id", async () => {
    const client = embedded()
    const type = expectMregError(
      await rejection(client.apply({ ...base(), type: "ml-repo" } as never)),
      ValidationError,
      422,
      "VALIDATION_ERROR"
    )
    assert.deepStrictEqual(type.issues.map((issue) => issue.loc), [["body", "manifest", "type"]])
    const query = expectMregError(await rejection(client.models.list({ limit: 0, colour: "red" } as never)), ValidationError, 422, "VALIDATION_ERROR")
    assert.deepStrictEqual(query.issues.map((issue) => issue.loc), [["query", "colour"], ["query", "limit"]])
    expectMregError(await rejection(client.models.get("")), ValidationError, 422, "VALIDATION_ERROR")
    expectMregError(await rejection(client.deleteManifest(base())), ValidationError, 422, "VALIDATION_ERROR")
  })
})

describe("client.models.iterate (embedded)", () => {
  it("follows page tokens: models created or deleted meanwhile never make it skip or repeat another", async () => {
    const client = embedded()
    const before: Array<string> = []
    for (const name of ["m-b", "m-c", "m-d", "m-e", "m-f", "m-g"]) before.push((await client.apply(base({ name }))).data!.model_id)
    const seen: Array<string> = []
    const deleted = new Set<string>()
    for await (const model of client.models.iterate({ ml_repo: "nlp-team", limit: 2 })) {
      seen.push(model.id)
      if (seen.length % 2 !== 0 || seen.length > 4) continue
      // After each of the first two pages: a model before and one after the others, one returned and one coming deleted.
      await client.apply(base({ name: `m-a${seen.length}` }))
      await client.apply(base({ name: `m-z${seen.length}` }))
      const returned = seen.find((id) => !deleted.has(id))!
      const coming = [...before].reverse().find((id) => !seen.includes(id) && !deleted.has(id))!
      for (const id of [returned, coming]) {
        await client.models.delete(id)
        deleted.add(id)
      }
    }
    const whole = before.filter((id) => !deleted.has(id))
    assert.strictEqual(whole.length, 2)
    assert.deepStrictEqual(whole.map((id) => seen.filter((s) => s === id).length), [1, 1])
    assert.strictEqual(new Set(seen).size, seen.length)
    // Offsets start the walk; a bad query rejects at the first step.
    const names: Array<string> = []
    for await (const model of client.models.iterate({ ml_repo: "nlp-team", limit: 1, offset: 2 })) names.push(model.name)
    const all = (await client.models.list({ ml_repo: "nlp-team" })).data.map((model) => model.name)
    assert.deepStrictEqual(names, all.slice(2))
    expectMregError(await rejection(client.models.iterate({ limit: 0 }).next()), ValidationError, 422, "VALIDATION_ERROR")
  })
})

describe("client.models (remote)", () => {
  it("sends TrueFoundry's query names and reads its Model shape", async () => {
    const model = {
      id: "m-1",
      ml_repo_id: "r-1",
      type: "model" as const,
      name: "sentiment-clf",
      fqn: "model:acme/nlp-team/sentiment-clf",
      created_by_subject: { subjectId: "u-1", subjectType: "user" },
      created_at: "2024-06-01T12:00:00.000Z",
      updated_at: "2024-06-01T12:00:00.000Z",
      latest_version: wireVersion(1),
      run_steps: [0],
      extra_field: "kept"
    }
    const server = await fakeServer((_request, res) => json(res, 200, { data: [model], pagination: { total: 1, offset: 0, limit: 10 } }))
    const client = createClient({ host: server.url, apiKey: "secret-token", retries: 0 })
    onTestFinished(() => client.close())
    const page = await client.models.list({ name: "sentiment-clf", include_empty_models: false, limit: 10 })
    assert.deepStrictEqual(page.data, [model])
    assert.strictEqual(server.requests[0]!.url.pathname + server.requests[0]!.url.search, "/api/ml/v1/models?name=sentiment-clf&include_empty_models=false&limit=10")
  })
})
