import { assert, describe, it } from "@effect/vitest"
import { ModelVersions, PageToken } from "@mreg/core"
import { Option } from "effect"

describe("PageToken", () => {
  it("a token names the position it was made of, as base64url JSON without padding", () => {
    const position = { ml_repo: "nlp-team", name: "sentiment-clf", version: 7 }
    const token = PageToken.make(position)
    assert.strictEqual(token, "WyJubHAtdGVhbSIsInNlbnRpbWVudC1jbGYiLDdd")
    assert.deepStrictEqual(PageToken.decode(token), Option.some(position))
  })

  it("text that is not a token made by make is None", () => {
    const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
    for (const bad of ["", "not a token", "a+b/", json(["r", "n"]), json(["r", "n", 0]), json(["", "n", 1]), json({ r: "r" }), json(["r", "n", 2 ** 31]), json(["a\u0000", "n", 1]), json(["r", "\u0000", 1])]) {
      assert.isTrue(Option.isNone(PageToken.decode(bad)), bad)
    }
  })

  it("a model token names its model position; model and model-version tokens never pass for each other", () => {
    const token = PageToken.makeModel({ ml_repo: "nlp-team", name: "sentiment-clf" })
    assert.strictEqual(token, "WyJubHAtdGVhbSIsInNlbnRpbWVudC1jbGYiXQ")
    assert.deepStrictEqual(PageToken.decodeModel(token), Option.some({ ml_repo: "nlp-team", name: "sentiment-clf" }))
    assert.isTrue(Option.isNone(PageToken.decode(token)))
    assert.isTrue(Option.isNone(PageToken.decodeModel(PageToken.make({ ml_repo: "nlp-team", name: "sentiment-clf", version: 1 }))))
    const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
    for (const bad of ["", "a+b/", json(["r", ""]), json(["r"]), json(["r", 1]), "x".repeat(4097)]) assert.isTrue(Option.isNone(PageToken.decodeModel(bad)), bad)
  })

  it("ReadScope patterns: * matches any run of characters, everything else itself", () => {
    const scope = ModelVersions.onlyMlRepos(["nlp-*", "shared", "a.b"])
    assert.deepStrictEqual(["nlp-", "nlp-x", "shared", "a.b", "axb", "Shared", "x-nlp-"].map((r) => ModelVersions.isVisible(scope, r)), [
      true, true, true, true, false, false, false
    ])
    assert.strictEqual(ModelVersions.singleMlRepo(ModelVersions.onlyMlRepos(["shared"])), "shared")
    assert.strictEqual(ModelVersions.singleMlRepo(scope), undefined)
    assert.isTrue(ModelVersions.isVisible(ModelVersions.everyMlRepo, "anything"))
  })
})
