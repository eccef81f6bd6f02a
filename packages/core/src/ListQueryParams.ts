/**
 * The query parameters of `GET {prefix}/model-versions` (as the contract's `ListUrlParams` decoded them), validated
 * into a `ListQuery`; those of `GET {prefix}/models` into a `Model.ListQuery` ({@link decodeModels}).
 *
 * - `fqn`, `ml_repo_id`, `ml_repo`, `model_id`, `name`, `tag`, `page_token`: text, not empty; `fqn` must parse as a
 *   model FQN or a model version FQN (`…:latest` included); `page_token` must be a `pagination.next_page_token` of
 *   an earlier answer (`PageToken`); `filter` (also on models) must parse by the filter language (`Filter`): a bad
 *   one is reported with its column, e.g. `column 17: expected a value after ">=", found end of input`;
 * - `version` (1 to 2^31 − 1, or `latest`), `limit` (1–1000), `offset` (≥ 0): decimal integers;
 * - `run_ids`, `run_steps`: repeated (`run_ids=a&run_ids=b`) or comma-separated (`run_ids=a,b`); steps are
 *   integers ≥ 0;
 * - any other parameter is ignored (clients of TrueFoundry's API may send more).
 *
 * Every problem is reported at once as a 422 `ValidationError` with `loc` `["query", <name>]`. Used by servers of
 * the contract (`mreg-proxy`).
 *
 * @since 0.1.0
 */
import { Either, type ParseResult, Schema } from "effect"
import * as Fqn from "./Fqn.js"
import * as Model from "./Model.js"
import { MAX_INTEGER } from "./ModelManifest.js"
import type { HistoryQuery } from "./ModelVersionEvent.js"
import * as ModelVersions from "./ModelVersions.js"
import type * as RegistryApi from "./RegistryApi.js"
import * as RegistryError from "./RegistryError.js"
import * as Validation from "./Validation.js"

const TEXT = ["fqn", "ml_repo_id", "ml_repo", "model_id", "name", "tag", "page_token", "filter"] as const
const INTEGERS = ["version", "limit", "offset"] as const

const decodeListQuery = Schema.decodeUnknownEither(ModelVersions.ListQuery, { errors: "all", onExcessProperty: "ignore" })

const issue = (field: string, msg: string, type = "value_error") =>
  new RegistryError.ValidationIssue({ loc: ["query", field], msg, type })

const digits = /^(?:0|[1-9]\d*)$/
/** A decimal integer the store can hold (at most `MAX_INTEGER`). */
const integer = { test: (text: string) => digits.test(text) && Number(text) <= MAX_INTEGER }

/**
 * Validates query parameters into a `ListQuery`. Fails with a `ValidationError` listing every bad parameter.
 * @since 0.1.0
 * @category decoding
 */
export const decode = (
  params: typeof RegistryApi.ListUrlParams.Type
): Either.Either<ModelVersions.ListQuery, RegistryError.ValidationError> => {
  const issues: Array<RegistryError.ValidationIssue> = []
  const out: Record<string, unknown> = {}
  readText(params, TEXT, issues, out)
  if (typeof out.fqn === "string") {
    const parsed = Fqn.parse(out.fqn)
    if (Either.isLeft(parsed)) issues.push(issue("fqn", parsed.left.message))
  }
  readIntegers(params, INTEGERS, issues, out)
  const list = (field: "run_ids" | "run_steps"): Array<string> | undefined => {
    const value = params[field]
    if (value === undefined) return undefined
    return (typeof value === "string" ? [value] : value).flatMap((part) => part.split(",")).map((part) => part.trim()).filter((part) => part.length > 0)
  }
  const runIds = list("run_ids")
  if (runIds !== undefined) out.run_ids = runIds
  const runSteps = list("run_steps")
  if (runSteps !== undefined) {
    const bad = runSteps.filter((step) => !integer.test(step))
    if (bad.length > 0) {
      issues.push(issue("run_steps", `must be whole numbers from 0 to ${MAX_INTEGER}, comma-separated or repeated (received ${bad.map((b) => JSON.stringify(b)).join(", ")})`, "type_error"))
    } else {
      out.run_steps = runSteps.map(Number)
    }
  }
  return finish(decodeListQuery(out), issues)
}

type Issues = Array<RegistryError.ValidationIssue>

/** Text parameters: kept when not empty. */
const readText = <K extends string>(params: { readonly [P in K]?: string | undefined }, fields: ReadonlyArray<K>, issues: Issues, out: Record<string, unknown>) => {
  for (const field of fields) {
    const value = params[field]
    if (value === undefined) continue
    if (value.length === 0) issues.push(issue(field, "must not be empty"))
    else out[field] = value
  }
}

/** Decimal integer parameters the store can hold. */
const readIntegers = <K extends string>(params: { readonly [P in K]?: string | undefined }, fields: ReadonlyArray<K>, issues: Issues, out: Record<string, unknown>) => {
  for (const field of fields) {
    const value = params[field]
    if (value === undefined) continue
    // `version` also takes `latest`: the highest live version of each model.
    const latest = field === "version"
    if (latest && value === Fqn.LATEST) out[field] = value
    else if (integer.test(value)) out[field] = Number(value)
    else if (digits.test(value)) issues.push(issue(field, `must be at most ${MAX_INTEGER} (received ${JSON.stringify(value.slice(0, 32))})`))
    else issues.push(issue(field, `must be a whole number written in digits${latest ? " or latest" : ""} (received ${JSON.stringify(value)})`, "type_error"))
  }
}

/** The query when the schema accepts it and no parameter had a problem; else every problem at once. */
const finish = <A>(decoded: Either.Either<A, ParseResult.ParseError>, issues: Issues): Either.Either<A, RegistryError.ValidationError> => {
  if (Either.isLeft(decoded)) issues.push(...Validation.fromParseError(decoded.left, ["query"]).detail)
  if (issues.length > 0) return Either.left(new RegistryError.ValidationError({ detail: issues }))
  return Either.right(decoded.pipe(Either.getOrThrow))
}

const MODEL_TEXT = ["fqn", "ml_repo_id", "ml_repo", "name", "run_id", "page_token", "filter"] as const
const MODEL_INTEGERS = ["limit", "offset"] as const
const TRUE = new Set(["true", "1", "yes", "on"])
const FALSE = new Set(["false", "0", "no", "off"])

const decodeModelListQuery = Schema.decodeUnknownEither(Model.ListQuery, { errors: "all", onExcessProperty: "ignore" })

/**
 * Validates the query parameters of `GET {prefix}/models` into a `Model.ListQuery`, by the same rules as
 * {@link decode}: no text may hold a NUL character (U+0000); `fqn` must be a model FQN (or a version FQN, which names
 * its model); `page_token` must be a `pagination.next_page_token` of an earlier model list
 * (`PageToken.ModelPageToken`); `include_empty_models` is `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`, any
 * case, as FastAPI reads booleans). Fails with a `ValidationError` listing every bad parameter.
 * @since 0.2.0
 * @category decoding
 */
export const decodeModels = (
  params: typeof Model.ListUrlParams.Type
): Either.Either<Model.ListQuery, RegistryError.ValidationError> => {
  const issues: Issues = []
  const out: Record<string, unknown> = {}
  readText(params, MODEL_TEXT, issues, out)
  if (typeof out.fqn === "string") {
    const parsed = Model.parseFqn(out.fqn)
    if ("message" in parsed) issues.push(issue("fqn", parsed.message))
  }
  readIntegers(params, MODEL_INTEGERS, issues, out)
  const flag = params.include_empty_models
  if (flag !== undefined) {
    const lower = flag.toLowerCase()
    if (TRUE.has(lower)) out.include_empty_models = true
    else if (FALSE.has(lower)) out.include_empty_models = false
    else issues.push(issue("include_empty_models", `must be true or false (received ${JSON.stringify(flag.slice(0, 32))})`, "type_error"))
  }
  return finish(decodeModelListQuery(out), issues)
}

const HISTORY_INTEGERS = ["limit", "offset"] as const

const decodeHistoryQuery = Schema.decodeUnknownEither(
  Schema.Struct({ limit: ModelVersions.ListQuery.fields.limit, offset: ModelVersions.ListQuery.fields.offset }),
  { errors: "all", onExcessProperty: "ignore" }
)

/**
 * Validates the query parameters of `GET {prefix}/model-versions/{id}/history` (`limit` 1–1000, `offset` ≥ 0,
 * decimal integers) into a `ModelVersionEvent.HistoryQuery`. Fails with a `ValidationError` listing every bad
 * parameter at `["query", <name>]`.
 * @since 0.2.0
 * @category decoding
 */
export const decodeHistory = (
  params: typeof RegistryApi.HistoryUrlParams.Type
): Either.Either<HistoryQuery, RegistryError.ValidationError> => {
  const issues: Issues = []
  const out: Record<string, unknown> = {}
  readIntegers(params, HISTORY_INTEGERS, issues, out)
  return finish(decodeHistoryQuery(out), issues)
}
