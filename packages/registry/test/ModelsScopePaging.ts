/**
 * Cases of `ScopePagingSuite` for models: read scopes (`ModelVersions.ReadScope`) on `listModels`, `getModel` and
 * `deleteModel`, and stable paging of the model list by page tokens, on every implementation the suite runs on.
 */
import type { Vitest } from "@effect/vitest"
import { assert } from "@effect/vitest"
import { Model, ModelVersions, PageToken, type RegistryError } from "@mreg/core"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import { base } from "./ModelVersionsSuite.js"
import { expectBadToken, walkWhileChanging } from "./Walk.js"

const freshPrefix = () => `mp-${randomUUID().slice(0, 8)}`

const names = (page: Model.ModelPage) => page.data.map((model) => model.name)
const labels = (page: Model.ModelPage) => page.data.map((model) => model.fqn.split("/").slice(1).join("/"))

/** Registers the cases on the suite's `it`; `scopeInStore` as `ScopePagingOptions.scopeInStore`. */
export const modelsScopePaging = (it: Vitest.MethodsNonLive<ModelVersions.ModelVersions, true>, scopeInStore: boolean) => {
  const service = ModelVersions.ModelVersions
  const listModels = (fields: ConstructorParameters<typeof Model.ListQuery>[0], scope = ModelVersions.everyMlRepo) =>
    Effect.flatMap(service, (registry) => registry.listModels(new Model.ListQuery(fields))).pipe(
      Effect.provideService(ModelVersions.ReadScope, scope)
    )
  const create = (repo: string, name: string) =>
    Effect.flatMap(service, (registry) => Effect.map(registry.upsert(base(repo, { name })), (result) => result.modelVersion))

  it.effect("models: page tokens yield every model that exists for the whole walk once while others come and go", () =>
    Effect.gen(function*() {
      const registry = yield* service
      const repo = freshPrefix()
      const before: Array<string> = []
      for (const name of ["m-b", "m-c", "m-d", "m-e", "m-f", "m-g", "m-h", "m-i"]) before.push((yield* create(repo, name)).model_id)
      const whole = yield* walkWhileChanging({
        first: new Model.ListQuery({ ml_repo: repo, limit: 2 }),
        before,
        list: (query) => registry.listModels(query),
        next: Model.nextPage,
        // Meanwhile, for the first two pages: new models before, among and after the others, and two model deletes —
        // one already returned, one not returned yet.
        meanwhile: (pages) =>
          pages > 2 ? Effect.void : Effect.forEach([`m-a${pages}`, `m-c${pages}`, `m-z${pages}`], (name) => registry.upsert(base(repo, { name })), { discard: true }),
        deletes: (pages) => pages <= 2,
        remove: (id) => registry.deleteModel(Model.ModelId.make(id))
      })
      assert.strictEqual(whole, 4)
    }))

  it.effect("models: offset pages carry next_page_token, a token continues after the last model, the last page has none", () =>
    Effect.gen(function*() {
      const repo = freshPrefix()
      for (const name of ["m-a", "m-b", "m-c", "m-d", "m-e"]) yield* create(repo, name)
      const list = (fields: ConstructorParameters<typeof Model.ListQuery>[0]) => listModels({ ml_repo: repo, limit: 2, ...fields })
      const first = yield* list({})
      assert.strictEqual(first.pagination.next_page_token, PageToken.makeModel({ ml_repo: repo, name: "m-b" }))
      const second = yield* list({ page_token: first.pagination.next_page_token! })
      const third = yield* list({ page_token: second.pagination.next_page_token! })
      assert.deepStrictEqual([first, second, third].map(names), [["m-a", "m-b"], ["m-c", "m-d"], ["m-e"]])
      assert.deepStrictEqual(third.pagination, { total: 5, offset: 0, limit: 2 })
      const byOffset = yield* list({ offset: 2 })
      assert.deepStrictEqual(names(byOffset), ["m-c", "m-d"])
      assert.deepStrictEqual(names(yield* list({ page_token: byOffset.pagination.next_page_token! })), ["m-e"])
      assert.strictEqual((yield* list({ offset: 4 })).pagination.next_page_token, undefined)
      assert.strictEqual((yield* list({ limit: 5 })).pagination.next_page_token, undefined)
    }))

  it.effect("models: a page token that is not one (a model-version token included) is a ValidationError at query.page_token", () =>
    Effect.gen(function*() {
      const registry = yield* service
      const versionToken = PageToken.make({ ml_repo: "r", name: "n", version: 1 })
      for (const token of ["not-a-token", versionToken]) {
        expectBadToken(yield* Effect.flip(registry.listModels(new Model.ListQuery({ page_token: token }, true))), token, scopeInStore)
      }
    }))

  it.effect("models under a read scope of one ML repo: lists hold only it, filters naming another are empty, its models are NotFound", () =>
    Effect.gen(function*() {
      const registry = yield* service
      const prefix = freshPrefix()
      const [mine, other] = [`${prefix}-a`, `${prefix}-c`]
      const a1 = yield* create(mine, "m-1")
      const a2 = yield* create(mine, "m-2")
      const c1 = yield* create(other, "m-1")
      const scope = ModelVersions.onlyMlRepos([mine])
      const scoped = <A, E>(effect: Effect.Effect<A, E>) => Effect.provideService(effect, ModelVersions.ReadScope, scope)
      const all = yield* listModels({ limit: 1 }, scope)
      assert.deepStrictEqual([names(all), all.pagination.total], [["m-1"], 2])
      assert.deepStrictEqual(labels(yield* listModels({ page_token: all.pagination.next_page_token! }, scope)), [`${mine}/m-2`])
      const otherFqn = `model:${c1.fqn.slice("model:".length).split("/")[0]}/${other}/m-1`
      for (const filter of [{ ml_repo: other }, { fqn: otherFqn }, { ml_repo_id: c1.ml_repo_id }]) {
        const page = yield* listModels(filter, scope)
        assert.deepStrictEqual([page.data, page.pagination.total], [[], 0], JSON.stringify(filter))
      }
      const outcome = (effect: Effect.Effect<unknown, RegistryError.RegistryError>) =>
        Effect.map(Effect.flip(scoped(effect)), (error) => [error._tag, error.message])
      for (const id of [Model.ModelId.make(c1.model_id), Model.ModelId.make(randomUUID())]) {
        const notFound = ["NotFound", `no model with id ${JSON.stringify(id)}`]
        assert.deepStrictEqual(yield* outcome(registry.getModel(id)), notFound)
        assert.deepStrictEqual(yield* outcome(registry.deleteModel(id)), notFound)
      }
      // Nothing happened to the other ML repo's model; the caller's own models can be read and deleted.
      assert.strictEqual((yield* registry.getModel(Model.ModelId.make(c1.model_id))).latest_version?.id, c1.id)
      assert.strictEqual((yield* scoped(registry.getModel(Model.ModelId.make(a1.model_id)))).latest_version?.id, a1.id)
      yield* scoped(registry.deleteModel(Model.ModelId.make(a2.model_id)))
      assert.deepStrictEqual(labels(yield* listModels({}, scope)), [`${mine}/m-1`])
    }))

  if (scopeInStore) {
    it.effect("models under a read scope of patterns: an unfiltered list counts only the visible ML repos; no pattern sees nothing", () =>
      Effect.gen(function*() {
        const prefix = freshPrefix()
        for (const repo of [`${prefix}-a`, `${prefix}-bx`, `${prefix}-by`, `${prefix}-c`, `${prefix}-ab`]) yield* create(repo, "m")
        const scope = ModelVersions.onlyMlRepos([`${prefix}-a`, `${prefix}-b*`])
        const page = yield* listModels({ limit: 2 }, scope)
        assert.deepStrictEqual([labels(page), page.pagination.total], [[`${prefix}-a/m`, `${prefix}-bx/m`], 3])
        assert.deepStrictEqual(labels(yield* listModels({ page_token: page.pagination.next_page_token! }, scope)), [`${prefix}-by/m`])
        assert.strictEqual((yield* listModels({}, ModelVersions.onlyMlRepos([`${prefix}-?`, `${prefix}-[a]`, `${prefix}_%`]))).pagination.total, 0)
        assert.strictEqual((yield* listModels({}, ModelVersions.onlyMlRepos([]))).pagination.total, 0)
      }))
  }
}
