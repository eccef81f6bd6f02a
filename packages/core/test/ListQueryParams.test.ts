import { assert, describe, it } from "@effect/vitest"
import { ListQueryParams, Model, ModelVersions, RegistryApi } from "@mreg/core"
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

/** A decode's problems as `[loc, msg]` pairs (its success as it is). */
const problems = <A>(result: Either.Either<A, { readonly detail: ReadonlyArray<{ readonly loc: unknown; readonly msg: string }> }>) =>
  Either.mapLeft(result, (error) => error.detail.map((issue) => [issue.loc, issue.msg]))

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

  it("numbers the store cannot hold (over 2^31 − 1) are a 422 naming the limit, never a store failure", () => {
    assert.deepStrictEqual(problems(decode("?version=2147483648&run_steps=2147483648&offset=99999999999999999999")), Either.left([
      [["query", "version"], "must be at most 2147483647 (received \"2147483648\")"],
      [["query", "offset"], "must be at most 2147483647 (received \"99999999999999999999\")"],
      [["query", "run_steps"], "must be whole numbers from 0 to 2147483647, comma-separated or repeated (received \"2147483648\")"]
    ]))
    assert.deepStrictEqual(decode("?version=2147483647"), Either.right(new ModelVersions.ListQuery({ version: 2147483647 })))
  })

  it("version=latest and model FQNs are accepted; another word is a 422 naming latest", () => {
    assert.deepStrictEqual(decode("?version=latest"), Either.right(new ModelVersions.ListQuery({ version: "latest" })))
    assert.deepStrictEqual(
      decode("?fqn=model:default/nlp-team/sentiment-clf"),
      Either.right(new ModelVersions.ListQuery({ fqn: "model:default/nlp-team/sentiment-clf" }))
    )
    assert.deepStrictEqual(
      decode("?fqn=model:default/nlp-team/sentiment-clf:latest"),
      Either.right(new ModelVersions.ListQuery({ fqn: "model:default/nlp-team/sentiment-clf:latest" }))
    )
    assert.deepStrictEqual(
      problems(decode("?version=newest")),
      Either.left([[["query", "version"], "must be a whole number written in digits or latest (received \"newest\")"]])
    )
  })

  it("filter: a valid expression is kept; a bad one is a 422 at query.filter naming the column; NUL by the NUL rule", () => {
    const filter = "metadata.accuracy >= 0.9 and tag = \"prod\""
    assert.deepStrictEqual(decode(`?${new URLSearchParams({ filter })}`), Either.right(new ModelVersions.ListQuery({ filter })))
    const bad = decode(`?${new URLSearchParams({ filter: "metadata.acc >= ", limit: "0" })}`)
    assert.deepStrictEqual(
      Either.mapLeft(bad, (error) => [error.message, error.detail.map((d) => [d.loc, d.msg])]),
      Either.left([
        "2 problems: query.limit: must be an integer from 1 to 1000 (received 0); query.filter: column 17: expected a value after \">=\", found end of input",
        [
          [["query", "limit"], "must be an integer from 1 to 1000 (received 0)"],
          [["query", "filter"], "column 17: expected a value after \">=\", found end of input"]
        ]
      ])
    )
    assert.deepStrictEqual(
      problems(decode(`?${new URLSearchParams({ filter: "name = \"a\u0000\"" })}`)),
      Either.left([[["query", "filter"], "must not contain a NUL character (U+0000) (received \"name = \\\"a\\u0000\\\"\")"]])
    )
    assert.deepStrictEqual(
      problems(ListQueryParams.decodeModels(Schema.decodeUnknownSync(Model.ListUrlParams)({ filter: "nmae = 1" }))),
      Either.left([[["query", "filter"], "column 1: expected a field, found \"nmae\"; did you mean \"name\"?"]])
    )
  })

  it("reports every bad parameter at ['query', name]", () => {
    assert.deepStrictEqual(problems(decode("?limit=1001&offset=x&version=0&name=&run_steps=-1&tag=a")), Either.left([
      [["query", "name"], "must not be empty"],
      [["query", "offset"], "must be a whole number written in digits (received \"x\")"],
      [["query", "run_steps"], "must be whole numbers from 0 to 2147483647, comma-separated or repeated (received \"-1\")"],
      [["query", "version"], "must be an integer from 1 to 2147483647 (received 0)"],
      [["query", "limit"], "must be an integer from 1 to 1000 (received 1001)"]
    ]))
  })
})
