/**
 * The behaviour suite of `filter` on list and models list, run by `modelVersionsSuite` on every `ModelVersions`
 * implementation (SQLite, PostgreSQL, over HTTP through the proxy, embedded and in upstream mode). Each test writes
 * to its own ML repo.
 */
import { assert, layer as withLayer } from "@effect/vitest"
import { Model, ModelVersions, RegistryError } from "@mreg/core"
import { Effect, type Layer } from "effect"
import { randomUUID } from "node:crypto"
import { base } from "./ModelVersionsSuite.js"

const freshRepo = () => `filter-${randomUUID().slice(0, 8)}`

/** Three versions: `a:1` (0.95, tagged prod), `a:2` (0.8, tagged staging), `b:1` (accuracy as text, local, no framework). */
const seed = (repo: string) =>
  Effect.gen(function*() {
    const registry = yield* ModelVersions.ModelVersions
    const a1 = (yield* registry.upsert(base(repo, {
      name: "a",
      description: "BERT tuned on SST-2",
      metadata: { accuracy: 0.95, "a.b": { c: "x" }, label: "50%_off", quote: "say \"hi\"\\", uni: "été 😀", ok: true }
    }))).modelVersion
    const a2 = (yield* registry.upsert(base(repo, { name: "a", metadata: { accuracy: 0.8, label: "50xxoff", ok: false }, run_id: "run-2" }))).modelVersion
    const b1 = (yield* registry.upsert(base(repo, {
      name: "b",
      metadata: { accuracy: "0.99", nothing: null },
      framework: undefined,
      source: { type: "local", file_or_folder: "./model" }
    }))).modelVersion
    yield* registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: a1.id, tags: ["prod", "nlp"] }))
    yield* registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: a2.id, tags: ["staging"] }))
    return { a1, a2, b1 }
  })

const names = (page: { readonly data: ReadonlyArray<{ readonly manifest: { readonly name: string; readonly version?: number | undefined } }> }) =>
  page.data.map((version) => `${version.manifest.name}:${version.manifest.version}`)

const list = (fields: ConstructorParameters<typeof ModelVersions.ListQuery>[0]) =>
  Effect.flatMap(ModelVersions.ModelVersions, (registry) => registry.list(new ModelVersions.ListQuery(fields, true)))

/** Registers the filter cases on `layer` (built once for them). */
export const filterSuite = <E>(layer: Layer.Layer<ModelVersions.ModelVersions, E>) =>
  withLayer(layer, { timeout: 120_000, excludeTestServices: true })((it) => {
    it.effect("filter: comparisons, types, tags, escapes and not, on list", () =>
      Effect.gen(function*() {
        const repo = freshRepo()
        yield* seed(repo)
        const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
          ["metadata.accuracy >= 0.9", ["a:1"]],
          ["metadata.accuracy >= \"0\"", ["b:1"]],
          ["metadata.accuracy < 0.9 or metadata.accuracy = \"0.99\"", ["a:2", "b:1"]],
          ["not metadata.accuracy >= 0.9", ["a:2", "b:1"]],
          ["metadata.accuracy != 0.8", ["a:1"]],
          ["tag = \"prod\"", ["a:1"]],
          ["tag != \"prod\"", ["a:2", "b:1"]],
          ["tag in (\"staging\", \"nlp\")", ["a:2", "a:1"]],
          ["tag contains \"ro\"", ["a:1"]],
          ["not tag exists", ["b:1"]],
          ["metadata.label contains \"%_\"", ["a:1"]],
          ["metadata.label = \"50%_off\"", ["a:1"]],
          ["metadata.quote = \"say \\\"hi\\\"\\\\\"", ["a:1"]],
          ["metadata.'a.b'.c = 'x'", ["a:1"]],
          ["metadata.uni contains \"😀\"", ["a:1"]],
          ["metadata.uni > \"été\"", ["a:1"]],
          ["metadata.ok = true", ["a:1"]],
          ["metadata.ok != true", ["a:2"]],
          ["metadata.nothing = null", ["a:2", "a:1", "b:1"]],
          ["metadata.nothing exists or metadata.ok exists", ["a:2", "a:1"]],
          ["deployable = false", ["b:1"]],
          ["framework.type = \"transformers\" and name = \"a\" and version = 2", ["a:2"]],
          ["run_id = null and description contains \"SST\"", ["a:1"]],
          ["version_alias exists", []],
          ["environment.python_version = \"3.10\" and step >= 0", ["a:2", "a:1", "b:1"]],
          ["created_at > \"2000-01-01\" and updated_at < \"2999-01-01T00:00:00Z\"", ["a:2", "a:1", "b:1"]],
          [`ml_repo = "${repo}" and created_by exists`, ["a:2", "a:1", "b:1"]],
          // the longest `in` lists a filter can hold (SQLite refuses an expression over 1,000 levels deep)
          [`version in (${Array(2000).fill("3").join(",")}, 1)`, ["a:1", "b:1"]],
          [`metadata.accuracy in (${Array(2000).fill("0").join(",")}, 0.95)`, ["a:1"]]
        ]
        for (const [filter, expected] of cases) {
          assert.deepStrictEqual(names(yield* list({ ml_repo: repo, filter })), expected, filter)
        }
      }))

    it.effect("filter: combines with other filters, totals and page tokens", () =>
      Effect.gen(function*() {
        const repo = freshRepo()
        yield* seed(repo)
        const first = yield* list({ ml_repo: repo, filter: "metadata.accuracy exists", limit: 2 })
        assert.deepStrictEqual(names(first), ["a:2", "a:1"])
        assert.strictEqual(first.pagination.total, 3)
        const token = first.pagination.next_page_token
        if (token !== undefined) {
          const second = yield* list({ ml_repo: repo, filter: "metadata.accuracy exists", limit: 2, page_token: token })
          assert.deepStrictEqual(names(second), ["b:1"])
        }
        const offset = yield* list({ ml_repo: repo, filter: "metadata.accuracy exists", limit: 2, offset: 2 })
        assert.deepStrictEqual(names(offset), ["b:1"])
        assert.deepStrictEqual(names(yield* list({ ml_repo: repo, name: "a", filter: "not tag = \"prod\"" })), ["a:2"])
      }))

    it.effect("filter: a model matches when one of its live versions does", () =>
      Effect.gen(function*() {
        const repo = freshRepo()
        const { a1 } = yield* seed(repo)
        const models = (filter: string) =>
          Effect.flatMap(ModelVersions.ModelVersions, (registry) => registry.listModels(new Model.ListQuery({ ml_repo: repo, filter }, true)))
        assert.deepStrictEqual((yield* models("metadata.accuracy >= 0.9")).data.map((model) => model.name), ["a"])
        assert.deepStrictEqual((yield* models("deployable = false")).data.map((model) => model.name), ["b"])
        assert.deepStrictEqual((yield* models("metadata.accuracy exists")).data.map((model) => model.name), ["a", "b"])
        yield* Effect.flatMap(ModelVersions.ModelVersions, (registry) => registry.delete(a1.id))
        assert.deepStrictEqual((yield* models("metadata.accuracy >= 0.9")).data.map((model) => model.name), [])
        assert.deepStrictEqual((yield* models("tag = \"staging\"")).pagination.total, 1)
      }))

    it.effect("filter: a read scope filters within its ML repos", () =>
      Effect.gen(function*() {
        const repo = freshRepo()
        const other = freshRepo()
        yield* seed(repo)
        yield* seed(other)
        const scoped = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, ModelVersions.ReadScope, ModelVersions.onlyMlRepos([repo]))
        const filter = `metadata.accuracy >= 0.9 and (ml_repo = "${repo}" or ml_repo = "${other}")`
        const page = yield* scoped(list({ filter }))
        assert.deepStrictEqual(page.data.map((version) => version.manifest.ml_repo), [repo])
        assert.strictEqual(page.pagination.total, 1)
        const models = yield* scoped(
          Effect.flatMap(ModelVersions.ModelVersions, (registry) => registry.listModels(new Model.ListQuery({ filter }, true)))
        )
        assert.deepStrictEqual(models.data.map((model) => model.fqn.split("/")[1]), [repo])
      }))

    it.effect("filter: a bad expression is a 422 at query.filter naming the column", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(list({ filter: "metadata.accuracy >= " }))
        assert.instanceOf(error, RegistryError.ValidationError)
        assert.deepStrictEqual(error.detail.map((issue) => [issue.loc, issue.msg]), [
          [["query", "filter"], "column 22: expected a value after \">=\", found end of input"]
        ])
        const models = yield* Effect.flip(
          Effect.flatMap(ModelVersions.ModelVersions, (registry) => registry.listModels(new Model.ListQuery({ filter: "nmae = \"a\"" }, true)))
        )
        assert.deepStrictEqual((models as RegistryError.ValidationError).detail.map((issue) => issue.msg), [
          "column 1: expected a field, found \"nmae\"; did you mean \"name\"?"
        ])
      }))
  })
