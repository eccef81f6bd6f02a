/**
 * The outbox under concurrent writes with several subscriptions and ML-repo filters (SQLite in memory and
 * PostgreSQL, `MREG_TEST_DATABASE_URL`; no dispatcher: on SQLite the deliveries are queued by listing them): every
 * event has one delivery per subscription that wants it and none for the others, and its payload
 * is the model version as the write returned it, also after later updates, a version's delete and its model's delete.
 */
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Model, ModelVersions } from "@mreg/core"
import { ModelVersionsSql, Webhooks } from "@mreg/registry"
import { Effect, Either, Layer, Redacted } from "effect"
import { base, freshRepo } from "./Fixtures.js"

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
const subscriptions = [
  { name: "every", url: "http://127.0.0.1:9/a", events: ["created", "updated", "tags_applied", "deleted"], secret },
  { name: "nlp-writes", url: "http://127.0.0.1:9/b", events: ["created", "updated"], ml_repo: "nlp-*", secret },
  { name: "cv-ends", url: "http://127.0.0.1:9/c", events: ["tags_applied", "deleted"], ml_repo: "cv-*", secret }
]
const decoded = Webhooks.decode({ subscriptions }, "the test webhooks")
if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
const outbox = Webhooks.makeOutbox(decoded.right)

const wanted = (type: string, mlRepo: string) =>
  subscriptions.filter((s) => s.events.includes(type) && (s.ml_repo === undefined || mlRepo.startsWith(s.ml_repo.slice(0, -1))))
    .map((s) => s.name).sort()

const pgUrl = process.env.MREG_TEST_DATABASE_URL
const stores = [
  ["SQLite", () => ModelVersionsSql.layerSqliteClient(":memory:")],
  ["PostgreSQL", () => ModelVersionsSql.layerPgClient(Redacted.make(pgUrl!))]
] as const

for (const [name, client] of stores) describe(`the outbox under concurrent writes on ${name}`, () => {
  const layer = () =>
    Layer.provideMerge(ModelVersionsSql.layer({ webhooks: outbox }), Layer.provideMerge(ModelVersionsSql.layerMigrator, client())).pipe(Layer.orDie)
  it.effect.skipIf(name === "PostgreSQL" && pgUrl === undefined)("one delivery per wanting subscription; each payload the version as its write left it", () =>
    Effect.gen(function*() {
      const registry = yield* ModelVersions.ModelVersions
      const repos = [freshRepo("nlp"), freshRepo("cv"), freshRepo("other")]
      // Versions 1-3 of a model in each repo (the repos at once), each version written 3 times at once.
      const results = (yield* Effect.forEach(repos, (repo) =>
        Effect.forEach([1, 2, 3], (version) =>
          Effect.forEach([0, 1, 2], (n) =>
            Effect.map(registry.upsert(base(repo, { version, description: `${repo} v${version} write ${n}` })), (r) => r.modelVersion), {
            concurrency: "unbounded"
          })), { concurrency: "unbounded" })).flat(2)
      // The version each write left last (the writes of a version raced: the last to commit is the latest revision).
      const versions = yield* Effect.forEach(results.filter((_, i) => i % 3 === 0), (v) => Effect.map(registry.get(v.id), (got) => got.modelVersion))
      const tagged = yield* Effect.forEach(versions, (v) =>
        registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: v.id, tags: [`t${v.manifest.version}`] })), { concurrency: "unbounded" })
      assert.strictEqual(tagged.length, 9)
      yield* registry.delete(versions[0]!.id)
      yield* registry.deleteModel(Model.ModelId.make(versions[3]!.model_id))
      yield* registry.upsert(base(repos[0]!, { version: 2, description: "after everything" }))

      const sql = yield* SqlClient.SqlClient
      // On SQLite the deliveries are queued from the event rows by the dispatcher's cycle, or by listing them.
      yield* Webhooks.deliveries({ limit: 1 })
      const events = yield* sql<{ id: string; type: string; ml_repo: string; model_version_id: string; revision: number; webhook_payload: string | null }>`
        SELECT id, type, ml_repo, model_version_id, revision, webhook_payload FROM model_version_events
        WHERE ${sql.in("ml_repo", repos)} ORDER BY at, revision`
      const deliveries = yield* sql<{ event_id: string; subscription: string }>`SELECT event_id, subscription FROM webhook_deliveries
        WHERE ${sql.in("event_id", events.map((e) => e.id))}`
      assert.strictEqual(events.length, 27 + 9 + 1 + 3 + 1)
      for (const event of events) {
        const got = deliveries.filter((d) => d.event_id === event.id).map((d) => d.subscription).sort()
        assert.deepStrictEqual([event.type, event.ml_repo, got], [event.type, event.ml_repo, wanted(event.type, event.ml_repo)])
        const payload = event.webhook_payload === null ? undefined : JSON.parse(event.webhook_payload)
        assert.deepStrictEqual(payload?.data.event.id, got.length === 0 ? undefined : event.id)
      }
      // Each upsert's payload is the version its write returned (after later writes and deletes too).
      const payloads = events.filter((e) => e.webhook_payload !== null && (e.type === "created" || e.type === "updated")).map((e) => JSON.parse(e.webhook_payload!))
      for (const written of results) {
        const same = payloads.filter((p) => p.data.model_version.manifest.description === written.manifest.description)
        if (written.manifest.ml_repo.startsWith("other")) continue
        assert.strictEqual(same.length, 1, written.manifest.description)
        assert.deepStrictEqual(same[0].data.model_version, JSON.parse(JSON.stringify(written)))
      }
      // The deleted events of the model's versions carry each version's last state (its tag, its last write).
      const deleted = events.filter((e) => e.type === "deleted" && e.ml_repo === repos[1]).map((e) => JSON.parse(e.webhook_payload!).data.model_version)
      assert.deepStrictEqual(
        deleted.map((v) => [v.manifest.version, v.tags, v.manifest.description]).sort(),
        versions.filter((v) => v.manifest.ml_repo === repos[1]).map((v) => [v.manifest.version, [`t${v.manifest.version}`], v.manifest.description])
      )
    }).pipe(Effect.provide(layer())), 60_000)
})
