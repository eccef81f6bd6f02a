/**
 * The registry behaviour suite: every upsert semantic of DESIGN.md and the cases of CASES.md, written once and run
 * against every `ModelVersions` implementation (SQLite, PostgreSQL, and over HTTP through the proxy).
 *
 * Each test writes to its own ML repo (random suffix), so implementations that share one store across tests (a
 * PostgreSQL database, a proxy) stay isolated without being reset.
 */
import { assert, describe, layer as withLayer } from "@effect/vitest"
import { ModelManifest, ModelVersion, ModelVersions, PageToken, RegistryError } from "@mreg/core"
import { Effect, Layer } from "effect"
import { randomUUID } from "node:crypto"
import { filterSuite } from "./FilterSuite.js"
import * as Fixtures from "./Fixtures.js"
import { base } from "./Fixtures.js"
import { wireCases } from "./WireCases.js"
import { historySuite } from "./HistorySuite.js"
import { modelsSuite } from "./ModelsSuite.js"

/** What an implementation can do beyond the wire contract. */
export interface SuiteOptions {
  /** The tenant in FQNs. */
  readonly tenant: string
  /** `upsert({subject})` is honoured (the embedded registry); over HTTP the subject comes from the token. */
  readonly subjectOption: boolean
}

export { base } from "./Fixtures.js"

const freshRepo = () => Fixtures.freshRepo("repo")

const versionsOf = (page: ModelVersion.ModelVersionPage) => page.data.map((mv) => mv.manifest.version)

/**
 * Registers the suite under `describe(name)`. `layer` builds the implementation; it is built once per test file.
 */
export const modelVersionsSuite = <E>(
  name: string,
  layer: Layer.Layer<ModelVersions.ModelVersions, E>,
  options: SuiteOptions
) =>
  describe(name, () => {
    modelsSuite(layer, options)
    historySuite(layer, options)
    filterSuite(layer)
    withLayer(layer, { timeout: 120_000, excludeTestServices: true })((it) => {
      const service = ModelVersions.ModelVersions
      wireCases(it, options)

      it.effect("creates version 1 with the stored manifest, FQN, step 0 and deployable", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const { step: _step, ...withoutStep } = base(repo)
          const result = yield* registry.upsert(new ModelManifest.ModelManifest(withoutStep))
          const mv = result.modelVersion
          assert.strictEqual(result.created, true)
          assert.strictEqual(result.replayed, false)
          assert.strictEqual(mv.fqn, `model:${options.tenant}/${repo}/sentiment-clf:1`)
          assert.strictEqual(mv.manifest.version, 1)
          assert.strictEqual(mv.manifest.step, 0)
          assert.deepStrictEqual(mv.manifest.environment, { python_version: "3.10", pip_packages: ["transformers==4.44.0"] })
          assert.deepStrictEqual(mv.tags, [])
          assert.deepStrictEqual(mv.metrics, [])
          assert.strictEqual(mv.deployable, true)
          assert.match(mv.id, /^[0-9a-f-]{36}$/)
          assert.match(mv.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
          assert.strictEqual(mv.created_at, mv.updated_at)
          const got = yield* registry.get(mv.id)
          assert.deepStrictEqual(got.modelVersion, mv)
          assert.strictEqual(got.etag, result.etag)
        }))

      if (options.subjectOption) {
        it.effect("records the writer's subject", () =>
          Effect.gen(function*() {
            const registry = yield* service
            const subject = { subjectId: "u-42", subjectType: "user", subjectSlug: "ada", subjectDisplayName: "Ada" }
            const { modelVersion } = yield* registry.upsert(base(freshRepo()), { subject })
            assert.deepStrictEqual(modelVersion.created_by_subject, subject)
          }))
      }

      it.effect("deployable needs a framework and a non-local source", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const local = yield* registry.upsert(base(repo, { name: "local", source: { type: "local", file_or_folder: "./m" } }))
          const bare = yield* registry.upsert(base(repo, { name: "bare", framework: undefined }))
          const external = yield* registry.upsert(base(repo, { name: "ext", source: { type: "external", uri: "gs://b/m/" } }))
          assert.deepStrictEqual(
            [local.modelVersion.deployable, bare.modelVersion.deployable, external.modelVersion.deployable],
            [false, false, true]
          )
        }))

      it.effect("C1: 20 concurrent creates get versions exactly 1..20, each write stored once", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const results = yield* Effect.all(
            Array.from({ length: 20 }, (_, i) => registry.upsert(base(repo, { metadata: { i } }))),
            { concurrency: "unbounded" }
          )
          const versions = results.map((r) => r.modelVersion.manifest.version!).sort((a, b) => a - b)
          assert.deepStrictEqual(versions, Array.from({ length: 20 }, (_, i) => i + 1))
          const page = yield* registry.list(new ModelVersions.ListQuery({ ml_repo: repo, limit: 100 }))
          assert.strictEqual(page.pagination.total, 20)
          const stored = page.data.map((mv) => mv.manifest.metadata.i as number).sort((a, b) => a - b)
          assert.deepStrictEqual(stored, Array.from({ length: 20 }, (_, i) => i))
        }))

      it.effect("C2: two writers create the same explicit version with If-None-Match: *; one wins, one gets 412", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          yield* registry.upsert(base(repo))
          yield* registry.upsert(base(repo))
          const attempt = (uri: string) =>
            registry.upsert(base(repo, { version: 3, source: { type: "truefoundry", uri } }), { ifNoneMatch: "*" }).pipe(
              Effect.either
            )
          const [a, b] = yield* Effect.all([attempt("s3://a"), attempt("s3://b")], { concurrency: "unbounded" })
          const outcomes = [a, b]
          const wins = outcomes.filter((o) => o._tag === "Right")
          const losses = outcomes.filter((o) => o._tag === "Left")
          assert.strictEqual(wins.length, 1)
          assert.strictEqual(losses.length, 1)
          const winner = wins[0]!.right
          const loser = losses[0]!.left
          assert.strictEqual(loser._tag, "PreconditionFailed")
          assert.strictEqual((loser as RegistryError.PreconditionFailed).etag, winner.etag)
          const stored = yield* registry.get(winner.modelVersion.id)
          assert.deepStrictEqual(stored.modelVersion.manifest.source, winner.modelVersion.manifest.source)
          assert.strictEqual(stored.modelVersion.manifest.version, 3)
        }))

      it.effect("C3: a retry with the same Idempotency-Key replays the first response and creates nothing", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const first = yield* registry.upsert(base(repo), { idempotencyKey: "k-123" })
          const retry = yield* registry.upsert(base(repo), { idempotencyKey: "k-123" })
          assert.strictEqual(first.replayed, false)
          assert.strictEqual(retry.replayed, true)
          assert.strictEqual(retry.modelVersion.id, first.modelVersion.id)
          assert.strictEqual(retry.modelVersion.fqn, first.modelVersion.fqn)
          assert.strictEqual(retry.modelVersion.manifest.version, 1)
          const page = yield* registry.list(new ModelVersions.ListQuery({ ml_repo: repo }))
          assert.strictEqual(page.pagination.total, 1)
          const mismatch = yield* Effect.flip(
            registry.upsert(base(repo, { metadata: { other: true } }), { idempotencyKey: "k-123" })
          )
          assert.strictEqual(mismatch._tag, "Conflict")
          assert.strictEqual((mismatch as RegistryError.Conflict).reason, "IDEMPOTENCY_KEY_REUSED")
        }))

      it.effect("C3: concurrent requests with one Idempotency-Key create one version", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const key = `k-${randomUUID()}`
          const results = yield* Effect.all(
            Array.from({ length: 5 }, () => registry.upsert(base(repo), { idempotencyKey: key })),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(new Set(results.map((r) => r.modelVersion.id)).size, 1)
          assert.strictEqual(results.filter((r) => !r.replayed).length, 1)
          const page = yield* registry.list(new ModelVersions.ListQuery({ ml_repo: repo }))
          assert.strictEqual(page.pagination.total, 1)
        }))

      it.effect("C4: an alias that looks like a version number; FQN :3 is version 3, :v3 is the alias", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          for (let i = 0; i < 5; i++) yield* registry.upsert(base(repo))
          const updated = yield* registry.upsert(base(repo, { version: 5, version_alias: "v3" }))
          assert.strictEqual(updated.modelVersion.manifest.version_alias, "v3")
          const byNumber = yield* registry.list(
            new ModelVersions.ListQuery({ fqn: `model:${options.tenant}/${repo}/sentiment-clf:3` })
          )
          assert.deepStrictEqual(versionsOf(byNumber), [3])
          const byAlias = yield* registry.list(
            new ModelVersions.ListQuery({ fqn: `model:${options.tenant}/${repo}/sentiment-clf:v3` })
          )
          assert.deepStrictEqual(versionsOf(byAlias), [5])
        }))

      it.effect("C6: metadata null values are stored as null, key order and numbers kept", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const metadata = { language: null, z: 1, a: 0.1, nested: { b: [1, 2.5, "x"], a: true } }
          const { modelVersion } = yield* registry.upsert(base(freshRepo(), { metadata }))
          const got = yield* registry.get(modelVersion.id)
          assert.strictEqual(JSON.stringify(got.modelVersion.manifest.metadata), JSON.stringify(metadata))
        }))

      it.effect("C9: PUT replaces the mutable fields; omitted ones are cleared; updated_at moves, created_at stays", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const v1 = yield* registry.upsert(base(repo, { description: "d", metadata: { a: 1 }, version_alias: "v1-prod" }))
          const replaced = yield* registry.upsert(new ModelManifest.ModelManifest({
            type: "model-version",
            name: "sentiment-clf",
            ml_repo: repo,
            version: 1,
            metadata: { b: 2 },
            source: { type: "truefoundry", uri: "s3://bucket/sentiment/1" }
          }))
          const mv = replaced.modelVersion
          assert.strictEqual(replaced.created, false)
          assert.strictEqual(mv.id, v1.modelVersion.id)
          assert.strictEqual(mv.manifest.description, undefined)
          assert.strictEqual(mv.manifest.framework, undefined)
          assert.strictEqual(mv.manifest.environment, undefined)
          assert.strictEqual(mv.manifest.version_alias, undefined)
          assert.deepStrictEqual(mv.manifest.metadata, { b: 2 })
          assert.strictEqual(mv.manifest.step, 0)
          assert.strictEqual(mv.deployable, false)
          assert.strictEqual(mv.created_at, v1.modelVersion.created_at)
          assert.isTrue(mv.updated_at > v1.modelVersion.updated_at)
          assert.notStrictEqual(replaced.etag, v1.etag)
        }))

      it.effect("C10: source is immutable; a deleted number is never reused", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const v1 = yield* registry.upsert(base(repo, { source: { type: "truefoundry", uri: "s3://A" } }))
          const changed = yield* Effect.flip(
            registry.upsert(base(repo, { version: 1, source: { type: "truefoundry", uri: "s3://B" } }))
          )
          assert.strictEqual(changed._tag, "Conflict")
          assert.strictEqual((changed as RegistryError.Conflict).reason, "IMMUTABLE_FIELD")
          assert.deepStrictEqual((changed as RegistryError.Conflict).details, { field: "manifest.source" })
          yield* registry.delete(v1.modelVersion.id)
          const reuse = yield* Effect.flip(registry.upsert(base(repo, { version: 1, source: { type: "truefoundry", uri: "s3://A" } })))
          assert.strictEqual((reuse as RegistryError.Conflict).reason, "VERSION_DELETED")
          const next = yield* registry.upsert(base(repo))
          assert.strictEqual(next.modelVersion.manifest.version, 2)
          const gone = yield* Effect.flip(registry.get(v1.modelVersion.id))
          assert.strictEqual(gone._tag, "NotFound")
          const again = yield* Effect.flip(registry.delete(v1.modelVersion.id))
          assert.strictEqual(again._tag, "NotFound")
        }))

      it.effect("step and run_id are fixed at creation: omitted keeps them, a different value is IMMUTABLE_FIELD", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          yield* registry.upsert(base(repo, { step: 7, run_id: "run-1" }))
          const kept = yield* registry.upsert(base(repo, { version: 1, step: undefined, run_id: undefined }))
          assert.strictEqual(kept.modelVersion.manifest.step, 7)
          assert.strictEqual(kept.modelVersion.manifest.run_id, "run-1")
          const step = yield* Effect.flip(registry.upsert(base(repo, { version: 1, step: 8 })))
          assert.deepStrictEqual((step as RegistryError.Conflict).details, { field: "manifest.step" })
          const run = yield* Effect.flip(registry.upsert(base(repo, { version: 1, step: 7, run_id: "run-2" })))
          assert.deepStrictEqual((run as RegistryError.Conflict).details, { field: "manifest.run_id" })
        }))

      it.effect("a version beyond the next number is a 422 naming the next number", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          yield* registry.upsert(base(repo))
          const error = yield* Effect.flip(registry.upsert(base(repo, { version: 5 })))
          assert.strictEqual(error._tag, "ValidationError")
          const detail = (error as RegistryError.ValidationError).detail
          assert.deepStrictEqual(detail.map((d) => d.loc), [["body", "manifest", "version"]])
          assert.include(detail[0]!.msg, `the next version of ${repo}/sentiment-clf is 2 (received 5)`)
          const created = yield* registry.upsert(base(repo, { version: 2 }))
          assert.strictEqual(created.modelVersion.manifest.version, 2)
          assert.strictEqual(created.created, true)
        }))

      it.effect("an alias clash names the version that holds it, ignoring case; deleting frees it", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const v1 = yield* registry.upsert(base(repo, { version_alias: "v1-Prod" }))
          const clash = yield* Effect.flip(registry.upsert(base(repo, { version_alias: "v1-PROD" })))
          assert.strictEqual(clash._tag, "Conflict")
          assert.strictEqual((clash as RegistryError.Conflict).reason, "ALIAS_IN_USE")
          assert.deepStrictEqual((clash as RegistryError.Conflict).details, {
            field: "manifest.version_alias",
            alias: "v1-Prod",
            version: 1
          })
          const same = yield* registry.upsert(base(repo, { version: 1, version_alias: "v1-Prod" }))
          assert.strictEqual(same.modelVersion.manifest.version_alias, "v1-Prod")
          const otherModel = yield* registry.upsert(base(repo, { name: "other", version_alias: "v1-prod" }))
          assert.strictEqual(otherModel.modelVersion.manifest.version_alias, "v1-prod")
          yield* registry.delete(v1.modelVersion.id)
          const freed = yield* registry.upsert(base(repo, { version_alias: "v1-PROD" }))
          assert.strictEqual(freed.modelVersion.manifest.version, 2)
        }))

      it.effect("tags are unique per model ignoring case; force moves them", () =>
        Effect.gen(function*() {
          const { registry, repo, v1, v2 } = yield* Fixtures.twoVersions("repo")
          yield* registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: v1.modelVersion.id, tags: ["prod", "baseline"] }))
          const clash = yield* Effect.flip(
            registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: v2.modelVersion.id, tags: ["PROD"] }))
          )
          assert.strictEqual((clash as RegistryError.Conflict).reason, "TAG_IN_USE")
          assert.deepStrictEqual((clash as RegistryError.Conflict).details, { field: "tags", tag: "prod", version: 1 })
          yield* registry.applyTags(
            new ModelVersions.ApplyTagsRequest({ model_version_id: v2.modelVersion.id, tags: ["PROD"], force: true })
          )
          const one = yield* registry.get(v1.modelVersion.id)
          const two = yield* registry.get(v2.modelVersion.id)
          assert.deepStrictEqual(one.modelVersion.tags, ["baseline"])
          assert.deepStrictEqual(two.modelVersion.tags, ["PROD"])
          const tagged = yield* registry.list(new ModelVersions.ListQuery({ ml_repo: repo, tag: "prod" }))
          assert.deepStrictEqual(versionsOf(tagged), [2])
          const missing = yield* Effect.flip(
            registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: randomUUID(), tags: ["x"] }))
          )
          assert.strictEqual(missing._tag, "NotFound")
        }))

      it.effect("concurrent deletes of one version: exactly one succeeds, the rest are NotFound", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const v1 = yield* registry.upsert(base(freshRepo()))
          const outcomes = yield* Effect.all(
            Array.from({ length: 5 }, () => Effect.either(registry.delete(v1.modelVersion.id))),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(outcomes.map((o) => (o._tag === "Right" ? "ok" : o.left._tag)).sort(), [
            "NotFound", "NotFound", "NotFound", "NotFound", "ok"
          ])
        }))

      it.effect("concurrent taggers of one tag on different versions: exactly one holds it, the rest TAG_IN_USE", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const versions = yield* Effect.all(Array.from({ length: 8 }, () => registry.upsert(base(repo))))
          const outcomes = yield* Effect.all(
            versions.map((v) =>
              Effect.either(registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: v.modelVersion.id, tags: ["race"] })))
            ),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(outcomes.filter((o) => o._tag === "Right").length, 1)
          const tagged = yield* registry.list(new ModelVersions.ListQuery({ ml_repo: repo, tag: "race" }))
          assert.strictEqual(tagged.pagination.total, 1)
          const winner = versions[outcomes.findIndex((o) => o._tag === "Right")]!
          assert.deepStrictEqual(tagged.data.map((mv) => mv.id), [winner.modelVersion.id])
        }))

      it.effect("list pages across offsets in a stable order with the total", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          for (let i = 0; i < 7; i++) yield* registry.upsert(base(repo))
          const page = (offset: number) =>
            registry.list(new ModelVersions.ListQuery({ ml_repo: repo, name: "sentiment-clf", limit: 3, offset }))
          const pages = yield* Effect.all([page(0), page(3), page(6), page(9)])
          assert.deepStrictEqual(pages.map(versionsOf), [[7, 6, 5], [4, 3, 2], [1], []])
          const after = (version: number) => PageToken.make({ ml_repo: repo, name: "sentiment-clf", version })
          assert.deepStrictEqual(pages.map((p) => p.pagination), [
            { total: 7, offset: 0, limit: 3, next_page_token: after(5) },
            { total: 7, offset: 3, limit: 3, next_page_token: after(2) },
            { total: 7, offset: 6, limit: 3 },
            { total: 7, offset: 9, limit: 3 }
          ])
        }))

      it.effect("list filters by ids, name, version, run ids and steps", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const a = yield* registry.upsert(base(repo, { run_id: "r1", step: 10 }))
          yield* registry.upsert(base(repo, { run_id: "r2", step: 20 }))
          yield* registry.upsert(base(repo, { name: "Sentiment-CLF", run_id: "r3", step: 30 }))
          const q = (query: ConstructorParameters<typeof ModelVersions.ListQuery>[0]) =>
            registry.list(new ModelVersions.ListQuery({ ml_repo: repo, ...query })).pipe(
              Effect.map((p) => p.data.map((mv) => `${mv.manifest.name}:${mv.manifest.version}`))
            )
          assert.deepStrictEqual(yield* q({}), ["Sentiment-CLF:1", "sentiment-clf:2", "sentiment-clf:1"])
          assert.deepStrictEqual(yield* q({ name: "sentiment-clf" }), ["sentiment-clf:2", "sentiment-clf:1"])
          assert.deepStrictEqual(yield* q({ model_id: a.modelVersion.model_id }), ["sentiment-clf:2", "sentiment-clf:1"])
          assert.deepStrictEqual(yield* q({ ml_repo_id: a.modelVersion.ml_repo_id, version: 1 }), ["Sentiment-CLF:1", "sentiment-clf:1"])
          assert.deepStrictEqual(yield* q({ run_ids: ["r1", "r3"] }), ["Sentiment-CLF:1", "sentiment-clf:1"])
          assert.deepStrictEqual(yield* q({ run_steps: [20] }), ["sentiment-clf:2"])
        }))

      it.effect("FQN lookups: tenant, version and errors", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const v1 = yield* registry.upsert(base(repo))
          const found = yield* registry.list(new ModelVersions.ListQuery({ fqn: v1.modelVersion.fqn }))
          assert.deepStrictEqual(found.data.map((mv) => mv.id), [v1.modelVersion.id])
          const otherTenant = yield* registry.list(
            new ModelVersions.ListQuery({ fqn: `model:someone-else/${repo}/sentiment-clf:1` })
          )
          assert.strictEqual(otherTenant.pagination.total, 0)
          const bad = yield* Effect.flip(registry.list(new ModelVersions.ListQuery({ fqn: "sentiment-clf:1" })))
          assert.strictEqual(bad._tag, "ValidationError")
          assert.deepStrictEqual((bad as RegistryError.ValidationError).detail.map((d) => d.loc), [["query", "fqn"]])
        }))

      it.effect("If-Match: the current ETag updates, a stale one is 412 with the current ETag", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const repo = freshRepo()
          const v1 = yield* registry.upsert(base(repo))
          const v1b = yield* registry.upsert(base(repo, { version: 1, description: "b" }), { ifMatch: v1.etag })
          assert.notStrictEqual(v1b.etag, v1.etag)
          const stale = yield* Effect.flip(registry.upsert(base(repo, { version: 1, description: "c" }), { ifMatch: v1.etag }))
          assert.strictEqual(stale._tag, "PreconditionFailed")
          assert.strictEqual((stale as RegistryError.PreconditionFailed).etag, v1b.etag)
          const current = yield* registry.get(v1.modelVersion.id)
          assert.strictEqual(current.modelVersion.manifest.description, "b")
          assert.strictEqual(current.etag, v1b.etag)
        }))

      it.effect("get of an unknown id is NotFound", () =>
        Effect.gen(function*() {
          const registry = yield* service
          const error = yield* Effect.flip(registry.get(ModelVersion.ModelVersionId.make(randomUUID())))
          assert.strictEqual(error._tag, "NotFound")
        }))
    })
  })
