/**
 * What `mreg` prints: the wire JSON (default) or a readable table, and the `cli/Output` service that writes to
 * stdout and stderr.
 *
 * JSON output is exactly the API's 2xx body, encoded with the core schemas and indented by 2 spaces:
 * `{"data": ModelVersion}` (upsert, get), `{"data": [...], "pagination": {...}}` (list), `{}` (delete, tag).
 *
 * @since 0.1.0
 */
import { ModelVersion } from "@mreg/core"
import { Console, Effect, Schema } from "effect"

/**
 * Output formats of `--output`.
 * @since 0.1.0
 * @category constants
 */
export const FORMATS = ["json", "table"] as const

/**
 * `json` (the wire body) or `table` (for people).
 * @since 0.1.0
 * @category models
 */
export type Format = (typeof FORMATS)[number]

const encodeResponse = Schema.encodeSync(ModelVersion.ModelVersionResponse)
const encodePage = Schema.encodeSync(ModelVersion.ModelVersionPage)

const json = (value: unknown): string => JSON.stringify(value, null, 2)

/**
 * `{"data": ModelVersion}` as indented JSON.
 * @since 0.1.0
 * @category rendering
 */
export const modelVersionJson = (modelVersion: ModelVersion.ModelVersion): string =>
  json(encodeResponse(new ModelVersion.ModelVersionResponse({ data: modelVersion }, true)))

/**
 * `{"data": ModelVersion[], "pagination": {total, offset, limit}}` as indented JSON.
 * @since 0.1.0
 * @category rendering
 */
export const pageJson = (page: ModelVersion.ModelVersionPage): string => json(encodePage(page))

/**
 * The empty body `{}` of delete and tag.
 * @since 0.1.0
 * @category rendering
 */
export const emptyJson = "{}"

const orDash = (value: string | undefined): string => (value === undefined || value.length === 0 ? "-" : value)

const describeSource = (source: ModelVersion.ModelVersion["manifest"]["source"]): string => {
  switch (source.type) {
    case "local":
      return `local ${source.file_or_folder}`
    case "external":
      return `external ${source.uri}`
    default:
      return source.uri === undefined ? "truefoundry" : `truefoundry ${source.uri}`
  }
}

const describeFramework = (framework: ModelVersion.ModelVersion["manifest"]["framework"]): string => {
  if (framework === undefined) return "-"
  const details = Object.entries(framework)
    .filter(([key, value]) => key !== "type" && key !== "model_schema" && typeof value === "string")
    .map(([key, value]) => `${key}=${String(value)}`)
  return details.length === 0 ? framework.type : `${framework.type} (${details.join(", ")})`
}

/**
 * Extra facts shown by the key/value table: the ETag, and for upsert whether the version was created, updated or
 * replayed from an earlier request with the same idempotency key.
 * @since 0.1.0
 * @category models
 */
export interface Extras {
  readonly etag?: string | undefined
  readonly status?: "created" | "updated" | "replayed" | undefined
}

const keyValues = (rows: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(...rows.map(([key]) => key.length)) + 2
  return rows.map(([key, value]) => `${`${key}:`.padEnd(width)}${value}`).join("\n")
}

/**
 * A model version as aligned `Key: value` lines.
 * @since 0.1.0
 * @category rendering
 */
export const modelVersionTable = (modelVersion: ModelVersion.ModelVersion, extras: Extras = {}): string => {
  const m = modelVersion.manifest
  const subject = modelVersion.created_by_subject
  const rows: Array<readonly [string, string]> = [
    ["ID", modelVersion.id],
    ["FQN", modelVersion.fqn],
    ["Version", String(m.version ?? "-")],
    ["Alias", orDash(m.version_alias)],
    ["ML repo", m.ml_repo],
    ["Name", m.name],
    ["Description", orDash(m.description)],
    ["Source", describeSource(m.source)],
    ["Framework", describeFramework(m.framework)],
    ["Python", orDash(m.environment?.python_version)],
    ["Packages", orDash(m.environment?.pip_packages?.join(", "))],
    ["Step", String(m.step ?? "-")],
    ["Run ID", orDash(m.run_id)],
    ["Tags", orDash(modelVersion.tags.join(", "))],
    ["Deployable", String(modelVersion.deployable)],
    ["Created by", `${subject.subjectId} (${subject.subjectType})`],
    ["Created", modelVersion.created_at],
    ["Updated", modelVersion.updated_at]
  ]
  if (extras.etag !== undefined) rows.push(["ETag", extras.etag])
  if (extras.status !== undefined) rows.push(["Status", extras.status])
  return keyValues(rows)
}

/**
 * Rows as columns padded to their widest cell, separated by two spaces (no trailing spaces).
 * @since 0.1.0
 * @category rendering
 */
export const columns = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)))
  return [header, ...rows]
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd())
    .join("\n")
}

/**
 * A page of model versions as a table `FQN VERSION ALIAS TAGS CREATED`, then a line `N of TOTAL (offset O, limit L)`.
 * @since 0.1.0
 * @category rendering
 */
export const pageTable = (page: ModelVersion.ModelVersionPage): string => {
  const rows = page.data.map((mv) => [
    mv.fqn,
    String(mv.manifest.version ?? "-"),
    orDash(mv.manifest.version_alias),
    orDash(mv.tags.join(",")),
    mv.created_at
  ])
  const { limit, offset, total } = page.pagination
  return `${columns(["FQN", "VERSION", "ALIAS", "TAGS", "CREATED"], rows)}\n` +
    `${page.data.length} of ${total} (offset ${offset}, limit ${limit})`
}

/**
 * Writes lines to stdout (results) and stderr (errors and notes).
 * @since 0.1.0
 * @category services
 */
export class Output extends Effect.Service<Output>()("cli/Output", {
  succeed: {
    /** Prints `text` and a newline to stdout. */
    stdout: (text: string): Effect.Effect<void> => Console.log(text),
    /** Prints `text` and a newline to stderr. */
    stderr: (text: string): Effect.Effect<void> => Console.error(text)
  }
}) {}
