/**
 * The behaviour suite of models (list, get, delete) and of the generic apply and delete (`@mreg/core`'s `Apply` on
 * the service), run by `modelVersionsSuite` on every `ModelVersions` implementation (SQLite, PostgreSQL, and over HTTP
 * through the proxy, embedded and in upstream mode). Each test writes to its own ML repo.
 */
import { assert, layer as withLayer } from "@effect/vitest"
import { Apply, Model, ModelManifest, ModelVersions, PageToken, RegistryError } from "@mreg/core"
import { Effect, Layer } from "effect"
import { randomUUID } from "node:crypto"
import { base, type SuiteOptions } from "./ModelVersionsSuite.js"

const freshRepo = () => `models-${randomUUID().slice(0, 8)}`

const manifest = (repo: string, fields: Partial<typeof ModelManifest.ModelManifest.Encoded> = {}) => base(repo, fields)

const listModels = (fields: ConstructorParameters<typeof Model.ListQuery>[0]) =>
  Effect.flatMap(ModelVersions.ModelVersions, (registry) => registry.listModels(new Model.ListQuery(fields)))

/** Registers the models cases on `layer` (built once for them). */
export const modelsSuite = <E>(layer: Layer.Layer<ModelVersions.ModelVersions, E>, options: SuiteOptions) =>
  withLayer(layer, { timeout: 120_000, excludeTestServices: true })((it) => {
    it.effect("models: TrueFoundry's Model shape with the latest live version and run steps; get equals the list item", () =>
      Effect.gen(function*() {
        const registry = yield* ModelVersions.ModelVersions
        const repo = freshRepo()
        const v1 = (yield* registry.upsert(manifest(repo, { step: 5 }))).modelVersion
        const v2 = (yield* registry.upsert(manifest(repo, { step: 1 }))).modelVersion
        yield* registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: v2.id, tags: ["prod"] }))
        const page = yield* listModels({ ml_repo: repo })
        assert.deepStrictEqual(page.pagination, { total: 1, offset: 0, limit: 100 })
        const model = page.data[0]!
        assert.strictEqual(model.id, v1.model_id)
        assert.strictEqual(model.ml_repo_id, v1.ml_repo_id)
        assert.strictEqual(model.type, "model")
        assert.strictEqual(model.name, "sentiment-clf")
        assert.strictEqual(model.fqn, `model:${options.tenant}/${repo}/sentiment-clf`)
        assert.deepStrictEqual(model.created_by_subject, v1.created_by_subject)
        assert.strictEqual(model.created_at, v1.created_at)
        assert.isTrue(model.updated_at! >= v2.updated_at)
        assert.strictEqual(model.latest_version?.id, v2.id)
        assert.strictEqual(model.latest_version?.manifest.version, 2)
        assert.deepStrictEqual(model.latest_version?.tags, ["prod"])
        assert.deepStrictEqual(model.run_steps, [1, 5])
        assert.deepStrictEqual(yield* registry.getModel(model.id), model)
      }))

    it.effect("models: filters by FQN (model or version), ML repo, name and run id; paging and total", () =>
      Effect.gen(function*() {
        const registry = yield* ModelVersions.ModelVersions
        const repo = freshRepo()
        yield* registry.upsert(manifest(repo, { name: "a", run_id: "run-1" }))
        const b = (yield* registry.upsert(manifest(repo, { name: "b" }))).modelVersion
        yield* registry.upsert(manifest(repo, { name: "c", run_id: "run-1" }))
        const names = (page: Model.ModelPage) => page.data.map((model) => model.name)
        assert.deepStrictEqual(names(yield* listModels({ ml_repo: repo })), ["a", "b", "c"])
        assert.deepStrictEqual(names(yield* listModels({ ml_repo_id: b.ml_repo_id })), ["a", "b", "c"])
        assert.deepStrictEqual(names(yield* listModels({ fqn: `model:${options.tenant}/${repo}/b` })), ["b"])
        assert.deepStrictEqual(names(yield* listModels({ fqn: `model:${options.tenant}/${repo}/b:1` })), ["b"])
        assert.deepStrictEqual(names(yield* listModels({ fqn: `model:other-tenant/${repo}/b` })), [])
        assert.deepStrictEqual(names(yield* listModels({ ml_repo: repo, name: "c" })), ["c"])
        assert.deepStrictEqual(names(yield* listModels({ ml_repo: repo, run_id: "run-1" })), ["a", "c"])
        const second = yield* listModels({ ml_repo: repo, limit: 1, offset: 1 })
        assert.deepStrictEqual(names(second), ["b"])
        // mreg adds next_page_token when a next page exists (PageToken.makeModel of the page's last model).
        assert.deepStrictEqual(second.pagination, { total: 3, offset: 1, limit: 1, next_page_token: PageToken.makeModel({ ml_repo: repo, name: "b" }) })
      }))

    it.effect("models: a model whose versions are all deleted is empty: listed by default, left out with include_empty_models=false", () =>
      Effect.gen(function*() {
        const registry = yield* ModelVersions.ModelVersions
        const repo = freshRepo()
        const v1 = (yield* registry.upsert(manifest(repo, { name: "gone" }))).modelVersion
        yield* registry.upsert(manifest(repo, { name: "kept" }))
        yield* registry.delete(v1.id)
        const all = yield* listModels({ ml_repo: repo })
        assert.deepStrictEqual(all.data.map((model) => model.name), ["gone", "kept"])
        assert.strictEqual(all.data[0]!.latest_version, undefined)
        assert.deepStrictEqual(all.data[0]!.run_steps, [])
        const live = yield* listModels({ ml_repo: repo, include_empty_models: false })
        assert.deepStrictEqual(live.data.map((model) => model.name), ["kept"])
        assert.strictEqual(live.pagination.total, 1)
      }))

    it.effect("models: delete removes the model and every version; a later upsert creates a new model from version 1", () =>
      Effect.gen(function*() {
        const registry = yield* ModelVersions.ModelVersions
        const repo = freshRepo()
        const v1 = (yield* registry.upsert(manifest(repo, { version_alias: "v1-prod" }))).modelVersion
        const v2 = (yield* registry.upsert(manifest(repo))).modelVersion
        yield* registry.deleteModel(Model.ModelId.make(v1.model_id))
        const gone = yield* Effect.flip(registry.getModel(Model.ModelId.make(v1.model_id)))
        assert.instanceOf(gone, RegistryError.NotFound)
        assert.strictEqual(gone.message, `no model with id ${JSON.stringify(v1.model_id)}`)
        assert.instanceOf(yield* Effect.flip(registry.get(v2.id)), RegistryError.NotFound)
        assert.instanceOf(yield* Effect.flip(registry.deleteModel(Model.ModelId.make(v1.model_id))), RegistryError.NotFound)
        const versions = yield* registry.list(new ModelVersions.ListQuery({ ml_repo: repo }))
        assert.strictEqual(versions.pagination.total, 0)
        assert.strictEqual((yield* listModels({ ml_repo: repo })).pagination.total, 0)
        // The alias and number 1 belonged to the deleted model: the new model starts again.
        const again = (yield* registry.upsert(manifest(repo, { version_alias: "v1-prod" }))).modelVersion
        assert.notStrictEqual(again.model_id, v1.model_id)
        assert.strictEqual(again.manifest.version, 1)
        assert.strictEqual(again.fqn, v1.fqn)
        assert.strictEqual((yield* registry.upsert(manifest(repo))).modelVersion.manifest.version, 2)
        assert.instanceOf(yield* Effect.flip(registry.getModel(Model.ModelId.make(randomUUID()))), RegistryError.NotFound)
      }))

    it.effect("models: writes racing a model delete never fail and never reuse a number within one model", () =>
      Effect.gen(function*() {
        const registry = yield* ModelVersions.ModelVersions
        const repo = freshRepo()
        const first = (yield* registry.upsert(manifest(repo))).modelVersion
        const [, written] = yield* Effect.all([
          registry.deleteModel(Model.ModelId.make(first.model_id)),
          Effect.all(Array.from({ length: 8 }, () => registry.upsert(manifest(repo))), { concurrency: "unbounded" })
        ], { concurrency: "unbounded" })
        const live = yield* registry.list(new ModelVersions.ListQuery({ ml_repo: repo }))
        const survivors = written.map((result) => result.modelVersion).filter((mv) => live.data.some((l) => l.id === mv.id))
        const keys = survivors.map((mv) => `${mv.model_id}:${mv.manifest.version}`)
        assert.strictEqual(new Set(keys).size, keys.length)
        assert.deepStrictEqual(live.data.map((mv) => mv.id).sort(), survivors.map((mv) => mv.id).sort())
        assert.isTrue(live.data.every((mv) => mv.model_id !== first.model_id))
      }))

    it.effect("apply: CREATE, then UPDATE with the replaced manifest; dry runs predict without writing", () =>
      Effect.gen(function*() {
        const registry = yield* ModelVersions.ModelVersions
        const repo = freshRepo()
        const predicted = yield* Apply.apply(registry, manifest(repo), { dryRun: true })
        assert.strictEqual(predicted.action, "CREATE")
        assert.strictEqual(predicted.data, undefined)
        assert.strictEqual(predicted.existingManifest, undefined)
        assert.strictEqual(predicted.manifest?.version, 1)
        assert.strictEqual((yield* registry.list(new ModelVersions.ListQuery({ ml_repo: repo }))).pagination.total, 0)
        const created = yield* Apply.apply(registry, manifest(repo))
        assert.strictEqual(created.action, "CREATE")
        assert.strictEqual(created.existingManifest, undefined)
        assert.strictEqual(created.data?.manifest.version, 1)
        const changed = manifest(repo, { version: 1, description: "second" })
        const dryUpdate = yield* Apply.apply(registry, changed, { dryRun: true })
        assert.strictEqual(dryUpdate.action, "UPDATE")
        assert.deepStrictEqual(dryUpdate.existingManifest, created.data?.manifest)
        assert.strictEqual(dryUpdate.manifest?.description, "second")
        const updated = yield* Apply.apply(registry, changed)
        assert.strictEqual(updated.action, "UPDATE")
        assert.deepStrictEqual(updated.existingManifest, created.data?.manifest)
        assert.strictEqual(updated.data?.manifest.description, "second")
        assert.strictEqual(updated.data?.id, created.data?.id)
      }))

    it.effect("apply: a dry run after the newest versions were deleted predicts what the write does", () =>
      Effect.gen(function*() {
        const registry = yield* ModelVersions.ModelVersions
        const repo = freshRepo()
        yield* Apply.apply(registry, manifest(repo))
        const v2 = yield* Apply.apply(registry, manifest(repo))
        const v3 = yield* Apply.apply(registry, manifest(repo))
        yield* registry.delete(v3.data!.id)
        yield* registry.delete(v2.data!.id)
        const model = (yield* registry.listModels(new Model.ListQuery({ ml_repo: repo }))).data[0]!
        assert.strictEqual(model.next_version, 4, "deleted numbers count")
        // Version 3 was deleted: the dry run answers the write's 409, not a create.
        const deleted = yield* Effect.flip(Apply.apply(registry, manifest(repo, { version: 3 }), { dryRun: true }))
        assert.instanceOf(deleted, RegistryError.Conflict)
        assert.strictEqual(deleted.reason, "VERSION_DELETED")
        // Without a version, and with version 4: the create of version 4 the write performs.
        const next = yield* Apply.apply(registry, manifest(repo), { dryRun: true })
        const four = yield* Apply.apply(registry, manifest(repo, { version: 4 }), { dryRun: true })
        assert.deepStrictEqual([next.action, next.manifest?.version, four.action, four.manifest?.version], ["CREATE", 4, "CREATE", 4])
        assert.strictEqual((yield* Apply.apply(registry, manifest(repo))).data?.manifest.version, 4)
      }))

    it.effect("apply: a dry run fails as the write would (version beyond the next, immutable field); delete by manifest", () =>
      Effect.gen(function*() {
        const registry = yield* ModelVersions.ModelVersions
        const repo = freshRepo()
        yield* Apply.apply(registry, manifest(repo, { step: 3 }))
        const beyond = yield* Effect.flip(Apply.apply(registry, manifest(repo, { version: 5 }), { dryRun: true }))
        assert.instanceOf(beyond, RegistryError.ValidationError)
        assert.deepStrictEqual(beyond.detail.map((issue) => issue.loc), [["body", "manifest", "version"]])
        const immutable = yield* Effect.flip(Apply.apply(registry, manifest(repo, { version: 1, step: 4 }), { dryRun: true }))
        assert.instanceOf(immutable, RegistryError.Conflict)
        assert.strictEqual(immutable.reason, "IMMUTABLE_FIELD")
        assert.deepStrictEqual(immutable.details, { field: "manifest.step" }, "the field, as the write's 409 names it")
        const noVersion = yield* Effect.flip(Apply.deleteManifest(registry, manifest(repo)))
        assert.instanceOf(noVersion, RegistryError.ValidationError)
        const missing = yield* Effect.flip(Apply.deleteManifest(registry, manifest(repo, { version: 2 })))
        assert.instanceOf(missing, RegistryError.NotFound)
        assert.strictEqual(missing.message, `no version 2 of model ${repo}/sentiment-clf`)
        yield* Apply.deleteManifest(registry, manifest(repo, { version: 1 }))
        assert.strictEqual((yield* registry.list(new ModelVersions.ListQuery({ ml_repo: repo }))).pagination.total, 0)
      }))
  })
