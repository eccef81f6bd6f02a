/**
 * The behaviour suite of a model version's history (`ModelVersions.history`, `ModelVersionEvent`), run by
 * `modelVersionsSuite` on every `ModelVersions` implementation (SQLite, PostgreSQL, and over HTTP through the proxy,
 * embedded and in upstream mode). Each test writes to its own ML repo.
 */
import { assert, layer as withLayer } from "@effect/vitest"
import { type ModelVersion, type ModelVersionEvent, ModelVersions } from "@mreg/core"
import { Effect, type Layer } from "effect"
import { randomUUID } from "node:crypto"
import * as Fixtures from "./Fixtures.js"
import { base, type SuiteOptions } from "./ModelVersionsSuite.js"

const freshRepo = () => Fixtures.freshRepo("history")

const registry = ModelVersions.ModelVersions

/** The whole history of `id` (one page). */
const historyOf = (id: ModelVersion.ModelVersionId) => Effect.flatMap(registry, (r) => r.history(id, { limit: 1000 }))

/** `[revision, type]` of each event. */
const kinds = (events: ReadonlyArray<ModelVersionEvent.ModelVersionEvent>) => events.map((event) => [event.revision, event.type])

/** Two versions of one model in a fresh ML repo, with the registry. */
const twoVersions = Effect.map(Fixtures.twoVersions("history"), ({ registry, v1, v2 }) => ({ r: registry, v1: v1.modelVersion, v2: v2.modelVersion }))

const tag = (id: string, tags: ReadonlyArray<string>, force?: boolean) =>
  Effect.flatMap(registry, (r) => r.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: id, tags, force })))

/** Registers the history cases on `layer` (built once for them). */
export const historySuite = <E>(layer: Layer.Layer<ModelVersions.ModelVersions, E>, options: SuiteOptions) =>
  withLayer(layer, { timeout: 120_000, excludeTestServices: true })((it) => {
    it.effect("history: one event per write (created, updated, identical PUT, tags, delete), revisions 1..N, oldest first", () =>
      Effect.gen(function*() {
        const r = yield* registry
        const repo = freshRepo()
        const created = (yield* r.upsert(base(repo, { metadata: { accuracy: 0.91 } }))).modelVersion
        const update = base(repo, { version: 1, description: "tuned", metadata: { accuracy: 0.93, "top.k": 5 } })
        yield* r.upsert(update)
        yield* r.upsert(update)
        yield* tag(created.id, ["prod"])
        yield* r.delete(created.id)
        const page = yield* historyOf(created.id)
        assert.deepStrictEqual(page.pagination, { total: 5, offset: 0, limit: 1000 })
        assert.deepStrictEqual(kinds(page.data), [[1, "created"], [2, "updated"], [3, "updated"], [4, "tags_applied"], [5, "deleted"]])
        const [first, second, identical, tagged, deleted] = page.data
        const framework = { type: "transformers", library_name: "transformers", pipeline_tag: "text-classification", base_model: "distilbert/distilbert-base-uncased" }
        const environment = { python_version: "3.10", pip_packages: ["transformers==4.44.0"] }
        const source = { type: "truefoundry", uri: "s3://bucket/sentiment/1" }
        assert.deepStrictEqual(first!.changes, [
          { path: "metadata", after: { accuracy: 0.91 } },
          { path: "source", after: source },
          { path: "framework", after: framework },
          { path: "environment", after: environment },
          { path: "step", after: 0 }
        ])
        assert.deepStrictEqual(second!.changes, [
          { path: "description", after: "tuned" },
          { path: "metadata.accuracy", before: 0.91, after: 0.93 },
          { path: "metadata.\"top.k\"", after: 5 }
        ])
        assert.deepStrictEqual(identical!.changes, [])
        assert.deepStrictEqual(tagged!.changes, [{ path: "tags", before: [], after: ["prod"] }])
        assert.deepStrictEqual(deleted!.changes, [
          { path: "description", before: "tuned" },
          { path: "metadata", before: { accuracy: 0.93, "top.k": 5 } },
          { path: "source", before: source },
          { path: "framework", before: framework },
          { path: "environment", before: environment },
          { path: "step", before: 0 },
          { path: "tags", before: ["prod"] }
        ])
        assert.strictEqual(first!.at, created.created_at)
        assert.deepStrictEqual(first!.subject, created.created_by_subject)
        for (const event of page.data) {
          assert.strictEqual(event.model_version_id, created.id)
          assert.match(event.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
        }
        assert.strictEqual(new Set(page.data.map((event) => event.id)).size, 5)
      }))

    it.effect("history: a forced tag records the move on both versions; pages by limit and offset", () =>
      Effect.gen(function*() {
        const { r, v1, v2 } = yield* twoVersions
        yield* tag(v1.id, ["prod", "stable"])
        yield* tag(v2.id, ["PROD"], true)
        const one = yield* historyOf(v1.id)
        assert.deepStrictEqual(kinds(one.data), [[1, "created"], [2, "tags_applied"], [3, "tags_applied"]])
        assert.deepStrictEqual(one.data[2]!.changes, [{ path: "tags", before: ["prod", "stable"], after: ["stable"] }])
        const two = yield* historyOf(v2.id)
        assert.deepStrictEqual(kinds(two.data), [[1, "created"], [2, "tags_applied"]])
        assert.deepStrictEqual(two.data[1]!.changes, [{ path: "tags", before: [], after: ["PROD"] }])
        const page = yield* r.history(v1.id, { limit: 1, offset: 1 })
        assert.deepStrictEqual(page.pagination, { total: 3, offset: 1, limit: 1 })
        assert.deepStrictEqual(kinds(page.data), [[2, "tags_applied"]])
        assert.deepStrictEqual((yield* r.history(v1.id, { offset: 3 })).data, [])
      }))

    it.effect("history: an idempotent replay writes no event; failed writes (If-Match, alias, tag conflicts) leave none", () =>
      Effect.gen(function*() {
        const r = yield* registry
        const repo = freshRepo()
        const key = `history-${randomUUID()}`
        const first = yield* r.upsert(base(repo, { version_alias: "v1" }), { idempotencyKey: key })
        const replay = yield* r.upsert(base(repo, { version_alias: "v1" }), { idempotencyKey: key })
        assert.strictEqual(replay.replayed, true)
        const v2 = (yield* r.upsert(base(repo))).modelVersion
        yield* tag(v2.id, ["prod"])
        const id = first.modelVersion.id
        const stale = yield* Effect.flip(r.upsert(base(repo, { version: 1, description: "x" }), { ifMatch: "\"not-the-etag\"" }))
        assert.strictEqual(stale._tag, "PreconditionFailed")
        const alias = yield* Effect.flip(r.upsert(base(repo, { version: 2, version_alias: "v1" })))
        assert.strictEqual(alias._tag, "Conflict")
        const tagConflict = yield* Effect.flip(tag(id, ["prod"]))
        assert.strictEqual(tagConflict._tag, "Conflict")
        assert.deepStrictEqual(kinds((yield* historyOf(id)).data), [[1, "created"]])
        assert.deepStrictEqual(kinds((yield* historyOf(v2.id)).data), [[1, "created"], [2, "tags_applied"]])
      }))

    it.effect("history: a deleted version and the versions of a deleted model keep their history", () =>
      Effect.gen(function*() {
        const { r, v1, v2 } = yield* twoVersions
        yield* r.delete(v1.id)
        yield* tag(v2.id, ["prod"])
        yield* r.deleteModel(v2.model_id as never)
        assert.deepStrictEqual(kinds((yield* historyOf(v1.id)).data), [[1, "created"], [2, "deleted"]])
        const two = yield* historyOf(v2.id)
        assert.deepStrictEqual(kinds(two.data), [[1, "created"], [2, "tags_applied"], [3, "deleted"]])
        assert.deepStrictEqual(two.data[2]!.changes.map((change) => change.path), ["source", "framework", "environment", "step", "tags"])
        assert.deepStrictEqual(two.data[2]!.changes.at(-1), { path: "tags", before: ["prod"] })
      }))

    it.effect("history: NotFound for an unknown id and outside the caller's read scope, as get", () =>
      Effect.gen(function*() {
        const r = yield* registry
        const repo = freshRepo()
        const { modelVersion } = yield* r.upsert(base(repo))
        const missing = yield* Effect.flip(r.history(randomUUID() as ModelVersion.ModelVersionId))
        assert.strictEqual(missing._tag, "NotFound")
        const outside = yield* Effect.flip(
          Effect.provideService(r.history(modelVersion.id), ModelVersions.ReadScope, ModelVersions.onlyMlRepos(["someone-else"]))
        )
        assert.deepStrictEqual([outside._tag, outside.message], [missing._tag, `no model version with id "${modelVersion.id}"`])
        const inside = yield* Effect.provideService(r.history(modelVersion.id), ModelVersions.ReadScope, ModelVersions.onlyMlRepos(["history-*"]))
        assert.deepStrictEqual(kinds(inside.data), [[1, "created"]])
      }))

    if (options.subjectOption) {
      it.effect("history: records who wrote: the upsert's subject, else ModelVersions.WriteSubject", () =>
        Effect.gen(function*() {
          const r = yield* registry
          const ada = { subjectId: "u-42", subjectType: "user", subjectSlug: "ada" }
          const bot = { subjectId: "ci-bot", subjectType: "serviceaccount" }
          const { modelVersion } = yield* r.upsert(base(freshRepo()), { subject: ada })
          yield* Effect.provideService(tag(modelVersion.id, ["prod"]), ModelVersions.WriteSubject, bot)
          yield* Effect.provideService(r.delete(modelVersion.id), ModelVersions.WriteSubject, bot)
          const page = yield* historyOf(modelVersion.id)
          assert.deepStrictEqual(page.data.map((event) => event.subject), [ada, bot, bot])
        }))
    }
  })
