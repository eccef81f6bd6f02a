/**
 * `upsert`: ML repo and model created on first use, version numbers allocated under a lock (PostgreSQL) or the
 * single writer (SQLite), updates as a compare-and-set on the revision, idempotency keys in the same transaction.
 * @internal
 */
import { SqlSchema } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { ModelManifest, type ModelVersion, ModelVersionEvent, ModelVersions, RegistryError } from "@mreg/core"
import { Effect, Option, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { traced } from "@mreg/core/Telemetry"
import { eventOf, fieldsOf, type makeEvents, writerOf } from "./events.js"
import { makeIdempotency, requestHash } from "./idempotency.js"
import { prepared } from "./prepared.js"
import { decoded, firstRow, type makeQueries } from "./queries.js"
import { canonical, Count, encodeManifest, etagOf, toModelVersion, type VersionRow } from "./rows.js"
import { StaleRead, type Store } from "./store.js"

/** `If-Match` values: a list of ETags, weak or strong, or `*`. */
const matches = (header: string, etag: string): boolean =>
  header.split(",").map((part) => part.trim().replace(/^W\//, "")).some((part) => part === "*" || part === etag)

const immutable = (field: "source" | "step" | "run_id", stored: unknown, given: unknown) =>
  new RegistryError.Conflict({
    reason: "IMMUTABLE_FIELD",
    message: `manifest.${field} is fixed when a version is created and cannot change: stored ${JSON.stringify(stored ?? null)}, received ${JSON.stringify(given)}`,
    details: { field: `manifest.${field}` }
  })

/** A row a statement was certain to return is missing: a store failure, not a caller's mistake. */
const missing = () => new RegistryError.StoreError({ message: "the registry store failed; the request was not applied" })

const IdRow = Schema.Struct({ id: Schema.String })
const AliasRow = Schema.Struct({ version: Schema.Number, alias: Schema.String })
const RevisionRow = Schema.Struct({ revision: Schema.Number })
const NextRow = Schema.Struct({ next: Count })

interface ModelIds {
  readonly modelId: string
  readonly mlRepoId: string
}

export const makeUpsert = (store: Store, queries: ReturnType<typeof makeQueries>, events: ReturnType<typeof makeEvents>) => {
  const { sql } = store
  const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
  const idempotency = makeIdempotency(store)

  /** Model and ML repo ids by `ml_repo\0name`, filled after a commit; `write` drops an entry whose model was deleted. */
  const known = new Map<string, ModelIds>()
  const modelKey = (mlRepo: string, name: string) => `${mlRepo}\u0000${name}`

  const repoId = SqlSchema.findOne({
    Request: Schema.String,
    Result: IdRow,
    execute: (name) => sql`SELECT id FROM ml_repos WHERE name = ${name}`
  })
  const modelId = SqlSchema.findOne({
    Request: Schema.Struct({ mlRepoId: Schema.String, name: Schema.String }),
    Result: IdRow,
    execute: ({ mlRepoId, name }) => sql`SELECT id FROM models WHERE ml_repo_id = ${mlRepoId} AND name = ${name}`
  })
  const row = <A>(effect: Effect.Effect<Option.Option<A>, SqlError | RegistryError.StoreError>) =>
    Effect.flatMap(effect, Option.match({ onNone: () => Effect.fail(missing()), onSome: Effect.succeed }))

  const ensureModel = (mlRepo: string, name: string, at: string) =>
    Effect.gen(function*() {
      const cached = known.get(modelKey(mlRepo, name))
      if (cached !== undefined) return cached
      yield* sql`INSERT INTO ml_repos (id, name, created_at) VALUES (${randomUUID()}, ${mlRepo}, ${at})
        ON CONFLICT (name) DO NOTHING`
      const repo = yield* row(decoded(repoId(mlRepo)))
      yield* sql`INSERT INTO models (id, ml_repo_id, name, created_at) VALUES (${randomUUID()}, ${repo.id}, ${name}, ${at})
        ON CONFLICT (ml_repo_id, name) DO NOTHING`
      const model = yield* row(decoded(modelId({ mlRepoId: repo.id, name })))
      return { modelId: model.id, mlRepoId: repo.id } satisfies ModelIds
    })

  const aliasRow = firstRow(AliasRow)
  const aliasHolder = ({ aliasKey, exceptId, modelId }: { modelId: string; aliasKey: string; exceptId: string }) =>
    aliasRow(sql`SELECT version, alias FROM model_versions
      WHERE model_id = ${modelId} AND alias_key = ${aliasKey} AND deleted_at IS NULL AND id <> ${exceptId}`)

  const checkAlias = (modelId: string, alias: string | undefined, exceptId: string | null) =>
    alias === undefined ? Effect.void : Effect.flatMap(
      aliasHolder({ modelId, aliasKey: alias.toLowerCase(), exceptId: exceptId ?? "" }),
      Option.match({
        onNone: () => Effect.void,
        onSome: (holder) =>
          Effect.fail(
            new RegistryError.Conflict({
              reason: "ALIAS_IN_USE",
              message: `version alias "${alias}" is held by version ${holder.version} of this model (as "${holder.alias}"); aliases are unique within a model, ignoring case`,
              details: { field: "manifest.version_alias", alias: holder.alias, version: holder.version }
            })
          )
      })
    )

  const nextRow = firstRow(NextRow)
  const nextOfLocked = prepared(sql, sql`SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE model_id = ${""}`)
  const nextOfModel = prepared(sql, sql`SELECT (SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model_id = ${""}) AS next
    FROM models WHERE id = ${""}`)
  /**
   * The model's next version number (`max(all versions ever, deleted included) + 1`), `None` when the model no longer
   * exists (deleted since its id was read). PostgreSQL: first locks the model's row, so writers of one model queue on
   * it instead of colliding on the version index and retrying (the lock before the number: a subquery of the locking
   * statement would see the table as it was before the wait). SQLite, one writer at a time: one statement.
   */
  const lockedNextVersion = (modelId: string): Effect.Effect<Option.Option<number>, SqlError | RegistryError.StoreError> =>
    isPg
      ? Effect.flatMap(queries.lockModel(modelId), (exists) =>
        exists
          ? Effect.flatMap(nextRow(nextOfLocked([modelId])),
            Option.match({ onNone: () => Effect.fail(missing()), onSome: (row) => Effect.succeedSome(row.next) }))
          : Effect.succeedNone)
      : Effect.map(nextRow(nextOfModel([modelId, modelId])), Option.map((row) => row.next))

  const compareAndSet = SqlSchema.findOne({
    Request: Schema.Struct({
      id: Schema.String,
      revision: Schema.Number,
      manifest: Schema.String,
      alias: Schema.NullOr(Schema.String),
      updatedAt: Schema.String
    }),
    Result: RevisionRow,
    execute: ({ alias, id, manifest, revision, updatedAt }) => sql`UPDATE model_versions SET manifest = ${manifest},
      alias = ${alias}, alias_key = ${alias?.toLowerCase() ?? null}, updated_at = ${updatedAt}, revision = revision + 1
      WHERE id = ${id} AND revision = ${revision} RETURNING revision`
  })

  const update = (manifest: ModelManifest.ModelManifest, options: ModelVersions.UpsertOptions, existing: VersionRow, at: string) =>
    Effect.gen(function*() {
      const requested = existing.version
      const etag = etagOf(existing.id, existing.revision)
      if (options.ifNoneMatch === "*") {
        return yield* Effect.fail(new RegistryError.PreconditionFailed({
          message: `version ${requested} already exists and If-None-Match: * allows only creating it`,
          etag
        }))
      }
      if (options.ifMatch !== undefined && !matches(options.ifMatch, etag)) {
        return yield* Effect.fail(new RegistryError.PreconditionFailed({
          message: `version ${requested} has changed since ${options.ifMatch}: its current ETag is ${etag}`,
          etag
        }))
      }
      const stored = encodeManifest(existing.manifest)
      const given = encodeManifest(manifest)
      if (canonical(stored.source) !== canonical(given.source)) {
        return yield* Effect.fail(immutable("source", stored.source, given.source))
      }
      if (given.step !== undefined && given.step !== existing.step) {
        return yield* Effect.fail(immutable("step", existing.step, given.step))
      }
      if (given.run_id !== undefined && given.run_id !== (existing.run_id ?? undefined)) {
        return yield* Effect.fail(immutable("run_id", existing.run_id, given.run_id))
      }
      yield* checkAlias(existing.model_id, manifest.version_alias, existing.id)
      const replaced = encodeManifest(new ModelManifest.ModelManifest({
        ...manifest,
        version: requested,
        source: manifest.source,
        step: existing.step,
        run_id: existing.run_id ?? undefined
      }, true))
      // updated_at always moves forward, even within one millisecond of the previous write.
      const updatedAt = at > existing.updated_at
        ? at
        : new Date(new Date(existing.updated_at).getTime() + 1).toISOString()
      // Compare-and-set on the revision read above: under READ COMMITTED (PostgreSQL) a concurrent writer may
      // have moved it; then nothing is updated and the whole transaction runs again against the new revision.
      const updated = yield* decoded(compareAndSet({
        id: existing.id,
        revision: existing.revision,
        manifest: JSON.stringify(replaced),
        alias: manifest.version_alias ?? null,
        updatedAt
      }))
      if (Option.isNone(updated)) return yield* Effect.fail(new StaleRead())
      const after = yield* row(queries.versionRow(existing.model_id, requested))
      return { row: after, created: false, changes: ModelVersionEvent.diff(fieldsOf(existing.manifest, []), fieldsOf(after.manifest, [])) }
    })

  const insertVersion = prepared(sql, sql`INSERT INTO model_versions
    (id, model_id, version, manifest, alias, alias_key, step, run_id, created_by, created_at, updated_at, revision)
    VALUES (${""}, ${""}, ${0}, ${""}, ${null}, ${null}, ${0}, ${null}, ${""}, ${""}, ${""}, 1)`)

  const create = (manifest: ModelManifest.ModelManifest, subject: ModelVersion.Subject, ids: ModelIds, requested: number, at: string) =>
    Effect.gen(function*() {
      yield* checkAlias(ids.modelId, manifest.version_alias, null)
      const id = randomUUID()
      const step = manifest.step ?? 0
      // `manifest` was decoded by `ModelManifest`; the stored copy adds the allocated version and step.
      // Keys in schema order, as a later read of the row gives them.
      const fields = encodeManifest({ ...manifest, version: requested, step } as ModelManifest.ModelManifest)
      const storedManifest = new ModelManifest.ModelManifest(fields as ModelManifest.ModelManifest, true)
      const text = JSON.stringify(fields)
      yield* insertVersion([id, ids.modelId, requested, text, manifest.version_alias ?? null,
        manifest.version_alias?.toLowerCase() ?? null, step, manifest.run_id ?? null, JSON.stringify(subject), at, at])
      // The row just written, without reading it back or decoding the manifest again.
      const stored: VersionRow = {
        id,
        model_id: ids.modelId,
        version: requested,
        manifest: storedManifest,
        alias: manifest.version_alias ?? null,
        step,
        run_id: manifest.run_id ?? null,
        created_by: subject,
        created_at: at,
        updated_at: at,
        revision: 1,
        deleted_at: null,
        ml_repo_id: ids.mlRepoId,
        ml_repo_name: manifest.ml_repo,
        model_name: manifest.name
      }
      return { row: stored, created: true, changes: ModelVersionEvent.fieldsSet(fieldsOf(storedManifest, []), "after") }
    })

  const write = (manifest: ModelManifest.ModelManifest, options: ModelVersions.UpsertOptions, subject: ModelVersion.Subject) =>
    Effect.gen(function*() {
      const at = yield* store.now
      const ids = yield* ensureModel(manifest.ml_repo, manifest.name, at)
      // A model deleted since its id was read (or cached) is created again, with a new id, on the retry.
      const locked = yield* lockedNextVersion(ids.modelId)
      if (Option.isNone(locked)) {
        known.delete(modelKey(manifest.ml_repo, manifest.name))
        return yield* Effect.fail(new StaleRead())
      }
      const next = { next: locked.value }
      const requested = manifest.version ?? next.next
      if (requested < next.next) {
        const existing = yield* row(queries.versionRow(ids.modelId, requested))
        if (existing.deleted_at !== null) {
          return yield* Effect.fail(new RegistryError.Conflict({
            reason: "VERSION_DELETED",
            message: `version ${requested} of ${manifest.ml_repo}/${manifest.name} was deleted and version numbers are never reused; omit "version" to create version ${next.next}`,
            details: { field: "manifest.version", version: requested }
          }))
        }
        return yield* update(manifest, options, existing, at)
      }
      if (requested > next.next) {
        return yield* Effect.fail(new RegistryError.ValidationError({
          detail: [new RegistryError.ValidationIssue({
            loc: ["body", "manifest", "version"],
            msg: `must be an existing version or the next one: the next version of ${manifest.ml_repo}/${manifest.name} is ${next.next} (received ${requested})`,
            type: "value_error.version_not_next"
          })]
        }))
      }
      if (options.ifMatch !== undefined) {
        return yield* Effect.fail(new RegistryError.PreconditionFailed({
          message: `If-Match ${options.ifMatch} names no stored version: version ${requested} does not exist yet`
        }))
      }
      return yield* create(manifest, subject, ids, requested, at)
    })

  return traced("ModelVersions.upsert", function*(manifest: ModelManifest.ModelManifest, options: ModelVersions.UpsertOptions = {}) {
    const subject = options.subject ?? (yield* writerOf(store))
    const key = options.idempotencyKey
    const hash = key === undefined ? "" : requestHash(manifest, options)
    const result = yield* store.transact(Effect.gen(function*() {
      if (key !== undefined) {
        const replayed = yield* idempotency.replay(subject.subjectId, key, hash)
        if (Option.isSome(replayed)) return replayed.value
      }
      const { changes, created, row: written } = yield* write(manifest, options, subject)
      const modelVersion = created ? toModelVersion(store.tenant, written, []) : yield* queries.load(written)
      // The write's history event, in its transaction (an identical PUT still makes a revision: `changes` is empty).
      yield* events.appendEvents([eventOf(written, {
        type: created ? "created" : "updated",
        revision: written.revision,
        subject,
        at: written.updated_at,
        changes
      }, modelVersion)])
      const etag = etagOf(written.id, written.revision)
      if (key !== undefined) yield* idempotency.remember(subject.subjectId, key, hash, { modelVersion, etag, created })
      return { modelVersion, etag, created, replayed: false } satisfies ModelVersions.UpsertResult
    }))
    known.set(modelKey(manifest.ml_repo, manifest.name), { modelId: result.modelVersion.model_id, mlRepoId: result.modelVersion.ml_repo_id })
    return result
  })
}
