/**
 * The history of a model version: one event per write, oldest first (`GET {prefix}/model-versions/{id}/history`,
 * an mreg extension).
 *
 * Wire shape: `{id, model_version_id, revision, type, subject, at, changes: [{path, before?, after?}]}`.
 * - `type`: `created`, `updated` (an upsert of an existing version), `tags_applied` (its tags were set, or a tag was
 *   moved away from it by a forced tag on another version) or `deleted` (by id, by manifest, or with its model);
 * - `revision`: the version's revision after the write (1 for `created`); every revision has exactly one event, so
 *   a version's history holds revisions 1..N without gaps;
 * - `subject`: who wrote (the `Subject` of `created_by_subject`); `at`: when (the `created_at` format);
 * - `changes`: one entry per changed field, `before` absent when the field was not set, `after` absent when it was
 *   cleared. `created` lists the fields set (`after` only), `deleted` the fields' last values (`before` only), both
 *   at the top level and without empty values (`{}` metadata, no tags); `updated` compares nested objects key by key (`metadata.accuracy`, `framework.pipeline_tag`)
 *   and lists nothing when nothing changed (an identical PUT still makes a revision); `tags_applied` has one entry
 *   at `tags`. The fields are the manifest's, without the version's identity (`type`, `ml_repo`, `name`,
 *   `version`), plus `tags`.
 *
 * Paths ({@link formatPath}): the keys from the version's wire fields joined by `.`; a key that is not a plain name
 * (`[A-Za-z_][A-Za-z0-9_-]*`), such as one holding a dot, a space or a quote, is written as a JSON string:
 * `metadata."top.k"`, `metadata."eval set"`.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { classAnnotations } from "./internal/annotations.js"
import { ModelVersionId, Pagination, Subject, Timestamp } from "./ModelVersion.js"

/**
 * The kinds of write: `created`, `updated`, `tags_applied`, `deleted`.
 * @since 0.2.0
 * @category constants
 */
export const EVENT_TYPES = ["created", "updated", "tags_applied", "deleted"] as const

/**
 * One of {@link EVENT_TYPES}.
 * @since 0.2.0
 * @category schemas
 */
export const EventType = Schema.Literal(...EVENT_TYPES).annotations({
  identifier: "ModelVersionEventType",
  description: "The kind of write: created, updated, tags_applied or deleted."
})

/** @since 0.2.0 @category models */
export type EventType = typeof EventType.Type

/** A field's value as on the wire: any JSON value. */
const FieldValue = Schema.Unknown.annotations({
  identifier: "ModelVersionFieldValue",
  title: "Field value",
  description: "A field's value as on the wire: any JSON value."
})

/**
 * One changed field: `{path, before?, after?}` (values as on the wire; absent = not set).
 * @since 0.2.0
 * @category schemas
 */
export const Change = Schema.Struct({
  path: Schema.String.annotations({
    description: "Dotted field path (metadata.accuracy); a key that is not a plain name is a JSON string (metadata.\"top.k\")."
  }),
  before: Schema.optional(FieldValue),
  after: Schema.optional(FieldValue)
}).annotations({
  identifier: "ModelVersionChange",
  title: "Change",
  description: "One changed field of a model version: before is absent when the field was not set, after when it was cleared.",
  examples: [{ path: "metadata.accuracy", before: 0.91, after: 0.93 }]
})

/** @since 0.2.0 @category models */
export interface Change extends Schema.Schema.Type<typeof Change> {}

const EVENT_EXAMPLE = {
  id: "3e0c7a52-6f1b-4d2e-9c8a-1b2d3e4f5a6b",
  model_version_id: ModelVersionId.make("0b7e5c3a-3f1d-4c55-9a7e-2f4f1c2d8e91"),
  revision: 2,
  type: "updated" as const,
  subject: { subjectId: "ci-bot", subjectType: "serviceaccount", subjectSlug: "ci-bot" },
  at: "2024-06-02T08:30:00.000Z",
  changes: [{ path: "metadata.accuracy", before: 0.91, after: 0.93 }]
}

/**
 * One write to a model version. Fields it does not know (from an upstream) are kept.
 * @since 0.2.0
 * @category schemas
 */
export class ModelVersionEvent extends Schema.Class<ModelVersionEvent>("ModelVersionEvent")({
  id: Schema.String,
  model_version_id: ModelVersionId,
  revision: Schema.Int,
  type: EventType,
  subject: Subject,
  at: Timestamp,
  changes: Schema.Array(Change)
}, classAnnotations("Model version event", "One write to a model version: who, when, and the fields it changed.", EVENT_EXAMPLE)) {}

/**
 * `{"data": ModelVersionEvent[], "pagination"}`, oldest first.
 * @since 0.2.0
 * @category schemas
 */
export class HistoryPage extends Schema.Class<HistoryPage>("HistoryPage")({
  data: Schema.Array(ModelVersionEvent),
  pagination: Pagination
}, classAnnotations("History page", "One page of a model version's history, oldest first.", {
  data: [EVENT_EXAMPLE],
  pagination: { total: 1, offset: 0, limit: 100 }
})) {}

/**
 * Paging of `history`: `limit` 1–1000 (default 100), `offset` ≥ 0 (default 0).
 * @since 0.2.0
 * @category models
 */
export interface HistoryQuery {
  readonly limit?: number | undefined
  readonly offset?: number | undefined
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/

/**
 * A field path from its keys: plain names (`[A-Za-z_][A-Za-z0-9_-]*`) as they are, any other key as a JSON string,
 * joined by `.` (`["metadata", "top.k"]` → `metadata."top.k"`).
 * @since 0.2.0
 * @category formatting
 */
export const formatPath = (keys: ReadonlyArray<string>): string =>
  keys.map((key) => (PLAIN_KEY.test(key) ? key : JSON.stringify(key))).join(".")

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]))
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameValue(a[key], b[key]))
  }
  return false
}

const change = (keys: ReadonlyArray<string>, before: unknown, after: unknown): Change => ({
  path: formatPath(keys),
  ...(before === undefined ? {} : { before }),
  ...(after === undefined ? {} : { after })
})

/**
 * The changes from `before` to `after` (wire fields; `undefined` = absent): objects on both sides are compared key by
 * key (the path grows), anything else is one change when it differs (arrays as a whole; key order never counts). Keys
 * in `before`'s order, then those only `after` has.
 * @since 0.2.0
 * @category diffing
 */
export const diff = (
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  prefix: ReadonlyArray<string> = []
): Array<Change> => {
  const changes: Array<Change> = []
  const keys = [...Object.keys(before), ...Object.keys(after).filter((key) => !(key in before))]
  for (const key of keys) {
    const [was, is] = [before[key], after[key]]
    if (isObject(was) && isObject(is)) changes.push(...diff(was, is, [...prefix, key]))
    else if (!sameValue(was, is)) changes.push(change([...prefix, key], was, is))
  }
  return changes
}

const isEmpty = (value: unknown): boolean =>
  Array.isArray(value) ? value.length === 0 : isObject(value) && Object.keys(value).length === 0

/**
 * The top-level changes of a version that appears (`created`: every field set, `after` only) or goes away
 * (`deleted`: every field's last value, `before` only). Empty values (`{}` metadata, `[]` tags) are left out.
 * @since 0.2.0
 * @category diffing
 */
export const fieldsSet = (fields: Readonly<Record<string, unknown>>, side: "before" | "after"): Array<Change> =>
  Object.entries(fields)
    .filter(([, value]) => value !== undefined && !isEmpty(value))
    .map(([key, value]) => (side === "after" ? change([key], undefined, value) : change([key], value, undefined)))
