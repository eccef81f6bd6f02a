import { assert, describe, it } from "@effect/vitest"
import { ListQueryParams, ModelVersions, RegistryApi } from "@mreg/core"
import { Either, Schema } from "effect"

/** The parameters of a search string as the framework decodes them (repeated lists become arrays). */
const decode = (search: string) => {
  const params: Record<string, string | Array<string>> = {}
  for (const [key, value] of new URLSearchParams(search)) {
    const seen = params[key]
    params[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value]
  }
  return ListQueryParams.decode(Schema.decodeUnknownSync(RegistryApi.ListUrlParams)(params))
}

describe("ListQueryParams", () => {
  it("decodes numbers from strings and lists from commas or repetition; ignores unknown parameters", () => {
    assert.deepStrictEqual(
      decode("?ml_repo=nlp&name=clf&version=3&limit=10&offset=20&run_ids=a,b&run_ids=c&run_steps=1&run_steps=2,3&tag=prod&other=x"),
      Either.right(new ModelVersions.ListQuery({
        ml_repo: "nlp",
        name: "clf",
        version: 3,
        limit: 10,
        offset: 20,
        run_ids: ["a", "b", "c"],
        run_steps: [1, 2, 3],
        tag: "prod"
      }))
    )
    assert.deepStrictEqual(decode(""), Either.right(new ModelVersions.ListQuery({})))
    assert.deepStrictEqual(decode("?fqn=model:default/nlp/clf:v1"), Either.right(new ModelVersions.ListQuery({ fqn: "model:default/nlp/clf:v1" })))
  })

  it("reports every bad parameter at ['query', name]", () => {
    const result = decode("?limit=1001&offset=x&version=0&name=&run_steps=-1&tag=a")
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.deepStrictEqual(result.left.detail.map((d) => [d.loc, d.msg]), [
        [["query", "name"], "must not be empty"],
        [["query", "offset"], "must be a whole number written in digits (received \"x\")"],
        [["query", "run_steps"], "must be whole numbers ≥ 0, comma-separated or repeated (received \"-1\")"],
        [["query", "version"], "Expected a number greater than or equal to 1, actual 0"],
        [["query", "limit"], "must be an integer from 1 to 1000 (received 1001)"]
      ])
    }
  })
})
