/**
 * What `mreg` prints: the wire JSON (default), the same body as YAML, or a readable table; and the `cli/Output`
 * service that writes to stdout and stderr, with colour only where it belongs.
 *
 * JSON output is exactly the API's 2xx body, encoded with the core schemas and indented by 2 spaces:
 * `{"data": ModelVersion}` (upsert, get), `{"data": [...], "pagination": {...}}` (list), `{}` (delete, tag).
 * YAML output is the same body as a YAML document (strings that YAML would read as numbers, such as
 * `python_version: "3.10"`, are quoted).
 *
 * Colour: a stream is coloured only when it is a terminal and `NO_COLOR` is unset or empty. JSON and YAML output are
 * never coloured.
 *
 * @since 0.1.0
 */
import { ModelManifest, ModelVersion, type ModelVersionEvent } from "@mreg/core"
import * as ConsoleColor from "@mreg/core/ConsoleColor"
import { Effect, Schema } from "effect"
import { stringify as yamlStringify } from "yaml"
import * as Style from "./internal/style.js"

/**
 * Output formats of `--output`.
 * @since 0.1.0
 * @category constants
 */
export const FORMATS = ["json", "yaml", "table"] as const

/**
 * `json` (the wire body), `yaml` (the same body as YAML) or `table` (for people).
 * @since 0.1.0
 * @category models
 */
export type Format = (typeof FORMATS)[number]

/**
 * Colour styles for one output stream (see the module notes): escape codes, or none.
 * @since 0.1.0
 * @category models
 */
export type Palette = Style.Style

/**
 * The palette that adds no escape codes.
 * @since 0.1.0
 * @category constants
 */
export const plain: Palette = Style.plain

/**
 * The palette that colours.
 * @since 0.1.0
 * @category constants
 */
export const colored: Palette = Style.colored

// Made on first use: the bundle evaluates `ModelVersion` only when a command prints one (see build.mjs, `lazyModules`).
const encodeResponse = (response: ModelVersion.ModelVersionResponse) => Schema.encodeSync(ModelVersion.ModelVersionResponse)(response)
const encodeManifest = Schema.encodeSync(ModelManifest.ModelManifest)
const encodePage = (page: ModelVersion.ModelVersionPage) => Schema.encodeSync(ModelVersion.ModelVersionPage)(page)

const json = (value: unknown): string => JSON.stringify(value, null, 2)

/**
 * A JSON value as a YAML document, without a trailing newline. Long strings are never folded, and strings YAML
 * would read as another type (`"3.10"`, `"true"`, `"0042"`) are quoted.
 * @since 0.1.0
 * @category rendering
 */
export const yaml = (value: unknown): string => yamlStringify(value, { lineWidth: 0 }).trimEnd()

/**
 * A JSON value in an output format that is not `table`: indented JSON or YAML.
 * @since 0.1.0
 * @category rendering
 */
export const data = (format: Exclude<Format, "table">, value: unknown): string =>
  format === "json" ? json(value) : yaml(value)

/**
 * `{"data": ModelVersion}` as plain JSON values (what `modelVersionJson` prints).
 * @since 0.1.0
 * @category rendering
 */
export const modelVersionBody = (modelVersion: ModelVersion.ModelVersion): unknown =>
  encodeResponse(new ModelVersion.ModelVersionResponse({ data: modelVersion }, true))

/**
 * The stored manifest of a model version as the file `mreg upsert -f` reads: a YAML document
 * `manifest: {type, name, ml_repo, version, …}` (what `mreg get -o manifest` prints, the shape `mreg init` writes).
 * `version` is the stored number, so upserting the file unchanged updates that version and changes nothing.
 * @since 0.2.0
 * @category rendering
 */
export const manifestYaml = (modelVersion: ModelVersion.ModelVersion): string =>
  yaml({ manifest: encodeManifest(modelVersion.manifest) })

/**
 * `{"data": ModelVersion[], "pagination"}` as plain JSON values (what `pageJson` prints).
 * @since 0.1.0
 * @category rendering
 */
export const pageBody = (page: ModelVersion.ModelVersionPage): unknown => encodePage(page)

/**
 * `{"data": ModelVersion}` as indented JSON.
 * @since 0.1.0
 * @category rendering
 */
export const modelVersionJson = (modelVersion: ModelVersion.ModelVersion): string => json(modelVersionBody(modelVersion))

/**
 * `{"data": ModelVersion[], "pagination": {total, offset, limit}}` as indented JSON.
 * @since 0.1.0
 * @category rendering
 */
export const pageJson = (page: ModelVersion.ModelVersionPage): string => json(pageBody(page))

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
 * Extra facts shown by the key/value table: the ETag; for upsert and update whether the version was created,
 * updated, replayed from an earlier request with the same idempotency key, or left unchanged (`mreg update` with
 * nothing to change writes nothing); the fields `mreg update` changed (`changed`, paths such as
 * `metadata.accuracy`) and the fields an update cleared (`cleared`, top-level fields such as `version_alias`).
 * @since 0.1.0
 * @category models
 */
export interface Extras {
  readonly etag?: string | undefined
  readonly status?: "created" | "updated" | "replayed" | "unchanged" | undefined
  readonly changed?: ReadonlyArray<string> | undefined
  readonly cleared?: ReadonlyArray<string> | undefined
}

/**
 * Aligned `Key: value` lines (keys in bold with a colour palette).
 * @since 0.2.0
 * @category rendering
 */
export const keyValues = (rows: ReadonlyArray<readonly [string, string]>, style: Palette): string => {
  const width = Math.max(...rows.map(([key]) => key.length)) + 2
  return rows.map(([key, value]) => `${style.bold(`${key}:`)}${" ".repeat(width - key.length - 1)}${value}`).join("\n")
}

/**
 * A model version as aligned `Key: value` lines (keys in bold with a colour palette).
 * @since 0.1.0
 * @category rendering
 */
export const modelVersionTable = (
  modelVersion: ModelVersion.ModelVersion,
  extras: Extras = {},
  style: Palette = plain
): string => {
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
  if (extras.changed !== undefined) rows.push(["Changed", orDash(extras.changed.join(", "))])
  if (extras.cleared !== undefined) rows.push(["Cleared", orDash(extras.cleared.join(", "))])
  return keyValues(rows, style)
}

/**
 * Rows as columns padded to their widest cell, separated by two spaces (no trailing spaces); the header line in
 * bold with a colour palette.
 * @since 0.1.0
 * @category rendering
 */
export const columns = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  style: Palette = plain
): string => {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)))
  const lines = [header, ...rows]
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd())
  return [style.bold(lines[0]!), ...lines.slice(1)].join("\n")
}

/**
 * A page of model versions as a table `ID FQN VERSION ALIAS TAGS CREATED`, then a line
 * `N of TOTAL (offset O, limit L)` (header in bold and the count line dim with a colour palette). The id comes first,
 * so `awk '{print $1}'` gives the ids (`mreg get`, `update`, `tag` and `delete` take either the id or the FQN).
 * @since 0.1.0
 * @category rendering
 */
export const pageTable = (page: ModelVersion.ModelVersionPage, style: Palette = plain): string => {
  const rows = page.data.map((mv) => [
    mv.id,
    mv.fqn,
    String(mv.manifest.version ?? "-"),
    orDash(mv.manifest.version_alias),
    orDash(mv.tags.join(",")),
    mv.created_at
  ])
  return `${columns(["ID", "FQN", "VERSION", "ALIAS", "TAGS", "CREATED"], rows, style)}\n${countLine(page, style)}`
}

/** `N of TOTAL (offset O, limit L)` under a page's table, dim with a colour palette. */
const countLine = (page: { readonly data: ReadonlyArray<unknown>; readonly pagination: ModelVersion.Pagination }, style: Palette) =>
  style.dim(`${page.data.length} of ${page.pagination.total} (offset ${page.pagination.offset}, limit ${page.pagination.limit})`)

const MAX_VALUE = 60

/** A value of a change as compact JSON, cut to 60 characters with `…`. */
const compact = (value: unknown): string => {
  const text = JSON.stringify(value)
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text
}

/** One change: `+ path = after` (set), `- path = before` (cleared), `~ path: before → after` (changed). */
const describeChange = (change: ModelVersionEvent.Change): string =>
  change.before === undefined
    ? `+ ${change.path} = ${compact(change.after)}`
    : change.after === undefined
    ? `- ${change.path} = ${compact(change.before)}`
    : `~ ${change.path}: ${compact(change.before)} → ${compact(change.after)}`

/**
 * A page of a version's history as a table `REV WHEN WHO EVENT CHANGE`, one line per change (`+ path = value` set,
 * `- path = value` cleared, `~ path: before → after` changed; values as JSON, cut at 60 characters; `(no change)`
 * for an update that changed nothing), then `N of TOTAL (offset O, limit L)`. WHO is the subject's slug, else its id.
 * @since 0.2.0
 * @category rendering
 */
export const historyTable = (page: ModelVersionEvent.HistoryPage, style: Palette = plain): string => {
  const rows = page.data.flatMap((event) => {
    const changes = event.changes.length === 0 ? ["(no change)"] : event.changes.map(describeChange)
    const who = event.subject.subjectSlug ?? event.subject.subjectId
    return changes.map((change, i) => (i === 0 ? [String(event.revision), event.at, who, event.type, change] : ["", "", "", "", change]))
  })
  return `${columns(["REV", "WHEN", "WHO", "EVENT", "CHANGE"], rows, style)}\n${countLine(page, style)}`
}

/**
 * Whether stdout and stderr get colour (core's `ConsoleColor`: each must be a terminal, and `NO_COLOR` unset or
 * empty), and the console that removes `@effect/cli`'s escape codes where colour is off.
 * @since 0.1.0
 * @category models
 */
export { type ColorSupport, colorSupport, terminalConsole } from "@mreg/core/ConsoleColor"

/**
 * Writes lines to stdout (results) and stderr (errors and notes), and says which of the two gets colour.
 * @since 0.1.0
 * @category services
 */
export class Output extends Effect.Service<Output>()("cli/Output", {
  // The console of the fiber that builds the service: `Cli.run` silences `@effect/cli`'s own printing around the
  // commands, never theirs.
  effect: Effect.zipWith(ConsoleColor.colorSupport, Effect.console, (support, console) => ({
    /** Prints `text` and a newline to stdout. */
    stdout: (text: string): Effect.Effect<void> => console.log(text),
    /** Prints `text` and a newline to stderr. */
    stderr: (text: string): Effect.Effect<void> => console.error(text),
    /** The palette of stdout: colours only when stdout is a terminal and `NO_COLOR` is unset. */
    stdoutStyle: Style.of(support.stdout) as Palette,
    /** The palette of stderr: colours only when stderr is a terminal and `NO_COLOR` is unset. */
    stderrStyle: Style.of(support.stderr) as Palette
  }))
}) {}
