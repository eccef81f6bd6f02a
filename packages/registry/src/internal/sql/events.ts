/**
 * The history of model versions: `appendEvents`, the one writer of `model_version_events`, called inside the
 * transaction of every write (create, update, tags applied, delete by id or manifest, a model's delete), and
 * `history`, the read. Rows are never updated or deleted.
 * @internal
 */
import { type SqlClient, SqlSchema, type Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { ModelManifest, type ModelVersion, ModelVersionEvent, ModelVersions, RegistryError } from "@mreg/core"
import { Effect, Option, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { traced } from "@mreg/core/Telemetry"
import { payloadOf } from "../webhooks/outbox.js"
import { insertOne, type InsertRow } from "./prepared.js"
import { decoded, type makeQueries, notFound, paginationOf, storable, visibleMlRepos } from "./queries.js"
import { Count, encodeManifest, SubjectJson, toModelVersion, type VersionRow } from "./rows.js"
import { type Store, storeError } from "./store.js"

/**
 * One event to append, with what a scoped read and a subscriber need beyond the wire event: the version's ML repo
 * (name) and model id, and the version a webhook carries when the write has it at hand (after the write; for
 * `deleted`, before it — the only case it must be given, its row being gone or cleared).
 */
export interface EventRecord {
  readonly event: ModelVersionEvent.ModelVersionEvent
  readonly mlRepo: string
  readonly modelId: string
  readonly modelVersion?: ModelVersion.ModelVersion | undefined
}

const IDENTITY = new Set(["type", "name", "ml_repo", "version"])
const FIELDS = Object.keys(ModelManifest.ModelManifest.fields).filter((key) => !IDENTITY.has(key))

/**
 * The fields a version's history compares: the manifest's without the version's identity, then its tags; every key
 * present (`undefined` when not set), in schema order, so changes list in that order.
 */
export const fieldsOf = (manifest: ModelManifest.ModelManifest, tags: ReadonlyArray<string>): Record<string, unknown> => {
  const wire = encodeManifest(manifest) as Record<string, unknown>
  return { ...Object.fromEntries(FIELDS.map((key) => [key, wire[key]])), tags }
}

/** The event of a write to `row` (its id, ML repo and model), at `revision` after the write. */
export const eventOf = (
  row: Pick<VersionRow, "id" | "ml_repo_name" | "model_id">,
  fields: {
    readonly type: ModelVersionEvent.EventType
    readonly revision: number
    readonly subject: ModelVersion.Subject
    readonly at: string
    readonly changes: ReadonlyArray<ModelVersionEvent.Change>
  },
  modelVersion?: ModelVersion.ModelVersion
): EventRecord => ({
  event: new ModelVersionEvent.ModelVersionEvent({ id: randomUUID(), model_version_id: row.id as ModelVersion.ModelVersionId, ...fields }, true),
  mlRepo: row.ml_repo_name,
  modelId: row.model_id,
  modelVersion
})

/** A version's last state, as the webhook of its `deleted` event carries it; `undefined` without webhooks (not needed). */
export const lastStateOf = (store: Store, row: VersionRow, tags: ReadonlyArray<string>): ModelVersion.ModelVersion | undefined =>
  store.outbox === undefined ? undefined : toModelVersion(store.tenant, row, tags)

/** Who writes: the caller's `ModelVersions.WriteSubject`, else the registry's default subject. */
export const writerOf = (store: Store): Effect.Effect<ModelVersion.Subject> =>
  Effect.map(ModelVersions.WriteSubject, (subject) => subject ?? store.defaultSubject)

/** A version an event names is missing in the write's own transaction: a store failure. */
const missingVersion = () => new RegistryError.StoreError({ message: "the registry store failed; the request was not applied" })

const EventRow = Schema.Struct({
  id: Schema.String,
  model_version_id: Schema.String,
  revision: Schema.Number,
  type: ModelVersionEvent.EventType,
  subject: SubjectJson,
  at: Schema.String,
  changes: Schema.parseJson(Schema.Array(ModelVersionEvent.Change))
})

const HistoryRequest = Schema.Struct({ id: Schema.String, limit: Schema.Number, offset: Schema.Number })

/** The caller's read scope on the events' (or versions') ML repo name column, as SQL conditions. */
const scopedBy = (sql: SqlClient.SqlClient, column: string) =>
  Effect.map(ModelVersions.ReadScope, (scope): ReadonlyArray<Statement.Fragment> => {
    const visible = visibleMlRepos(sql, scope, column)
    return visible === undefined ? [] : [visible]
  })

/** The columns an event writes to `model_version_events`: the one list of both the SQL and the values bound. */
const EVENT_COLUMNS = [
  "id",
  "model_version_id",
  "revision",
  "type",
  "subject",
  "at",
  "changes",
  "ml_repo",
  "model_id",
  "webhook_payload",
  "webhook_subscriptions"
] as const

/** What an event's row keeps for its webhooks: both `null` when no subscription wants the event. */
interface Hooked {
  /** The Standard Webhooks body its deliveries post. */
  readonly payload: string
  /** SQLite: the names of the subscriptions that want it (JSON), queued by the dispatcher (`Writer.listed`). */
  readonly listed: string | null
}

/** An event's row of `model_version_events`, with what it keeps for its webhooks. */
const columnsOf = (
  { event, mlRepo, modelId }: EventRecord,
  hooked: Hooked | null
): InsertRow<typeof EVENT_COLUMNS> => ({
  id: event.id,
  model_version_id: event.model_version_id,
  revision: event.revision,
  type: event.type,
  subject: JSON.stringify(event.subject),
  at: event.at,
  changes: JSON.stringify(event.changes),
  ml_repo: mlRepo,
  model_id: modelId,
  webhook_payload: hooked?.payload ?? null,
  webhook_subscriptions: hooked?.listed ?? null
})

const NOT_HOOKED: ReadonlyArray<Hooked | null> = []

export const makeEvents = (store: Store, queries: ReturnType<typeof makeQueries>) => {
  const { outbox, sql } = store
  const writer = outbox?.writerOn(sql)
  /** One event (what every write but a model's delete appends). */
  const insertEvent = insertOne(sql, "model_version_events", EVENT_COLUMNS)
  const insertRows = (events: ReadonlyArray<EventRecord>, hooked: ReadonlyArray<Hooked | null>) =>
    events.length === 1
      ? insertEvent(columnsOf(events[0]!, hooked[0] ?? null))
      : sql`INSERT INTO model_version_events ${sql.insert(events.map((record, i) => columnsOf(record, hooked[i] ?? null)))}`

  /** The version an event's webhook carries: given by the write, else read in its transaction (after the write). */
  const versionOf = (record: EventRecord) =>
    record.modelVersion !== undefined ? Effect.succeed(record.modelVersion) : Effect.flatMap(
      queries.findLive(record.event.model_version_id),
      Option.match({ onNone: () => Effect.fail(missingVersion()), onSome: queries.load })
    )

  /**
   * Appends `events` to `model_version_events`. The ONE place a write records history: call it inside the write's
   * transaction (`store.transact`), so the events commit or roll back with the change. A second revision event of
   * the same version fails the unique index `(model_version_id, revision)` (and the transaction is retried).
   * Webhooks: an event some subscription wants carries its payload in its row (the model version as of the event),
   * and its deliveries are inserted here too, in the same transaction (on SQLite the row lists the subscriptions and
   * the dispatcher queues the deliveries: `Writer.listed`); without webhooks a write pays nothing more.
   */
  const appendEvents = (events: ReadonlyArray<EventRecord>): Effect.Effect<void, SqlError | RegistryError.StoreError> => {
    if (events.length === 0) return Effect.void
    const wanted = writer === undefined ? [] : events.map((record) => writer.wanted(record.event.type, record.mlRepo))
    if (writer === undefined || wanted.every((names) => names.length === 0)) return Effect.asVoid(insertRows(events, NOT_HOOKED))
    const [only] = events
    if (events.length === 1 && only!.modelVersion !== undefined) {
      // The common case (an upsert, a tag applied): one event, its version at hand; no loops.
      return Effect.zipRight(
        insertEvent(columnsOf(only!, { payload: payloadOf(only!.event, only!.modelVersion), listed: writer.listed(wanted[0]!) })),
        writer.enqueue(only!.event, only!.event.model_version_id, wanted[0]!)
      )
    }
    return Effect.flatMap(
      Effect.forEach(events, (record, i) =>
        wanted[i]!.length === 0 ? Effect.succeed(null) : Effect.map(versionOf(record), (modelVersion): Hooked => ({
          payload: payloadOf(record.event, modelVersion),
          listed: writer.listed(wanted[i]!)
        }))),
      (hooked) =>
        Effect.zipRight(
          insertRows(events, hooked),
          Effect.forEach(events, (record, i) =>
            wanted[i]!.length === 0 ? Effect.void : writer.enqueue(record.event, record.event.model_version_id, wanted[i]!), { discard: true })
        )
    )
  }

  const countRows = SqlSchema.findOne({
    Request: Schema.String,
    Result: Schema.Struct({ total: Count }),
    execute: (id) =>
      Effect.flatMap(scopedBy(sql, "ml_repo"), (scope) =>
        sql`SELECT COUNT(*) AS total FROM model_version_events WHERE ${sql.and([sql`model_version_id = ${id}`, ...scope])}`)
  })
  const pageRows = SqlSchema.findAll({
    Request: HistoryRequest,
    Result: EventRow,
    execute: ({ id, limit, offset }) =>
      Effect.flatMap(scopedBy(sql, "ml_repo"), (scope) =>
        sql`SELECT id, model_version_id, revision, type, subject, at, changes FROM model_version_events
          WHERE ${sql.and([sql`model_version_id = ${id}`, ...scope])} ORDER BY revision LIMIT ${limit} OFFSET ${offset}`)
  })
  /** A version, live or deleted, in the caller's read scope (one written before history was kept has no events). */
  const versionExists = SqlSchema.findOne({
    Request: Schema.String,
    Result: Schema.Struct({ id: Schema.String }),
    execute: (id) =>
      Effect.flatMap(scopedBy(sql, "r.name"), (scope) =>
        sql`SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id JOIN ml_repos r ON r.id = m.ml_repo_id
          WHERE ${sql.and([sql`v.id = ${id}`, ...scope])}`)
  })

  const history = traced("ModelVersions.history", function*(id: ModelVersion.ModelVersionId, query: ModelVersionEvent.HistoryQuery = {}) {
    const limit = query.limit ?? ModelVersions.DEFAULT_LIMIT
    const offset = query.offset ?? 0
    if (!storable(id)) return yield* Effect.fail(notFound(id))
    return yield* Effect.gen(function*() {
      const total = Option.match(yield* decoded(countRows(id)), { onNone: () => 0, onSome: (row) => row.total })
      if (total === 0 && Option.isNone(yield* decoded(versionExists(id)))) return yield* Effect.fail(notFound(id))
      const rows = total <= offset ? [] : yield* decoded(pageRows({ id, limit, offset }))
      return new ModelVersionEvent.HistoryPage({
        data: rows.map((row) => new ModelVersionEvent.ModelVersionEvent(row as ModelVersionEvent.ModelVersionEvent, true)),
        pagination: paginationOf(total, offset, limit, undefined)
      }, true)
    }).pipe(Effect.catchTag("SqlError", storeError))
  })

  return { appendEvents, history }
}
