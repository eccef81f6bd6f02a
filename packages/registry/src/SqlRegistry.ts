/**
 * The embedded registry: `ModelVersions` on `@effect/sql`, for SQLite (default, a file in `MREG_HOME`) and
 * PostgreSQL (several proxies sharing one store).
 *
 * Semantics (DESIGN.md, Upsert semantics), all enforced inside one transaction per write:
 * - ML repos and models are created on first use; a model is `(ml_repo, name)`, compared case-sensitively.
 * - No `version`: the next number, `max(all versions ever, deleted included) + 1`. Two writers racing for the same
 *   number collide on the unique index `(model_id, version)`; the loser's transaction is retried, so no write is lost
 *   and no number is handed out twice.
 * - An existing `version`: PUT replaces `description`, `metadata`, `version_alias`, `framework`, `environment`
 *   (omitted = cleared); `source`, `step`, `run_id` are fixed at creation (`Conflict` `IMMUTABLE_FIELD`).
 * - The next number creates it; a deleted number is `Conflict` `VERSION_DELETED`; beyond the next number is a
 *   `ValidationError` at `manifest.version` naming the next number.
 * - Aliases and tags are unique per model ignoring case, stored with their case.
 * - Every write bumps a revision; ETags are `"<id>.<revision>"`.
 * - Idempotency keys (per subject, kept 24 hours) replay the first response for the same request, and conflict
 *   for a different one.
 *
 * @since 0.1.0
 */
import { Migrator, SqlClient, type Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Fqn, ModelManifest, ModelVersion, ModelVersions, MregConfig, RegistryError } from "@mreg/core"
import { Clock, Config, Data, Effect, Layer, Option, Predicate, Redacted, Schedule, Schema } from "effect"
import { createHash, randomUUID } from "node:crypto"
import { existsSync, mkdirSync } from "node:fs"
import { homedir, userInfo } from "node:os"
import { dirname, join, resolve } from "node:path"
import { migrations } from "./internal/migrations.js"
import { isTransient, isUniqueViolation } from "./internal/sqlErrors.js"

/**
 * Options of the embedded registry.
 * - `tenant`: the tenant name in FQNs (`model:{tenant}/…`), default `"default"`;
 * - `subject`: who writes when an upsert names no subject, default the OS user.
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly tenant?: string | undefined
  readonly subject?: ModelVersion.Subject | undefined
}

/** How long an idempotency key is remembered, in milliseconds (24 hours). @since 0.1.0 @category constants */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

/**
 * The OS user as a subject: `{subjectId: <username>, subjectType: "user", subjectSlug, subjectDisplayName}`.
 * @since 0.1.0
 * @category constructors
 */
export const osSubject = (): ModelVersion.Subject => {
  let name = process.env.USER ?? process.env.USERNAME ?? "unknown"
  try {
    name = userInfo().username
  } catch {
    // no passwd entry (some containers): keep the environment's name
  }
  return { subjectId: name, subjectType: "user", subjectSlug: name, subjectDisplayName: name }
}

interface VersionRow {
  readonly id: string
  readonly model_id: string
  readonly version: number
  readonly manifest: string
  readonly alias: string | null
  readonly step: number
  readonly run_id: string | null
  readonly created_by: string
  readonly created_at: string
  readonly updated_at: string
  readonly revision: number
  readonly deleted_at: string | null
  readonly ml_repo_id: string
  readonly ml_repo_name: string
  readonly model_name: string
}

const MANIFEST_KEYS = Object.keys(ModelManifest.ModelManifest.fields) as ReadonlyArray<keyof ModelManifest.ModelManifest>

/**
 * The wire form of a decoded manifest, keys in schema order and absent fields left out. A manifest's decoded and
 * encoded forms are the same data (no field is transformed), so this is `Schema.encode` without re-running every
 * rule on the way out.
 */
const encodeManifest = (manifest: ModelManifest.ModelManifest): typeof ModelManifest.ModelManifest.Encoded => {
  const out: Record<string, unknown> = {}
  for (const key of MANIFEST_KEYS) if (manifest[key] !== undefined) out[key] = manifest[key]
  return out as typeof ModelManifest.ModelManifest.Encoded
}
const encodeModelVersion = Schema.encodeSync(ModelVersion.ModelVersion)
const decodeModelVersion = Schema.decodeUnknownSync(ModelVersion.ModelVersion)

/** JSON with object keys sorted, for comparing values and hashing requests independently of key order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v)

/** A row changed between this transaction's read and its write: the transaction is run again. */
class StaleRead extends Data.TaggedError("StaleRead") {}

const isSqlError = (error: unknown): error is SqlError => Predicate.isTagged(error, "SqlError")

const etagOf = (id: string, revision: number) => `"${id}.${revision}"`

/** `If-Match` values: a list of ETags, weak or strong, or `*`. */
const matches = (header: string, etag: string): boolean =>
  header.split(",").map((part) => part.trim().replace(/^W\//, "")).some((part) => part === "*" || part === etag)

const usageSnippet = (fqn: string) =>
  [
    "from truefoundry.ml import get_client",
    "",
    "client = get_client()",
    `model_version = client.get_model_version_by_fqn("${fqn}")`,
    "download_info = model_version.download(path=\"./model\")"
  ].join("\n")

const SELECT_VERSION = `SELECT v.id, v.model_id, v.version, v.manifest, v.alias, v.step, v.run_id, v.created_by, v.created_at,
  v.updated_at, v.revision, v.deleted_at, m.ml_repo_id, r.name AS ml_repo_name, m.name AS model_name
  FROM model_versions v JOIN models m ON m.id = v.model_id JOIN ml_repos r ON r.id = m.ml_repo_id`

/**
 * Builds the `ModelVersions` service on the `SqlClient` in context, after running the migrations.
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // Several processes may start on one store at once: a migration that loses a race is retried.
    yield* Migrator.make({})({ loader: Migrator.fromRecord(migrations) }).pipe(
      Effect.retry({ times: 5, schedule: Schedule.spaced("200 millis") })
    )
    const tenant = options.tenant ?? "default"
    const defaultSubject = options.subject ?? osSubject()

    const storeError = (error: SqlError) =>
      Effect.logDebug("registry store failure", error).pipe(
        Effect.zipRight(
          Effect.fail(
            new RegistryError.StoreError({
              message: isTransient(error)
                ? "the registry store is busy; retry the request"
                : "the registry store failed; the request was not applied"
            })
          )
        )
      )

    /**
     * Runs a write in a transaction; runs it again when another writer won a unique index, held a lock, or moved a
     * revision this transaction read (`StaleRead`). Driver errors become `StoreError`.
     */
    const transact = <A, E extends RegistryError.RegistryError, R>(
      effect: Effect.Effect<A, E | SqlError | StaleRead, R>
    ): Effect.Effect<A, E | RegistryError.StoreError, R> =>
      sql.withTransaction(effect).pipe(
        Effect.retry({
          while: (error) => error instanceof StaleRead || (isSqlError(error) && (isUniqueViolation(error) || isTransient(error))),
          schedule: Schedule.exponential("2 millis", 1.5).pipe(Schedule.jittered, Schedule.upTo("10 seconds")),
          times: 200
        }),
        Effect.catchAll((error): Effect.Effect<never, E | RegistryError.StoreError> => {
          if (error instanceof StaleRead) {
            return Effect.fail(
              new RegistryError.StoreError({ message: "the model version kept changing under concurrent writes; retry the request" })
            )
          }
          if (isSqlError(error)) return storeError(error)
          return Effect.fail(error)
        })
      )

    const selectVersion = sql.unsafe(SELECT_VERSION)
    const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

    const toModelVersion = (row: VersionRow, tags: ReadonlyArray<string>): ModelVersion.ModelVersion => {
      const fqn = Fqn.format({ tenant, mlRepo: row.ml_repo_name, name: row.model_name, version: row.version })
      const manifest = new ModelManifest.ModelManifest(JSON.parse(row.manifest), true)
      return new ModelVersion.ModelVersion({
        id: ModelVersion.ModelVersionId.make(row.id),
        fqn,
        created_by_subject: JSON.parse(row.created_by),
        manifest,
        ml_repo_id: row.ml_repo_id,
        model_id: row.model_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
        usage_code_snippet: usageSnippet(fqn),
        tags,
        metrics: [],
        deployable: manifest.framework !== undefined && manifest.source.type !== "local"
      }, true)
    }

    const tagsOf = (ids: ReadonlyArray<string>) =>
      ids.length === 0
        ? Effect.succeed(new Map<string, Array<string>>())
        : sql<{ readonly model_version_id: string; readonly tag: string }>`
            SELECT model_version_id, tag FROM model_version_tags WHERE ${sql.in("model_version_id", ids)} ORDER BY tag`.pipe(
            Effect.map((rows) => {
              const byVersion = new Map<string, Array<string>>()
              for (const row of rows) {
                const list = byVersion.get(row.model_version_id) ?? []
                list.push(row.tag)
                byVersion.set(row.model_version_id, list)
              }
              return byVersion
            })
          )

    const load = (row: VersionRow) =>
      Effect.map(tagsOf([row.id]), (tags) => toModelVersion(row, tags.get(row.id) ?? []))

    /** Model ids by `ml_repo\0name`, filled after a commit: models are never deleted, so an id stays valid. */
    const modelIds = new Map<string, string>()
    const modelKey = (mlRepo: string, name: string) => `${mlRepo}\u0000${name}`

    const ensureModel = (mlRepo: string, name: string, at: string) =>
      Effect.gen(function*() {
        const known = modelIds.get(modelKey(mlRepo, name))
        if (known !== undefined) return known
        yield* sql`INSERT INTO ml_repos (id, name, created_at) VALUES (${randomUUID()}, ${mlRepo}, ${at})
          ON CONFLICT (name) DO NOTHING`
        const [repo] = yield* sql<{ readonly id: string }>`SELECT id FROM ml_repos WHERE name = ${mlRepo}`
        yield* sql`INSERT INTO models (id, ml_repo_id, name, created_at) VALUES (${randomUUID()}, ${repo!.id}, ${name}, ${at})
          ON CONFLICT (ml_repo_id, name) DO NOTHING`
        const [model] = yield* sql<{ readonly id: string }>`
          SELECT id FROM models WHERE ml_repo_id = ${repo!.id} AND name = ${name}`
        return model!.id
      })

    /** PostgreSQL: locks a model's row for the rest of the transaction (SQLite already has one writer at a time). */
    const lockModel = (modelId: string) =>
      sql.onDialectOrElse({
        pg: () => Effect.asVoid(sql`SELECT id FROM models WHERE id = ${modelId} FOR UPDATE`),
        orElse: () => Effect.void
      })

    const aliasHolder = (modelId: string, alias: string, exceptId: string | null) =>
      sql<{ readonly version: number; readonly alias: string }>`
        SELECT version, alias FROM model_versions
        WHERE model_id = ${modelId} AND alias_key = ${alias.toLowerCase()} AND deleted_at IS NULL
        AND id <> ${exceptId ?? ""}`.pipe(Effect.map((rows) => rows[0]))

    const checkAlias = (modelId: string, alias: string | undefined, exceptId: string | null) =>
      alias === undefined ? Effect.void : Effect.flatMap(aliasHolder(modelId, alias, exceptId), (holder) =>
        holder === undefined ? Effect.void : Effect.fail(
          new RegistryError.Conflict({
            reason: "ALIAS_IN_USE",
            message: `version alias "${alias}" is held by version ${holder.version} of this model (as "${holder.alias}"); aliases are unique within a model, ignoring case`,
            details: { field: "manifest.version_alias", alias: holder.alias, version: holder.version }
          })
        ))

    const immutable = (field: "source" | "step" | "run_id", stored: unknown, given: unknown) =>
      new RegistryError.Conflict({
        reason: "IMMUTABLE_FIELD",
        message: `manifest.${field} is fixed when a version is created and cannot change: stored ${JSON.stringify(stored ?? null)}, received ${JSON.stringify(given)}`,
        details: { field: `manifest.${field}` }
      })

    const versionRow = (modelId: string, version: number) =>
      sql<VersionRow>`${selectVersion} WHERE v.model_id = ${modelId} AND v.version = ${version}`

    const writeUpsert = (manifest: ModelManifest.ModelManifest, options: ModelVersions.UpsertOptions) =>
      Effect.gen(function*() {
        const at = yield* now
        const modelId = yield* ensureModel(manifest.ml_repo, manifest.name, at)
        // PostgreSQL: writers of one model queue on its row instead of colliding on the version index and retrying.
        yield* lockModel(modelId)
        const [max] = yield* sql<{ readonly next: number | string }>`
          SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE model_id = ${modelId}`
        const nextVersion = Number(max?.next ?? 1)
        const requested = manifest.version ?? nextVersion
        const [existing] = requested < nextVersion ? yield* versionRow(modelId, requested) : []

        if (existing !== undefined) {
          if (existing.deleted_at !== null) {
            return yield* Effect.fail(new RegistryError.Conflict({
              reason: "VERSION_DELETED",
              message: `version ${requested} of ${manifest.ml_repo}/${manifest.name} was deleted and version numbers are never reused; omit "version" to create version ${nextVersion}`,
              details: { field: "manifest.version", version: requested }
            }))
          }
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
          const stored = JSON.parse(existing.manifest) as typeof ModelManifest.ModelManifest.Encoded
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
          yield* checkAlias(modelId, manifest.version_alias, existing.id)
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
          const updated = yield* sql<{ readonly revision: number }>`UPDATE model_versions SET manifest = ${JSON.stringify(replaced)},
            alias = ${manifest.version_alias ?? null}, alias_key = ${manifest.version_alias?.toLowerCase() ?? null},
            updated_at = ${updatedAt}, revision = revision + 1
            WHERE id = ${existing.id} AND revision = ${existing.revision} RETURNING revision`
          if (updated.length === 0) return yield* Effect.fail(new StaleRead())
          const [row] = yield* versionRow(modelId, requested)
          return { row: row!, created: false }
        }

        if (requested > nextVersion) {
          return yield* Effect.fail(new RegistryError.ValidationError({
            detail: [new RegistryError.ValidationIssue({
              loc: ["body", "manifest", "version"],
              msg: `must be an existing version or the next one: the next version of ${manifest.ml_repo}/${manifest.name} is ${nextVersion} (received ${requested})`,
              type: "value_error.version_not_next"
            })]
          }))
        }
        if (options.ifMatch !== undefined) {
          return yield* Effect.fail(new RegistryError.PreconditionFailed({
            message: `If-Match ${options.ifMatch} names no stored version: version ${requested} does not exist yet`
          }))
        }
        yield* checkAlias(modelId, manifest.version_alias, null)
        const id = randomUUID()
        const step = manifest.step ?? 0
        const created = encodeManifest(new ModelManifest.ModelManifest({ ...manifest, version: requested, step }, true))
        const subject = options.subject ?? defaultSubject
        yield* sql`INSERT INTO model_versions
          (id, model_id, version, manifest, alias, alias_key, step, run_id, created_by, created_at, updated_at, revision)
          VALUES (${id}, ${modelId}, ${requested}, ${JSON.stringify(created)}, ${manifest.version_alias ?? null},
            ${manifest.version_alias?.toLowerCase() ?? null}, ${step}, ${manifest.run_id ?? null},
            ${JSON.stringify(subject)}, ${at}, ${at}, 1)`
        const [row] = yield* versionRow(modelId, requested)
        return { row: row!, created: true }
      })

    const upsert = Effect.fn("ModelVersions.upsert")(function*(
      manifest: ModelManifest.ModelManifest,
      options: ModelVersions.UpsertOptions = {}
    ) {
      const subject = options.subject ?? defaultSubject
      const key = options.idempotencyKey
      const requestHash = key === undefined ? "" : createHash("sha256")
        .update(canonical({ manifest: encodeManifest(manifest), ifMatch: options.ifMatch ?? null, ifNoneMatch: options.ifNoneMatch ?? null }))
        .digest("hex")
      const result = yield* transact(Effect.gen(function*() {
        if (key !== undefined) {
          const at = yield* Clock.currentTimeMillis
          const [seen] = yield* sql<{ readonly request_hash: string; readonly response: string; readonly etag: string; readonly created: number; readonly created_at: string }>`
            SELECT request_hash, response, etag, created, created_at FROM idempotency_keys
            WHERE scope = ${subject.subjectId} AND key = ${key}`
          if (seen !== undefined && at - new Date(seen.created_at).getTime() < IDEMPOTENCY_TTL_MS) {
            if (seen.request_hash !== requestHash) {
              return yield* Effect.fail(new RegistryError.Conflict({
                reason: "IDEMPOTENCY_KEY_REUSED",
                message: `Idempotency-Key "${key}" was already used with a different request; use a new key for a new request`
              }))
            }
            return {
              modelVersion: decodeModelVersion(JSON.parse(seen.response)),
              etag: seen.etag,
              created: Number(seen.created) === 1,
              replayed: true
            } satisfies ModelVersions.UpsertResult
          }
          // Forget expired keys (this one included when it expired; now and then all of them), so the table holds
          // about a day of keys.
          if (seen !== undefined || Math.random() < 0.01) {
            yield* sql`DELETE FROM idempotency_keys WHERE created_at <= ${new Date(at - IDEMPOTENCY_TTL_MS).toISOString()}`
          }
        }
        const { created, row } = yield* writeUpsert(manifest, { ...options, subject })
        const modelVersion = created ? toModelVersion(row, []) : yield* load(row)
        const etag = etagOf(row.id, row.revision)
        if (key !== undefined) {
          yield* sql`INSERT INTO idempotency_keys (scope, key, request_hash, response, etag, created, created_at)
            VALUES (${subject.subjectId}, ${key}, ${requestHash}, ${JSON.stringify(encodeModelVersion(modelVersion))},
              ${etag}, ${created ? 1 : 0}, ${yield* now})`
        }
        return { modelVersion, etag, created, replayed: false } satisfies ModelVersions.UpsertResult
      }))
      modelIds.set(modelKey(manifest.ml_repo, manifest.name), result.modelVersion.model_id)
      return result
    })

    const notFound = (id: string) =>
      new RegistryError.NotFound({ message: `no model version with id "${id}"` })

    const findLive = (id: string) =>
      sql<VersionRow>`${selectVersion} WHERE v.id = ${id} AND v.deleted_at IS NULL`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    const get = Effect.fn("ModelVersions.get")(function*(id: ModelVersion.ModelVersionId) {
      const row = yield* findLive(id).pipe(Effect.catchTag("SqlError", storeError))
      if (Option.isNone(row)) return yield* Effect.fail(notFound(id))
      const modelVersion = yield* load(row.value).pipe(Effect.catchTag("SqlError", storeError))
      return { modelVersion, etag: etagOf(row.value.id, row.value.revision) } satisfies ModelVersions.Versioned
    })

    const list = Effect.fn("ModelVersions.list")(function*(query: ModelVersions.ListQuery) {
      const limit = query.limit ?? ModelVersions.DEFAULT_LIMIT
      const offset = query.offset ?? 0
      const where: Array<Statement.Fragment> = [sql`v.deleted_at IS NULL`]
      if (query.fqn !== undefined) {
        const parsed = Fqn.parse(query.fqn)
        if (parsed._tag === "Left") {
          return yield* Effect.fail(new RegistryError.ValidationError({
            detail: [new RegistryError.ValidationIssue({ loc: ["query", "fqn"], msg: parsed.left.message, type: "value_error" })]
          }))
        }
        const fqn = parsed.right
        if (fqn.tenant !== tenant) where.push(sql`1 = 0`)
        where.push(sql`r.name = ${fqn.mlRepo}`, sql`m.name = ${fqn.name}`)
        where.push(fqn.version !== undefined ? sql`v.version = ${fqn.version}` : sql`v.alias_key = ${fqn.alias.toLowerCase()}`)
      }
      if (query.ml_repo_id !== undefined) where.push(sql`m.ml_repo_id = ${query.ml_repo_id}`)
      if (query.ml_repo !== undefined) where.push(sql`r.name = ${query.ml_repo}`)
      if (query.model_id !== undefined) where.push(sql`v.model_id = ${query.model_id}`)
      if (query.name !== undefined) where.push(sql`m.name = ${query.name}`)
      if (query.version !== undefined) where.push(sql`v.version = ${query.version}`)
      if (query.tag !== undefined) {
        where.push(sql`EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_version_id = v.id AND t.tag_key = ${query.tag.toLowerCase()})`)
      }
      if (query.run_ids !== undefined && query.run_ids.length > 0) where.push(sql.in("v.run_id", query.run_ids))
      if (query.run_steps !== undefined && query.run_steps.length > 0) where.push(sql.in("v.step", query.run_steps))
      const filter = sql.and(where)
      return yield* Effect.gen(function*() {
        const [count] = yield* sql<{ readonly total: number | string }>`SELECT COUNT(*) AS total
          FROM model_versions v JOIN models m ON m.id = v.model_id JOIN ml_repos r ON r.id = m.ml_repo_id WHERE ${filter}`
        const rows = yield* sql<VersionRow>`${selectVersion} WHERE ${filter}
          ORDER BY r.name, m.name, v.version DESC LIMIT ${limit} OFFSET ${offset}`
        const tags = yield* tagsOf(rows.map((row) => row.id))
        return new ModelVersion.ModelVersionPage({
          data: rows.map((row) => toModelVersion(row, tags.get(row.id) ?? [])),
          pagination: { total: Number(count?.total ?? 0), offset, limit }
        }, true)
      }).pipe(Effect.catchTag("SqlError", storeError))
    })

    const delete_ = Effect.fn("ModelVersions.delete")(function*(id: ModelVersion.ModelVersionId) {
      yield* transact(Effect.gen(function*() {
        const row = yield* findLive(id)
        if (Option.isNone(row)) return yield* Effect.fail(notFound(id))
        const at = yield* now
        yield* sql`DELETE FROM model_version_tags WHERE model_version_id = ${id}`
        // Only a live row is deleted: of concurrent deletes (PostgreSQL, READ COMMITTED) exactly one succeeds.
        const deleted = yield* sql<{ readonly id: string }>`UPDATE model_versions
          SET deleted_at = ${at}, alias = NULL, alias_key = NULL, revision = revision + 1
          WHERE id = ${id} AND deleted_at IS NULL RETURNING id`
        if (deleted.length === 0) return yield* Effect.fail(notFound(id))
      }))
    })

    const applyTags = Effect.fn("ModelVersions.applyTags")(function*(request: ModelVersions.ApplyTagsRequest) {
      const id = request.model_version_id
      const wanted = new Map<string, string>()
      for (const tag of request.tags) wanted.set(tag.toLowerCase(), tag)
      yield* transact(Effect.gen(function*() {
        const found = yield* findLive(id)
        if (Option.isNone(found)) return yield* Effect.fail(notFound(id))
        const row = found.value
        // PostgreSQL: tag writers of one model queue on its row, so the uniqueness check below cannot race.
        yield* lockModel(row.model_id)
        const keys = [...wanted.keys()]
        const holders = keys.length === 0 ? [] : yield* sql<{ readonly tag: string; readonly version: number; readonly model_version_id: string }>`
          SELECT t.tag, v.version, t.model_version_id FROM model_version_tags t JOIN model_versions v ON v.id = t.model_version_id
          WHERE t.model_id = ${row.model_id} AND ${sql.in("t.tag_key", keys)} AND t.model_version_id <> ${id}`
        if (holders.length > 0 && request.force !== true) {
          const first = holders[0]!
          return yield* Effect.fail(new RegistryError.Conflict({
            reason: "TAG_IN_USE",
            message: `tag "${first.tag}" is held by version ${first.version} of this model; tags are unique within a model, ignoring case; pass force to move it`,
            details: { field: "tags", tag: first.tag, version: first.version }
          }))
        }
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
        if (holders.length > 0) {
          yield* sql`UPDATE model_versions SET revision = revision + 1 WHERE ${sql.in("id", [...new Set(holders.map((h) => h.model_version_id))])}`
        }
        yield* sql`UPDATE model_versions SET revision = revision + 1, updated_at = ${yield* now} WHERE id = ${id}`
      }))
    })

    return ModelVersions.ModelVersions.of({ upsert, get, list, delete: delete_, applyTags })
  })

/**
 * `ModelVersions` on the `SqlClient` provided to it.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<ModelVersions.ModelVersions, RegistryError.StoreError, SqlClient.SqlClient> =>
  Layer.effect(
    ModelVersions.ModelVersions,
    make(options).pipe(
      Effect.catchAllCause((cause) =>
        Effect.logDebug("registry migration failure", cause).pipe(
          Effect.zipRight(Effect.fail(new RegistryError.StoreError({ message: "the registry store could not be opened or migrated" })))
        )
      )
    )
  )

/**
 * Creates a folder and its missing parents one level at a time: Node 20's recursive `mkdir` never returns for some
 * parents that refuse new entries (such as paths under `/proc`), while a plain `mkdir` fails at once.
 */
const ensureFolder = (folder: string): void => {
  const missing: Array<string> = []
  for (let at = resolve(folder); !existsSync(at); at = dirname(at)) missing.unshift(at)
  for (const level of missing) mkdirSync(level)
}

/**
 * `ModelVersions` on a SQLite file (WAL mode, busy timeout 5 s). The file's folder is created when missing;
 * `":memory:"` gives a private in-memory registry.
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (options: Options & { readonly filename: string }): Layer.Layer<ModelVersions.ModelVersions, RegistryError.StoreError> => {
  const cannotOpen = () => new RegistryError.StoreError({ message: `cannot open the registry at ${options.filename}` })
  const client = Layer.unwrapEffect(
    Effect.try({
      try: () => {
        if (options.filename !== ":memory:") ensureFolder(dirname(options.filename))
        return SqliteClient.layer({ filename: options.filename })
      },
      catch: cannotOpen
    })
  ).pipe(Layer.catchAllCause(() => Layer.fail(cannotOpen())))
  return layer(options).pipe(Layer.provide(client))
}

/**
 * Where the embedded SQLite registry lives: `$MREG_HOME/registry.db`, `MREG_HOME` defaulting to `~/.mreg`.
 * @since 0.1.0
 * @category config
 */
export const sqliteFilenameConfig: Config.Config<string> = MregConfig.mregHomeOr(join(homedir(), ".mreg")).pipe(
  Config.map((home) => join(home, "registry.db"))
)

/**
 * The tenant name of FQNs: `MREG_TENANT`, default `"default"`, an FQN segment (`MregConfig.mregTenant`).
 * @since 0.1.0
 * @category config
 */
export const tenantConfig: Config.Config<string> = MregConfig.mregTenant

/**
 * `layerSqlite` configured from `MREG_HOME` and `MREG_TENANT`.
 * @since 0.1.0
 * @category layers
 */
export const layerSqliteConfig = (options: Omit<Options, "tenant"> = {}): Layer.Layer<ModelVersions.ModelVersions, RegistryError.StoreError> =>
  Layer.unwrapEffect(
    Effect.map(
      Effect.all({ filename: sqliteFilenameConfig, tenant: tenantConfig }).pipe(Effect.orDie),
      ({ filename, tenant }) => layerSqlite({ ...options, filename, tenant })
    )
  )

/**
 * `ModelVersions` on PostgreSQL (`postgres://user:pass@host:port/db`; the URL is a secret and is never logged).
 * Several proxies may share one database: version allocation, aliases, tags and idempotency keys stay atomic
 * across them.
 * @since 0.1.0
 * @category layers
 */
export const layerPg = (options: Options & { readonly url: Redacted.Redacted<string> }): Layer.Layer<ModelVersions.ModelVersions, RegistryError.StoreError> =>
  layer(options).pipe(
    Layer.provide(
      PgClient.layer({ url: options.url, applicationName: "mreg", maxConnections: 16 }).pipe(
        Layer.catchAllCause(() =>
          Layer.fail(new RegistryError.StoreError({ message: "cannot connect to the PostgreSQL registry (DATABASE_URL)" }))
        )
      )
    )
  )

/**
 * The PostgreSQL URL of a shared registry: `DATABASE_URL` (Redacted, `postgres://` or `postgresql://`), if set (`MregConfig.databaseUrl`).
 * @since 0.1.0
 * @category config
 */
export const databaseUrlConfig: Config.Config<Option.Option<Redacted.Redacted<string>>> = MregConfig.databaseUrl

/**
 * The embedded registry chosen by the environment: PostgreSQL when `DATABASE_URL` is set, otherwise SQLite at
 * `$MREG_HOME/registry.db`; FQN tenant from `MREG_TENANT`.
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (options: Omit<Options, "tenant"> = {}): Layer.Layer<ModelVersions.ModelVersions, RegistryError.StoreError> =>
  Layer.unwrapEffect(
    Effect.map(
      Effect.all({ url: databaseUrlConfig, filename: sqliteFilenameConfig, tenant: tenantConfig }).pipe(Effect.orDie),
      ({ filename, tenant, url }) =>
        Option.isSome(url) ? layerPg({ ...options, url: url.value, tenant }) : layerSqlite({ ...options, filename, tenant })
    )
  )
