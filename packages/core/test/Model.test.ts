import { assert, describe, it } from "@effect/vitest"
import { ListQueryParams, Model } from "@mreg/core"
import { Either, Schema } from "effect"

describe("Model", () => {
  it("parses model FQNs; a version FQN names its model; anything else is a message naming the shape", () => {
    assert.deepStrictEqual(Model.parseFqn("model:acme/nlp/clf"), { tenant: "acme", mlRepo: "nlp", name: "clf" })
    assert.deepStrictEqual(Model.parseFqn("model:acme/nlp/clf:3"), { tenant: "acme", mlRepo: "nlp", name: "clf" })
    assert.deepStrictEqual(Model.parseFqn("nlp/clf"), { message: `must be a model FQN model:{tenant}/{ml_repo}/{name} (received "nlp/clf")` })
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
})
