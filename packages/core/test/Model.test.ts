import { assert, describe, it } from "@effect/vitest"
import { ListQueryParams, Model, PageToken } from "@mreg/core"
import { Either, Schema } from "effect"

describe("Model", () => {
  it("parses model FQNs; a version FQN names its model; anything else is a message naming the shape", () => {
    assert.deepStrictEqual(Model.parseFqn("model:acme/nlp/clf"), { tenant: "acme", mlRepo: "nlp", name: "clf" })
    assert.deepStrictEqual(Model.parseFqn("model:acme/nlp/clf:3"), { tenant: "acme", mlRepo: "nlp", name: "clf" })
    assert.deepStrictEqual(Model.parseFqn("nlp/clf"), { message: `must be model:{tenant}/{ml_repo}/{name}, optionally followed by :{version, alias or latest} (received "nlp/clf")` })
    assert.strictEqual(Model.formatFqn({ tenant: "acme", mlRepo: "nlp", name: "clf" }), "model:acme/nlp/clf")
  })

  it("decodes an upstream model without type (older TrueFoundry SDKs) as type model, keeping unknown fields", () => {
    const model = Schema.decodeUnknownSync(Model.Model)({
      id: "m-1",
      ml_repo_id: "r-1",
      name: "clf",
      fqn: "model:acme/nlp/clf",
      created_by_subject: { subjectId: "u", subjectType: "user" },
      extra: 1
    })
    assert.strictEqual(model.type, "model")
    assert.deepStrictEqual(Schema.encodeSync(Model.Model)(model), {
      id: "m-1",
      ml_repo_id: "r-1",
      type: "model",
      name: "clf",
      fqn: "model:acme/nlp/clf",
      created_by_subject: { subjectId: "u", subjectType: "user" },
      extra: 1
    } as never)
  })
})

describe("ListQueryParams.decodeModels", () => {
  it("reads include_empty_models as FastAPI does, integers in digits, and reports every problem at once", () => {
    const decoded = ListQueryParams.decodeModels({ include_empty_models: "FALSE", limit: "5", name: "clf" })
    assert.deepStrictEqual(Either.getOrThrow(decoded), new Model.ListQuery({ include_empty_models: false, limit: 5, name: "clf" }))
    assert.strictEqual(Either.getOrThrow(ListQueryParams.decodeModels({ include_empty_models: "1" })).include_empty_models, true)
    const bad = ListQueryParams.decodeModels({ name: "", offset: "-1", include_empty_models: "maybe" })
    assert.isTrue(Either.isLeft(bad))
    if (Either.isLeft(bad)) {
      assert.deepStrictEqual(bad.left.detail.map((issue) => issue.loc), [["query", "name"], ["query", "offset"], ["query", "include_empty_models"]])
    }
  })
  it("takes a model page token; a model-version token or other text is one issue at query.page_token", () => {
    const token = PageToken.makeModel({ ml_repo: "nlp", name: "clf" })
    assert.strictEqual(Either.getOrThrow(ListQueryParams.decodeModels({ page_token: token })).page_token, token)
    const versionToken = PageToken.make({ ml_repo: "nlp", name: "clf", version: 2 })
    for (const bad of [versionToken, "nope"]) {
      const decoded = ListQueryParams.decodeModels({ page_token: bad })
      assert.deepStrictEqual(Either.mapLeft(decoded, (error) => error.detail.map((issue) => [issue.loc, issue.msg])), Either.left([[
        ["query", "page_token"],
        `must be a page token from pagination.next_page_token of an earlier answer, sent back unchanged (received ${JSON.stringify(bad)})`
      ]]))
    }
  })
})

describe("Model.nextPage", () => {
  const page = (rows: number, pagination: { total: number; limit: number; next_page_token?: string }) => ({
    data: Array.from({ length: rows }, (_, i) => i),
    pagination: { offset: 0, ...pagination }
  })

  it("follows next_page_token (dropping offset), else pages by offset until total, a short page or nothing new", () => {
    const token = PageToken.makeModel({ ml_repo: "nlp", name: "b" })
    const query = new Model.ListQuery({ ml_repo: "nlp", limit: 2, offset: 4 })
    assert.deepStrictEqual(Model.nextPage(query, page(2, { total: 9, limit: 2, next_page_token: token }), 2), new Model.ListQuery({ ml_repo: "nlp", limit: 2, page_token: token }))
    assert.strictEqual(Model.nextPage(new Model.ListQuery({ limit: 2, page_token: token }), page(1, { total: 9, limit: 2 }), 1), undefined)
    assert.deepStrictEqual(Model.nextPage(query, page(2, { total: 9, limit: 2 }), 2), new Model.ListQuery({ ml_repo: "nlp", limit: 2, offset: 6 }))
    assert.strictEqual(Model.nextPage(query, page(2, { total: 6, limit: 2 }), 2), undefined)
    assert.strictEqual(Model.nextPage(query, page(1, { total: 9, limit: 2 }), 1), undefined)
    assert.strictEqual(Model.nextPage(query, page(2, { total: 9, limit: 2 }), 0), undefined)
  })
})
