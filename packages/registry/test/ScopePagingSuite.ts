/**
 * Behaviour suite of read scopes (`ModelVersions.ReadScope`) and stable paging (page tokens), run against every
 * `ModelVersions` implementation beside `ModelVersionsSuite` (SQLite, PostgreSQL, over HTTP through the proxy); the
 * models' cases are in `ModelsScopePaging.ts`.
 *
 * Each test writes to ML repos with a random prefix, so implementations that share one store stay isolated.
 */
import { assert, describe, layer as withLayer } from "@effect/vitest"
import { ModelVersion, ModelVersions, RegistryError } from "@mreg/core"
import { Effect, type Layer } from "effect"
import { randomUUID } from "node:crypto"
import { base } from "./ModelVersionsSuite.js"
import { modelsScopePaging } from "./ModelsScopePaging.js"
import { expectBadToken, walkWhileChanging } from "./Walk.js"

/** What an implementation does with a read scope. */
export interface ScopePagingOptions {
  /**
   * The store itself answers (the embedded registry): it filters by any scope, so totals are exact for patterns
   * too, and its error messages are seen as written. Over HTTP only a scope of one ML repo name is sent to the
   * server (other scopes drop rows from the server's page), and an error's message is core's HTTP client's.
   */
  readonly scopeInStore: boolean
}

const freshPrefix = () => `sp-${randomUUID().slice(0, 8)}`

const ids = (page: ModelVersion.ModelVersionPage) => page.data.map((mv) => mv.id)
const labels = (page: ModelVersion.ModelVersionPage) => page.data.map((mv) => `${mv.manifest.ml_repo}/${mv.manifest.name}:${mv.manifest.version}`)

/** Registers the suite under `describe(name)`; `layer` is built once per test file. */
export const scopePagingSuite = <E>(name: string, layer: Layer.Layer<ModelVersions.ModelVersions, E>, options: ScopePagingOptions) =>
  describe(name, () => {
    withLayer(layer, { timeout: 120_000, excludeTestServices: true })((it) => {
      const service = ModelVersions.ModelVersions
      modelsScopePaging(it, options.scopeInStore)

      it.effect("page tokens: every version that exists for the whole walk is yielded once while others come and go", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshPrefix()
          const before: Array<string> = []
          for (const name of ["m-b", "m-c", "m-d"]) {
            for (let i = 0; i < 4; i++) before.push((yield* registry.upsert(base(repo, { name }))).modelVersion.id)
          }
          const whole = yield* walkWhileChanging({
            first: new ModelVersions.ListQuery({ ml_repo: repo, limit: 3 }),
            before,
            list: (query) => registry.list(query),
            next: ModelVersions.nextPage,
            // Meanwhile: new versions of a model before, among and after the others, and two deletes — one version
            // already returned, one not returned yet.
            meanwhile: () => Effect.forEach(["m-a", "m-c", "m-e"], (name) => registry.upsert(base(repo, { name })), { discard: true }),
            deletes: () => true,
            remove: (id) => registry.delete(ModelVersion.ModelVersionId.make(id))
          })
          assert.isAbove(whole, 3)
        }))

      it.effect("page tokens: offset pages carry next_page_token, a token continues after the last version, the last page has none", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshPrefix()
          for (let i = 0; i < 5; i++) yield* registry.upsert(base(repo))
          const list = (fields: ConstructorParameters<typeof ModelVersions.ListQuery>[0]) =>
            registry.list(new ModelVersions.ListQuery({ ml_repo: repo, limit: 2, ...fields }))
          const first = yield* list({})
          const second = yield* list({ page_token: first.pagination.next_page_token! })
          const third = yield* list({ page_token: second.pagination.next_page_token! })
          assert.deepStrictEqual([first, second, third].map(labels), [
            [`${repo}/sentiment-clf:5`, `${repo}/sentiment-clf:4`],
            [`${repo}/sentiment-clf:3`, `${repo}/sentiment-clf:2`],
            [`${repo}/sentiment-clf:1`]
          ])
          assert.deepStrictEqual(third.pagination, { total: 5, offset: 0, limit: 2 })
          const byOffset = yield* list({ offset: 2 })
          assert.deepStrictEqual(ids(byOffset), ids(second))
          assert.deepStrictEqual(labels(yield* list({ page_token: byOffset.pagination.next_page_token! })), labels(third))
          assert.strictEqual((yield* list({ offset: 4 })).pagination.next_page_token, undefined)
          assert.strictEqual((yield* list({ limit: 5 })).pagination.next_page_token, undefined)
        }))

      it.effect("a page token that is not one is a ValidationError at query.page_token naming the rule", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const error = yield* Effect.flip(registry.list(new ModelVersions.ListQuery({ page_token: "not-a-token" }, true)))
          expectBadToken(error, "not-a-token", options.scopeInStore)
        }))

      it.effect("read scope of one ML repo: lists hold only it, filters naming another are empty, its ids are NotFound", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const prefix = freshPrefix()
          const [mine, other] = [`${prefix}-a`, `${prefix}-c`]
          const a1 = (yield* registry.upsert(base(mine))).modelVersion
          const a2 = (yield* registry.upsert(base(mine))).modelVersion
          const c1 = (yield* registry.upsert(base(other))).modelVersion
          const scoped = <A, E2>(effect: Effect.Effect<A, E2>) =>
            Effect.provideService(effect, ModelVersions.ReadScope, ModelVersions.onlyMlRepos([mine]))
          const list = (fields: ConstructorParameters<typeof ModelVersions.ListQuery>[0]) =>
            scoped(registry.list(new ModelVersions.ListQuery(fields)))
          const all = yield* list({ limit: 1 })
          assert.deepStrictEqual([ids(all), all.pagination.total], [[a2.id], 2])
          assert.deepStrictEqual(ids(yield* list({ page_token: all.pagination.next_page_token! })), [a1.id])
          for (const filter of [{ ml_repo: other }, { fqn: c1.fqn }, { ml_repo_id: c1.ml_repo_id }, { model_id: c1.model_id }]) {
            const page = yield* list(filter)
            assert.deepStrictEqual([page.data, page.pagination.total], [[], 0], JSON.stringify(filter))
          }
          const missing = ModelVersion.ModelVersionId.make(randomUUID())
          const notFound = (id: string) => ["NotFound", `no model version with id "${id}"`]
          const outcome = (effect: Effect.Effect<unknown, RegistryError.RegistryError>) =>
            Effect.map(Effect.flip(scoped(effect)), (error) => [error._tag, error.message])
          for (const id of [c1.id, missing]) {
            assert.deepStrictEqual(yield* outcome(registry.get(id)), notFound(id))
            assert.deepStrictEqual(yield* outcome(registry.delete(id)), notFound(id))
            assert.deepStrictEqual(
              yield* outcome(registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: id, tags: ["prod"] }))),
              notFound(id)
            )
          }
          // Nothing happened to the other ML repo's version; the caller's own versions can be tagged and deleted.
          assert.deepStrictEqual((yield* registry.get(c1.id)).modelVersion, c1)
          yield* scoped(registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: a1.id, tags: ["prod"] })))
          assert.deepStrictEqual((yield* scoped(registry.get(a1.id))).modelVersion.tags, ["prod"])
          yield* scoped(registry.delete(a2.id))
          assert.deepStrictEqual(ids(yield* list({})), [a1.id])
        }))

      if (options.scopeInStore) {
        it.effect("read scope of patterns: an unfiltered list counts only the visible ML repos; no pattern sees nothing", () =>
          Effect.gen(function*() {
            const registry = yield* service
            const prefix = freshPrefix()
            for (const repo of [`${prefix}-a`, `${prefix}-bx`, `${prefix}-by`, `${prefix}-c`, `${prefix}-ab`]) yield* registry.upsert(base(repo))
            const list = (patterns: ReadonlyArray<string>, fields: ConstructorParameters<typeof ModelVersions.ListQuery>[0] = {}) =>
              registry.list(new ModelVersions.ListQuery(fields)).pipe(
                Effect.provideService(ModelVersions.ReadScope, ModelVersions.onlyMlRepos(patterns))
              )
            const page = yield* list([`${prefix}-a`, `${prefix}-b*`], { limit: 2 })
            assert.deepStrictEqual([labels(page), page.pagination.total], [[`${prefix}-a/sentiment-clf:1`, `${prefix}-bx/sentiment-clf:1`], 3])
            assert.deepStrictEqual(labels(yield* list([`${prefix}-a`, `${prefix}-b*`], { page_token: page.pagination.next_page_token! })), [
              `${prefix}-by/sentiment-clf:1`
            ])
            assert.strictEqual((yield* list([`${prefix}-?`, `${prefix}-[a]`, `${prefix}_%`])).pagination.total, 0)
            assert.strictEqual((yield* list([])).pagination.total, 0)
          }))
      }
    })
  })
