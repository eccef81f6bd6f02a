/**
 * Every error of the model-version API, as `Schema.TaggedError`s that cross the wire.
 *
 * Wire bodies (DESIGN.md, Errors):
 * - 422: `{"statusCode": 422, "code": "VALIDATION_ERROR", "message", "detail": [{"loc", "msg", "type"}]}` —
 *   FastAPI-compatible (`detail`) and HttpError-compatible (`statusCode`, `message`) in one body, every problem at once;
 * - others: `{"statusCode", "code", "message", "details"?}`.
 * No stack trace, SQL or driver text is ever put into a message.
 *
 * @since 0.1.0
 */
import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

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
export class ValidationError extends Schema.TaggedError<ValidationError>()(
  "ValidationError",
  { detail: Schema.Array(ValidationIssue) },
  HttpApiSchema.annotations({ status: 422 })
) {
  /** @since 0.1.0 */
  get statusCode(): 422 { return 422 }
  /** @since 0.1.0 */
  get code(): "VALIDATION_ERROR" { return "VALIDATION_ERROR" }
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
export class InvalidJson extends Schema.TaggedError<InvalidJson>()(
  "InvalidJson",
  { message: Schema.String, line: Schema.Number, column: Schema.Number },
  HttpApiSchema.annotations({ status: 400 })
) {
  /** @since 0.1.0 */
  get statusCode(): 400 { return 400 }
  /** @since 0.1.0 */
  get code(): "INVALID_JSON" { return "INVALID_JSON" }
}

/**
 * No bearer token, or one the registry does not know (HTTP 401).
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 401 })
) {
  /** @since 0.1.0 */
  get statusCode(): 401 { return 401 }
  /** @since 0.1.0 */
  get code(): "UNAUTHORIZED" { return "UNAUTHORIZED" }
}

/**
 * A known token without the scope for this ML repo or operation (HTTP 403).
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {
  /** @since 0.1.0 */
  get statusCode(): 403 { return 403 }
  /** @since 0.1.0 */
  get code(): "FORBIDDEN" { return "FORBIDDEN" }
}

/**
 * No model version with that id or FQN, or it was deleted (HTTP 404).
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {
  /** @since 0.1.0 */
  get statusCode(): 404 { return 404 }
  /** @since 0.1.0 */
  get code(): "NOT_FOUND" { return "NOT_FOUND" }
}

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
  HttpApiSchema.annotations({ status: 409 })
) {
  /** @since 0.1.0 */
  get statusCode(): 409 { return 409 }
  /** The wire `code` is the reason. @since 0.1.0 */
  get code(): typeof ConflictReason.Type { return this.reason }
}

/**
 * `If-Match` did not match the current revision, or `If-None-Match: *` met an existing version (HTTP 412).
 * `etag` is the current ETag of the stored version, when there is one.
 * @since 0.1.0
 * @category errors
 */
export class PreconditionFailed extends Schema.TaggedError<PreconditionFailed>()(
  "PreconditionFailed",
  { message: Schema.String, etag: Schema.optional(Schema.String) },
  HttpApiSchema.annotations({ status: 412 })
) {
  /** @since 0.1.0 */
  get statusCode(): 412 { return 412 }
  /** @since 0.1.0 */
  get code(): "PRECONDITION_FAILED" { return "PRECONDITION_FAILED" }
}

/**
 * The request body is larger than the configured limit (HTTP 413); `limit` in bytes.
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  { message: Schema.String, limit: Schema.Number },
  HttpApiSchema.annotations({ status: 413 })
) {
  /** @since 0.1.0 */
  get statusCode(): 413 { return 413 }
  /** @since 0.1.0 */
  get code(): "PAYLOAD_TOO_LARGE" { return "PAYLOAD_TOO_LARGE" }
}

/**
 * The upstream control plane failed or did not answer: `status` 502 (bad gateway: unreachable, 5xx, non-JSON body)
 * or 504 (timed out). `upstreamStatus` is the upstream's own status when it answered.
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
  HttpApiSchema.annotations({ status: 502 })
) {
  /** @since 0.1.0 */
  get statusCode(): 502 | 504 { return this.status }
  /** @since 0.1.0 */
  get code(): "BAD_GATEWAY" | "GATEWAY_TIMEOUT" { return this.status === 504 ? "GATEWAY_TIMEOUT" : "BAD_GATEWAY" }
}

/**
 * The registry's store failed (HTTP 500). The message never carries SQL or driver text.
 * @since 0.1.0
 * @category errors
 */
export class StoreError extends Schema.TaggedError<StoreError>()(
  "StoreError",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 500 })
) {
  /** @since 0.1.0 */
  get statusCode(): 500 { return 500 }
  /** @since 0.1.0 */
  get code(): "INTERNAL_ERROR" { return "INTERNAL_ERROR" }
}

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

/**
 * The error wire body: `{statusCode, code, message, details?}`, plus `detail` for 422.
 * @since 0.1.0
 * @category models
 */
export interface ErrorBody {
  readonly statusCode: number
  readonly code: string
  readonly message: string
  readonly detail?: ReadonlyArray<{ readonly loc: ReadonlyArray<string | number>; readonly msg: string; readonly type: string }>
  readonly details?: Readonly<Record<string, unknown>>
}

/**
 * The wire body of an error (DESIGN.md, Errors).
 * @since 0.1.0
 * @category encoding
 */
export const toBody = (error: RegistryError): ErrorBody => {
  const base = { statusCode: error.statusCode, code: error.code, message: error.message }
  switch (error._tag) {
    case "ValidationError":
      return { ...base, detail: error.detail.map((issue) => ({ loc: issue.loc, msg: issue.msg, type: issue.type })) }
    case "InvalidJson":
      return { ...base, details: { line: error.line, column: error.column } }
    case "Conflict":
      return error.details === undefined ? base : { ...base, details: error.details }
    case "PreconditionFailed":
      return error.etag === undefined ? base : { ...base, details: { etag: error.etag } }
    case "PayloadTooLarge":
      return { ...base, details: { limit: error.limit } }
    case "UpstreamError":
      return error.upstreamStatus === undefined ? base : { ...base, details: { upstreamStatus: error.upstreamStatus } }
    default:
      return base
  }
}

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

/**
 * The wire body schema of every non-2xx response: `{statusCode, code, message, detail?, details?}`.
 * @since 0.1.0
 * @category schemas
 */
export const ErrorBodySchema = Schema.Struct({
  statusCode: Schema.Number,
  code: Schema.String,
  message: Schema.String,
  detail: Schema.optional(Schema.Array(Schema.Struct(ValidationIssue.fields))),
  details: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
}).annotations({ identifier: "ErrorBody" })

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined)

/**
 * The typed error for a wire error body and HTTP status (inverse of {@link toBody}). Unknown codes map by status;
 * statuses with no error of their own (5xx from an upstream, 429) become `UpstreamError`.
 * @since 0.1.0
 * @category decoding
 */
export const fromBody = (status: number, body: typeof ErrorBodySchema.Type | undefined): RegistryError => {
  const message = body?.message ?? `request failed with HTTP status ${status}`
  const details = body?.details ?? {}
  switch (status) {
    case 400:
      return new InvalidJson({ message, line: num(details.line) ?? 0, column: num(details.column) ?? 0 })
    case 401:
      return new Unauthorized({ message })
    case 403:
      return new Forbidden({ message })
    case 404:
      return new NotFound({ message })
    case 409: {
      const reason = Schema.is(ConflictReason)(body?.code) ? body.code : "CONFLICT"
      const kept = Object.fromEntries(
        Object.entries(details).filter((entry): entry is [string, string | number] =>
          typeof entry[1] === "string" || typeof entry[1] === "number"
        )
      )
      return new Conflict({ reason, message, ...(Object.keys(kept).length > 0 ? { details: kept } : {}) })
    }
    case 412: {
      const etag = str(details.etag)
      return new PreconditionFailed(etag === undefined ? { message } : { message, etag })
    }
    case 413:
      return new PayloadTooLarge({ message, limit: num(details.limit) ?? 0 })
    case 422:
      return new ValidationError({
        detail: body?.detail && body.detail.length > 0
          ? body.detail.map((issue) => new ValidationIssue(issue))
          : [new ValidationIssue({ loc: ["body"], msg: message, type: "value_error" })]
      })
    case 500:
      return new StoreError({ message })
    case 504:
      return new UpstreamError({ status: 504, message, upstreamStatus: status })
    default:
      return new UpstreamError({ status: 502, message, upstreamStatus: status })
  }
}
