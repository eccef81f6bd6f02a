/**
 * The error classes of the model-version API and their one {@link Table} (re-exported by `RegistryError`).
 * @internal
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { Schema } from "effect"

/**
 * The one table of the API's errors: for each kind of error, its HTTP `status`, its wire `code` (a `Conflict`
 * sends its `reason` instead), the `mreg` CLI's `exitCode` (0 ok, 1 other, 2 usage/validation, 3 conflict,
 * 4 not found), whether a client `retryable`s it, and mreg's own `message` for it (used when an upstream's text is
 * not safe to show). `UpstreamError` has two rows: `UpstreamError` (502) and `GatewayTimeout` (504). Error classes,
 * {@link toBody}, {@link fromBody}, {@link fromResponse}, `RegistryApi.Errors`, the HTTP client's retries, the CLI's
 * exit codes and `@mreg/client`'s error classes all read it.
 *
 * | row | status | code | exit | retried |
 * | --- | --- | --- | --- | --- |
 * | `InvalidJson` | 400 | `INVALID_JSON` | 2 | no |
 * | `Unauthorized` | 401 | `UNAUTHORIZED` | 1 | no |
 * | `Forbidden` | 403 | `FORBIDDEN` | 1 | no |
 * | `NotFound` | 404 | `NOT_FOUND` | 4 | no |
 * | `Conflict` | 409 | the reason (`ALIAS_IN_USE`, …) | 3 | no |
 * | `PreconditionFailed` | 412 | `PRECONDITION_FAILED` | 3 | no |
 * | `PayloadTooLarge` | 413 | `PAYLOAD_TOO_LARGE` | 2 | no |
 * | `ValidationError` | 422 | `VALIDATION_ERROR` | 2 | no |
 * | `StoreError` | 500 | `INTERNAL_ERROR` | 1 | no |
 * | `UpstreamError` | 502 | `UPSTREAM_ERROR` | 1 | yes (not when the upstream answered a 4xx other than 429) |
 * | `StoreUnavailable` | 503 | `STORE_UNAVAILABLE` | 1 | yes |
 * | `GatewayTimeout` | 504 | `GATEWAY_TIMEOUT` | 1 | yes |
 *
 * @since 0.2.0
 * @category table
 */
export const Table = {
  InvalidJson: row("InvalidJson", 400, "INVALID_JSON", 2, false, "the request body is not valid JSON"),
  Unauthorized: row("Unauthorized", 401, "UNAUTHORIZED", 1, false, "the API key is missing or not accepted"),
  Forbidden: row("Forbidden", 403, "FORBIDDEN", 1, false, "the API key lacks the permission for this request"),
  NotFound: row("NotFound", 404, "NOT_FOUND", 4, false, "no such model version"),
  Conflict: row("Conflict", 409, "CONFLICT", 3, false, "the request conflicts with the stored model version"),
  PreconditionFailed: row("PreconditionFailed", 412, "PRECONDITION_FAILED", 3, false, "the If-Match or If-None-Match precondition failed"),
  PayloadTooLarge: row("PayloadTooLarge", 413, "PAYLOAD_TOO_LARGE", 2, false, "the request body is too large"),
  ValidationError: row("ValidationError", 422, "VALIDATION_ERROR", 2, false, "the request is invalid"),
  StoreError: row("StoreError", 500, "INTERNAL_ERROR", 1, false, "the registry failed on its side"),
  UpstreamError: row("UpstreamError", 502, "UPSTREAM_ERROR", 1, true, "the upstream control plane failed"),
  StoreUnavailable: row("StoreUnavailable", 503, "STORE_UNAVAILABLE", 1, true, "the registry store is unavailable; retry later"),
  GatewayTimeout: row("UpstreamError", 504, "GATEWAY_TIMEOUT", 1, true, "the upstream control plane did not answer in time")
} as const

/**
 * One row of {@link Table}.
 * @since 0.2.0
 * @category table
 */
export interface Row<Tag extends string = string, Status extends number = number, Code extends string = string> {
  readonly tag: Tag
  readonly status: Status
  readonly code: Code
  readonly exitCode: 1 | 2 | 3 | 4
  readonly retryable: boolean
  readonly message: string
}

function row<const Tag extends string, const Status extends number, const Code extends string>(
  tag: Tag,
  status: Status,
  code: Code,
  exitCode: Row["exitCode"],
  retryable: boolean,
  message: string
): Row<Tag, Status, Code> {
  return { tag, status, code, exitCode, retryable, message }
}

/**
 * The name of a row of {@link Table}.
 * @since 0.2.0
 * @category table
 */
export type RowName = keyof typeof Table

/** The HTTP status of a row, as the annotation `HttpApi` reads. */
const status = <A>(name: RowName) => HttpApiSchema.annotations<A>({ status: Table[name].status })

/** An error class whose `statusCode` and `code` come from its row of {@link Table}. */
const fromTable = <const Name extends RowName, C extends new(...args: Array<any>) => object>(name: Name, Base: C) =>
  class extends Base {
    /** From {@link Table}. @since 0.1.0 */
    get statusCode(): (typeof Table)[Name]["status"] {
      return Table[name].status
    }
    /** From {@link Table}. @since 0.1.0 */
    get code(): (typeof Table)[Name]["code"] {
      return Table[name].code
    }
  }

/**
 * One validation problem: where (`loc`, starting with `"body"`, `"query"`, `"path"` or `"header"`), what (`msg`)
 * and its kind (`type`, such as `value_error`, `missing`, `type_error`, `extra_forbidden`).
 * @since 0.1.0
 * @category models
 */
export class ValidationIssue extends Schema.Class<ValidationIssue>("ValidationIssue")({
  loc: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  msg: Schema.String,
  type: Schema.String
}) {}

/**
 * A request that breaks one or more manifest or query rules (HTTP 422). `detail` lists every problem.
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends fromTable(
  "ValidationError",
  Schema.TaggedError<ValidationError>()(
    "ValidationError",
    { detail: Schema.Array(ValidationIssue) },
    status("ValidationError")
  )
) {
  /** `"<n> problem(s): <path>: <msg>; …"` @since 0.1.0 */
  override get message(): string {
    const shown = this.detail.map((issue) => `${formatLoc(issue.loc)}: ${issue.msg}`)
    return `${this.detail.length} ${this.detail.length === 1 ? "problem" : "problems"}: ${shown.join("; ")}`
  }
}

/**
 * The request body is not JSON (HTTP 400). `line` and `column` are 1-based.
 * @since 0.1.0
 * @category errors
 */
export class InvalidJson extends fromTable(
  "InvalidJson",
  Schema.TaggedError<InvalidJson>()(
    "InvalidJson",
    { message: Schema.String, line: Schema.Number, column: Schema.Number },
    status("InvalidJson")
  )
) {}

/**
 * No bearer token, or one the registry does not know (HTTP 401).
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends fromTable(
  "Unauthorized",
  Schema.TaggedError<Unauthorized>()("Unauthorized", { message: Schema.String }, status("Unauthorized"))
) {}

/**
 * A known token without the scope for this ML repo or operation (HTTP 403).
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends fromTable(
  "Forbidden",
  Schema.TaggedError<Forbidden>()("Forbidden", { message: Schema.String }, status("Forbidden"))
) {}

/**
 * No model version with that id or FQN, or it was deleted (HTTP 404).
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends fromTable(
  "NotFound",
  Schema.TaggedError<NotFound>()("NotFound", { message: Schema.String }, status("NotFound"))
) {}

/**
 * Why a write conflicts with what is stored (HTTP 409):
 * - `IMMUTABLE_FIELD`: `source`, `step` or `run_id` differs from the value fixed at creation (`details.field`);
 * - `VERSION_DELETED`: the explicit version number was deleted and numbers are never reused (`details.version`);
 * - `ALIAS_IN_USE`: another version of the model holds the alias, ignoring case (`details.version` is the holder);
 * - `TAG_IN_USE`: another version of the model holds the tag and `force` was not given (`details.version`);
 * - `IDEMPOTENCY_KEY_REUSED`: the `Idempotency-Key` was used with a different request body;
 * - `CONFLICT`: any other conflict an upstream reports (its own code is not one of the above).
 * @since 0.1.0
 * @category models
 */
export const ConflictReason = Schema.Literal(
  "IMMUTABLE_FIELD",
  "VERSION_DELETED",
  "ALIAS_IN_USE",
  "TAG_IN_USE",
  "IDEMPOTENCY_KEY_REUSED",
  "CONFLICT"
)

/**
 * A write that conflicts with stored state (HTTP 409); `reason` says which rule, `details` the field or holder.
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.TaggedError<Conflict>()(
  "Conflict",
  {
    reason: ConflictReason,
    message: Schema.String,
    details: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number) }))
  },
  status("Conflict")
) {
  /** From {@link Table}. @since 0.1.0 */
  get statusCode(): 409 { return Table.Conflict.status }
  /** The wire `code` is the reason. @since 0.1.0 */
  get code(): typeof ConflictReason.Type { return this.reason }
}

/**
 * `If-Match` did not match the current revision, or `If-None-Match: *` met an existing version (HTTP 412).
 * `etag` is the current ETag of the stored version, when there is one.
 * @since 0.1.0
 * @category errors
 */
export class PreconditionFailed extends fromTable(
  "PreconditionFailed",
  Schema.TaggedError<PreconditionFailed>()("PreconditionFailed", { message: Schema.String, etag: Schema.optional(Schema.String) }, status("PreconditionFailed"))
) {}

/**
 * The request body is larger than the configured limit (HTTP 413); `limit` in bytes.
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLarge extends fromTable(
  "PayloadTooLarge",
  Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", { message: Schema.String, limit: Schema.Number }, status("PayloadTooLarge"))
) {}

/**
 * The upstream control plane failed or did not answer: `status` 502 (`UPSTREAM_ERROR`: unreachable, 5xx, 429, or
 * an answer mreg cannot decode, such as an HTML page) or 504 (`GATEWAY_TIMEOUT`: timed out). `upstreamStatus` is
 * the upstream's own status when it answered with something mreg could not decode.
 * @since 0.1.0
 * @category errors
 */
export class UpstreamError extends Schema.TaggedError<UpstreamError>()(
  "UpstreamError",
  {
    status: Schema.Literal(502, 504),
    message: Schema.String,
    upstreamStatus: Schema.optional(Schema.Number)
  },
  status("UpstreamError")
) {
  /** @since 0.1.0 */
  get statusCode(): 502 | 504 { return this.status }
  /** `UPSTREAM_ERROR` (502) or `GATEWAY_TIMEOUT` (504), from {@link Table}. @since 0.1.0 */
  get code(): "UPSTREAM_ERROR" | "GATEWAY_TIMEOUT" { return this.status === 504 ? Table.GatewayTimeout.code : Table.UpstreamError.code }
}

/**
 * The registry's store failed (HTTP 500). The message never carries SQL or driver text.
 * @since 0.1.0
 * @category errors
 */
export class StoreError extends fromTable(
  "StoreError",
  Schema.TaggedError<StoreError>()("StoreError", { message: Schema.String }, status("StoreError"))
) {}

/**
 * The registry's store cannot be reached right now (HTTP 503, `STORE_UNAVAILABLE`): the database is down or
 * refuses connections. `retryAfter` (whole seconds ≥ 1, default 1) travels in `details` and as the `Retry-After`
 * header (see {@link headersOf}). Clients retry it.
 * @since 0.2.0
 * @category errors
 */
export class StoreUnavailable extends fromTable(
  "StoreUnavailable",
  Schema.TaggedError<StoreUnavailable>()("StoreUnavailable", {
    message: Schema.String,
    retryAfter: Schema.optionalWith(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)), { default: () => 1 })
  }, status("StoreUnavailable"))
) {}

/**
 * Any error of the model-version API.
 * @since 0.1.0
 * @category models
 */
export type RegistryError =
  | ValidationError
  | InvalidJson
  | Unauthorized
  | Forbidden
  | NotFound
  | Conflict
  | PreconditionFailed
  | PayloadTooLarge
  | UpstreamError
  | StoreError
  | StoreUnavailable

/**
 * The error of a row of {@link Table} (both `UpstreamError` and `GatewayTimeout` are `UpstreamError`).
 * @since 0.2.0
 * @category models
 */
export type ErrorOf<Name extends RowName> = Extract<RegistryError, { readonly _tag: (typeof Table)[Name]["tag"] }>

/**
 * Renders a `loc` without its leading `"body"`: `["body","manifest","framework","pipeline_tag"]` →
 * `manifest.framework.pipeline_tag`; array indexes as `[0]`.
 * @since 0.1.0
 * @category formatting
 */
export const formatLoc = (loc: ReadonlyArray<string | number>): string => {
  const parts = loc[0] === "body" ? loc.slice(1) : loc
  return parts.reduce<string>(
    (out, part) => (typeof part === "number" ? `${out}[${part}]` : out.length === 0 ? part : `${out}.${part}`),
    ""
  ) || "(body)"
}
