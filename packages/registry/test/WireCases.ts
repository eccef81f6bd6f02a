/**
 * Cases of the behaviour suite (`ModelVersionsSuite.ts`) for wire-level parity with TrueFoundry: model FQNs and
 * `latest` in list filters, subject types, and text a store cannot hold (a NUL character). Run on every
 * implementation the suite runs on.
 */
import type { Vitest } from "@effect/vitest"
import { assert } from "@effect/vitest"
import { ListQueryParams, Model, ModelVersion, ModelVersions, type RegistryError, Validation } from "@mreg/core"
import { base as sharedBase } from "@mreg/test-fixtures"
import { Effect, Either, Schema } from "effect"
import * as Fixtures from "./Fixtures.js"
import { base } from "./Fixtures.js"
import { randomUUID } from "node:crypto"

const freshRepo = () => Fixtures.freshRepo("wire")

const names = (page: ModelVersion.ModelVersionPage) => page.data.map((mv) => `${mv.manifest.name}:${mv.manifest.version}`)

/** Registers the cases on the suite's `it` (the layer's `ModelVersions`). */
export const wireCases = (
  it: Vitest.MethodsNonLive<ModelVersions.ModelVersions, true>,
  options: { readonly tenant: string; readonly subjectOption: boolean }
) => {
  const service = ModelVersions.ModelVersions
  const list = (query: ConstructorParameters<typeof ModelVersions.ListQuery>[0]) =>
    Effect.flatMap(service, (registry) => registry.list(new ModelVersions.ListQuery(query)))

  it.effect("a model FQN lists the model's live versions; a version FQN still names one", () =>
    Effect.gen(function*() {
      const { registry, repo, v1, v2 } = yield* Fixtures.twoVersions("wire")
      yield* registry.upsert(base(repo))
      yield* registry.upsert(base(repo, { name: "other" }))
      yield* registry.delete(v2.modelVersion.id)
      const model = `model:${options.tenant}/${repo}/sentiment-clf`
      const page = yield* list({ fqn: model })
      assert.deepStrictEqual([names(page), page.pagination.total], [["sentiment-clf:3", "sentiment-clf:1"], 2])
      assert.deepStrictEqual(names(yield* list({ fqn: `${model}:1` })), ["sentiment-clf:1"])
      assert.deepStrictEqual(names(yield* list({ fqn: v1.modelVersion.fqn, version: 1 })), ["sentiment-clf:1"])
      assert.deepStrictEqual(names(yield* list({ fqn: `model:someone-else/${repo}/sentiment-clf` })), [])
      assert.deepStrictEqual(names(yield* list({ fqn: `model:${options.tenant}/${repo}/missing` })), [])
    }))

  it.effect("latest: …:latest and version=latest name the highest live version of each model", () =>
    Effect.gen(function*() {
      const registry = yield* service
      const repo = freshRepo()
      yield* registry.upsert(base(repo))
      const v2 = yield* registry.upsert(base(repo))
      const v3 = yield* registry.upsert(base(repo, { version_alias: "v3" }))
      yield* registry.upsert(base(repo, { name: "other" }))
      const latest = `model:${options.tenant}/${repo}/sentiment-clf:latest`
      assert.deepStrictEqual(names(yield* list({ fqn: latest })), ["sentiment-clf:3"])
      assert.deepStrictEqual(names(yield* list({ ml_repo: repo, version: "latest" })), ["other:1", "sentiment-clf:3"])
      yield* registry.delete(v3.modelVersion.id)
      assert.deepStrictEqual(names(yield* list({ fqn: latest })), ["sentiment-clf:2"])
      assert.deepStrictEqual(names(yield* list({ ml_repo: repo, name: "sentiment-clf", version: "latest" })), ["sentiment-clf:2"])
      yield* registry.delete(v2.modelVersion.id)
      const page = yield* list({ fqn: latest })
      assert.deepStrictEqual([names(page), page.pagination.total], [["sentiment-clf:1"], 1])
      // A number still filters by number, deleted or not.
      assert.deepStrictEqual(names(yield* list({ ml_repo: repo, version: 3 })), [])
    }))

  it.effect("version=latest keeps the number rule: 1 to 2^31 − 1 or latest", () =>
    Effect.sync(() => {
      const error = (version: unknown) => {
        try {
          new ModelVersions.ListQuery({ version } as never)
          return "accepted"
        } catch (e) {
          return String((e as Error).message).includes("must be an integer from 1 to 2147483647") ? "rule" : String(e)
        }
      }
      assert.deepStrictEqual([error(0), error(2147483648), error("latest"), error(7)], ["rule", "rule", "accepted", "accepted"])
    }))

  if (options.subjectOption) {
    it.effect("records external-identity, agent-identity and role subjects as they are", () =>
      Effect.gen(function*() {
        const registry = yield* service
        const repo = freshRepo()
        for (const subjectType of ["external-identity", "agent-identity", "role"]) {
          const subject = { subjectId: `id-${subjectType}`, subjectType }
          const { modelVersion } = yield* registry.upsert(base(repo), { subject })
          assert.deepStrictEqual((yield* registry.get(modelVersion.id)).modelVersion.created_by_subject, subject)
        }
      }))
  }

  it.effect("an id holding a NUL character (U+0000) is NotFound for get and delete, never a store failure", () =>
    Effect.gen(function*() {
      const registry = yield* service
      const { modelVersion } = yield* registry.upsert(base(freshRepo()))
      const id = ModelVersion.ModelVersionId.make(`${modelVersion.id}\u0000`)
      const got = yield* Effect.flip(registry.get(id))
      const deleted = yield* Effect.flip(registry.delete(id))
      assert.deepStrictEqual([got._tag, deleted._tag], ["NotFound", "NotFound"])
      assert.strictEqual((yield* registry.get(modelVersion.id)).modelVersion.id, modelVersion.id)
    }))

  it.effect("a model id holding a NUL character (U+0000) is NotFound for getModel and deleteModel, never a store failure", () =>
    Effect.gen(function*() {
      const registry = yield* service
      const { modelVersion } = yield* registry.upsert(base(freshRepo()))
      const id = Model.ModelId.make(`${modelVersion.model_id}\u0000`)
      const outcomes = [yield* Effect.flip(registry.getModel(id)), yield* Effect.flip(registry.deleteModel(id))]
      assert.deepStrictEqual(outcomes.map((error) => [error._tag, error.message]), [
        ["NotFound", `no model with id ${JSON.stringify(id)}`],
        ["NotFound", `no model with id ${JSON.stringify(id)}`]
      ])
      assert.strictEqual((yield* registry.getModel(Model.ModelId.make(modelVersion.model_id))).id, modelVersion.model_id)
    }))

  it.effect("a NUL character (U+0000) in a models list query is a ValidationError naming each parameter", () =>
    Effect.sync(() => {
      const rule = "must not contain a NUL character (U+0000)"
      const decoded = ListQueryParams.decodeModels({ name: "\u0000", run_id: "r\u0000", ml_repo: "ok", fqn: "model:t/a\u0000/b" })
      assert.deepStrictEqual(
        Either.mapLeft(decoded, (error) => error.detail.map((d) => [d.loc.join("."), d.msg.startsWith(rule)])),
        Either.left([["query.fqn", true], ["query.name", true], ["query.run_id", true]])
      )
      assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Model.ListQuery)({ ml_repo_id: "x\u0000" })))
    }))

  it.effect("a NUL character (U+0000) in a manifest, tags or list query breaks a schema rule before any store sees it", () =>
    Effect.sync(() => {
      const rule = "must not contain a NUL character (U+0000)"
      const manifest = Validation.decodeManifest({ ...sharedBase({ ml_repo: "r" }), run_id: "a\u0000", metadata: { "\u0000": 1 } })
      assert.deepStrictEqual(
        Either.mapLeft(manifest, (error) => error.detail.map((d) => [d.loc.join("."), d.msg.startsWith(rule)])),
        Either.left([["body.manifest.metadata.\u0000", true], ["body.manifest.run_id", true]])
      )
      const query = Schema.decodeUnknownEither(ModelVersions.ListQuery)({ name: "\u0000" })
      const tags = Schema.decodeUnknownEither(ModelVersions.ApplyTagsRequest)({ model_version_id: "x", tags: ["a\u0000"] })
      assert.deepStrictEqual([Either.isLeft(query), Either.isLeft(tags)], [true, true])
    }))

  it.effect("a deleted or unknown model has no latest version", () =>
    Effect.gen(function*() {
      const registry = yield* service
      const repo = freshRepo()
      const only = yield* registry.upsert(base(repo))
      yield* registry.delete(only.modelVersion.id)
      const page = yield* list({ fqn: `model:${options.tenant}/${repo}/sentiment-clf:latest` })
      assert.deepStrictEqual([page.data.length, page.pagination.total], [0, 0])
      const error = yield* Effect.flip(registry.get(ModelVersion.ModelVersionId.make(randomUUID())))
      assert.strictEqual((error as RegistryError.RegistryError)._tag, "NotFound")
    }))
}
