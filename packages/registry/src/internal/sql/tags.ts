/**
 * `applyTags` and `delete`: tags unique per model ignoring case (moved with `force`), soft deletes that free the
 * version's alias and tags and never reuse its number.
 * @internal
 */
import { SqlSchema } from "@effect/sql"
import { type ModelVersion, ModelVersionEvent, ModelVersions, RegistryError } from "@mreg/core"
import { Effect, Option, Schema } from "effect"
import { traced } from "@mreg/core/Telemetry"
import { eventOf, fieldsOf, lastStateOf, type makeEvents, writerOf } from "./events.js"
import { notFound, decoded, type makeQueries } from "./queries.js"
import type { Store } from "./store.js"

const HolderRow = Schema.Struct({ tag: Schema.String, version: Schema.Number, model_version_id: Schema.String })
const RevisionRow = Schema.Struct({ id: Schema.String, revision: Schema.Number })

export const makeTags = (store: Store, queries: ReturnType<typeof makeQueries>, events: ReturnType<typeof makeEvents>) => {
  const { sql } = store

  const softDelete = SqlSchema.findOne({
    Request: Schema.Struct({ id: Schema.String, at: Schema.String }),
    Result: RevisionRow,
    execute: ({ at, id }) => sql`UPDATE model_versions
      SET deleted_at = ${at}, alias = NULL, alias_key = NULL, revision = revision + 1
      WHERE id = ${id} AND deleted_at IS NULL RETURNING id, revision`
  })

  const delete_ = traced("ModelVersions.delete", function*(id: ModelVersion.ModelVersionId) {
    yield* store.transact(Effect.gen(function*() {
      const row = yield* queries.findLive(id)
      if (Option.isNone(row)) return yield* Effect.fail(notFound(id))
      const at = yield* store.now
      const tags = (yield* queries.tagsOf([id])).get(id) ?? []
      yield* sql`DELETE FROM model_version_tags WHERE model_version_id = ${id}`
      // Only a live row is deleted: of concurrent deletes (PostgreSQL, READ COMMITTED) exactly one succeeds.
      const deleted = yield* decoded(softDelete({ id, at }))
      if (Option.isNone(deleted)) return yield* Effect.fail(notFound(id))
      yield* events.appendEvents([eventOf(row.value, {
        type: "deleted",
        revision: deleted.value.revision,
        subject: yield* writerOf(store),
        at,
        changes: ModelVersionEvent.fieldsSet(fieldsOf(row.value.manifest, tags), "before")
      }, lastStateOf(store, row.value, tags))])
    }))
  })

  const holdersOf = SqlSchema.findAll({
    Request: Schema.Struct({ modelId: Schema.String, keys: Schema.Array(Schema.String), id: Schema.String }),
    Result: HolderRow,
    execute: ({ id, keys, modelId }) => sql`SELECT t.tag, v.version, t.model_version_id
      FROM model_version_tags t JOIN model_versions v ON v.id = t.model_version_id
      WHERE t.model_id = ${modelId} AND ${sql.in("t.tag_key", keys)} AND t.model_version_id <> ${id}`
  })

  /** A new revision of each version of `ids`, and a new `updated_at` when `at` is given. */
  const bump = SqlSchema.findAll({
    Request: Schema.Struct({ ids: Schema.Array(Schema.String), at: Schema.NullOr(Schema.String) }),
    Result: RevisionRow,
    execute: ({ at, ids }) => sql`UPDATE model_versions SET revision = revision + 1, updated_at = COALESCE(${at}, updated_at)
      WHERE ${sql.in("id", ids)} RETURNING id, revision`
  })

  const applyTags = traced("ModelVersions.applyTags", function*(request: ModelVersions.ApplyTagsRequest) {
    const id = request.model_version_id
    const wanted = new Map<string, string>()
    for (const tag of request.tags) wanted.set(tag.toLowerCase(), tag)
    yield* store.transact(Effect.gen(function*() {
      const found = yield* queries.findLive(id)
      if (Option.isNone(found)) return yield* Effect.fail(notFound(id))
      const row = found.value
      // PostgreSQL: tag writers of one model queue on its row, so the uniqueness check below cannot race.
      if (!(yield* queries.lockModel(row.model_id))) return yield* Effect.fail(notFound(id))
      const keys = [...wanted.keys()]
      const holders = keys.length === 0 ? [] : yield* decoded(holdersOf({ modelId: row.model_id, keys, id }))
      if (holders.length > 0 && request.force !== true) {
        const first = holders[0]!
        return yield* Effect.fail(new RegistryError.Conflict({
          reason: "TAG_IN_USE",
          message: `tag "${first.tag}" is held by version ${first.version} of this model; tags are unique within a model, ignoring case; force moves it ("force": true, or mreg tag --force)`,
          details: { field: "tags", tag: first.tag, version: first.version }
        }))
      }
      const holderIds = [...new Set(holders.map((holder) => holder.model_version_id))]
      const before = yield* queries.tagsOf([id, ...holderIds])
      yield* sql`DELETE FROM model_version_tags WHERE model_id = ${row.model_id} AND model_version_id = ${id}`
      if (keys.length > 0) {
        yield* sql`DELETE FROM model_version_tags WHERE model_id = ${row.model_id} AND ${sql.in("tag_key", keys)}`
        yield* sql`INSERT INTO model_version_tags ${sql.insert([...wanted].map(([tag_key, tag]) => ({
          model_id: row.model_id,
          tag_key,
          tag,
          model_version_id: id
        })))}`
      }
      // Versions a forced tag moved away from get a revision (and an event) too; the tagged one also a new updated_at.
      const holderRevisions = holderIds.length === 0 ? [] : yield* decoded(bump({ ids: holderIds, at: null }))
      const at = yield* store.now
      const revisions = yield* decoded(bump({ ids: [id], at }))
      const after = yield* queries.tagsOf([id, ...holderIds])
      const subject = yield* writerOf(store)
      yield* events.appendEvents([...revisions, ...holderRevisions].map((written) =>
        eventOf({ ...row, id: written.id }, {
          type: "tags_applied",
          revision: written.revision,
          subject,
          at,
          changes: ModelVersionEvent.diff({ tags: before.get(written.id) ?? [] }, { tags: after.get(written.id) ?? [] })
        })
      ))
    }))
  })

  return { delete: delete_, applyTags }
}
