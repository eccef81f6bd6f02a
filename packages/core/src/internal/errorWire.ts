/**
 * What is derived from the error {@link Table}: wire bodies both ways, response headers, exit codes and retries
 * (re-exported by `RegistryError`).
 * @internal
 */
import { Schema } from "effect"
import { ModelManifest, VERSION_ALIAS_PATTERN } from "../ModelManifest.js"
import { type ForeignBody, type ForeignIssue, IDENTIFIER, mergeDetails, parseBody, retryAfterSeconds, safeText, wireText } from "./errorText.js"
import {
  Conflict,
  ConflictReason,
  Forbidden,
  InvalidJson,
  NotFound,
  PayloadTooLarge,
  PreconditionFailed,
  type RegistryError,
  type Row,
  type RowName,
  StoreError,
  StoreUnavailable,
  Table,
  Unauthorized,
  UpstreamError,
  ValidationError,
  ValidationIssue
} from "./registryErrors.js"

const rows: ReadonlyArray<readonly [RowName, Row]> = Object.entries(Table) as never
const byStatus = new Map<number, RowName>(rows.map(([name, entry]) => [entry.status, name]))
const tags = new Set<string>(rows.map(([, entry]) => entry.tag))

/**
 * Whether a value is one of the {@link RegistryError}s (by its `_tag`).
 * @since 0.2.0
 * @category guards
 */
export const isRegistryError = (value: unknown): value is RegistryError =>
  typeof value === "object" && value !== null && "_tag" in value && tags.has(String(value._tag))

/**
 * The name of an error's row in {@link Table}.
 * @since 0.2.0
 * @category table
 */
export const rowNameOf = (error: RegistryError): RowName =>
  error._tag === "UpstreamError" && error.status === 504 ? "GatewayTimeout" : error._tag

/**
 * The `mreg` exit code of an error: 2 for 400/413/422, 3 for 409/412, 4 for 404, 1 otherwise.
 * @since 0.2.0
 * @category table
 */
export const exitCode = (error: RegistryError): Row["exitCode"] => Table[rowNameOf(error)].exitCode

/**
 * Whether a client retries an error: 502 (unless the upstream answered a 4xx other than 429), 503 and 504
 * (connection failures and timeouts are `UpstreamError`s); never a 4xx.
 * @since 0.2.0
 * @category table
 */
export const isRetryable = (error: RegistryError): boolean => {
  if (!Table[rowNameOf(error)].retryable) return false
  const upstream = error._tag === "UpstreamError" ? error.upstreamStatus : undefined
  return upstream === undefined || upstream === 429 || upstream >= 500
}

/**
 * The response headers a server sends with an error: `{"retry-after": "<seconds>"}` for `StoreUnavailable`,
 * `{etag}` for a `PreconditionFailed` that knows the current ETag, `{}` otherwise.
 * @since 0.2.0
 * @category encoding
 */
export const headersOf = (error: RegistryError): Readonly<Record<string, string>> => {
  if (error._tag === "StoreUnavailable") return { "retry-after": String(error.retryAfter) }
  if (error._tag === "PreconditionFailed" && error.etag !== undefined) return { etag: error.etag }
  return {}
}

/**
 * The error wire body, TrueFoundry's `HttpError`: `{statusCode, code, message, details?}` where `details` is a list
 * of objects (one object with the error's facts, e.g. `[{"field": "manifest.version_alias", "alias": "v1",
 * "version": 3}]`; absent when the error has none), plus FastAPI's `detail` for 422.
 * @since 0.1.0
 * @category models
 */
export interface ErrorBody {
  readonly statusCode: number
  readonly code: string
  readonly message: string
  readonly detail?: ReadonlyArray<{ readonly loc: ReadonlyArray<string | number>; readonly msg: string; readonly type: string }>
  readonly details?: ReadonlyArray<Readonly<Record<string, unknown>>>
}

const defined = (details: Record<string, unknown>): Record<string, unknown> | undefined => {
  const kept = Object.entries(details).filter((entry) => entry[1] !== undefined)
  return kept.length === 0 ? undefined : Object.fromEntries(kept)
}

const detailsOf = (error: RegistryError): Record<string, unknown> | undefined => {
  switch (error._tag) {
    case "InvalidJson":
      return { line: error.line, column: error.column }
    case "Conflict":
      return error.details === undefined ? undefined : defined(error.details)
    case "PreconditionFailed":
      return defined({ etag: error.etag })
    case "PayloadTooLarge":
      return { limit: error.limit }
    case "UpstreamError":
      return defined({ upstreamStatus: error.upstreamStatus })
    case "StoreUnavailable":
      return { retryAfter: error.retryAfter }
    default:
      return undefined
  }
}

/**
 * The wire body of an error (DESIGN.md, Errors): status and code from {@link Table}; `details` is a list holding one
 * object with the error's typed fields (`[{line, column}]` for 400, `[{field, alias?, tag?, version?}]` for 409,
 * `[{etag}]` for 412, `[{limit}]` for 413, `[{upstreamStatus}]` for 502/504, `[{retryAfter}]` for 503), absent when
 * it has none (401, 403, 404, 500, a 412 without ETag); a 422 has `detail` instead.
 * @since 0.1.0
 * @category encoding
 */
export const toBody = (error: RegistryError): ErrorBody => {
  const base = { statusCode: error.statusCode, code: error.code, message: error.message }
  if (error._tag === "ValidationError") {
    return { ...base, detail: error.detail.map((issue) => ({ loc: issue.loc, msg: issue.msg, type: issue.type })) }
  }
  const details = detailsOf(error)
  return details === undefined ? base : { ...base, details: [details] }
}

/** One object of `details`: any JSON values by name (its JSON Schema says just that, with no `$id` per value). */
const DetailsObject = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  jsonSchema: { type: "object", additionalProperties: true }
})

/**
 * The wire body schema of every non-2xx response: `{statusCode, code, message, detail?, details?}`. `details` is a
 * list of objects (TrueFoundry's `HttpError.details`); an object, as mreg before 0.2.0 sent, is accepted too and
 * decodes like a list holding it.
 * @since 0.1.0
 * @category schemas
 */
export const ErrorBodySchema = Schema.Struct({
  statusCode: Schema.Number,
  code: Schema.String,
  message: Schema.String,
  detail: Schema.optional(Schema.Array(Schema.Struct(ValidationIssue.fields))),
  details: Schema.optional(Schema.Union(Schema.Array(DetailsObject), DetailsObject))
}).annotations({ identifier: "ErrorBody" })

const int = (value: unknown, min: number): number | undefined =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= min ? value : undefined

const safeLoc = (loc: unknown): ReadonlyArray<string | number> => {
  if (!Array.isArray(loc) || loc.length === 0) return ["body"]
  const parts = loc.map((part) => (typeof part === "number" ? int(part, 0) : typeof part === "string" && IDENTIFIER.test(part) ? part : undefined))
  return parts.every((part) => part !== undefined) ? parts : ["body"]
}

/** The msg of a foreign 422 issue that is not safe text. */
const REJECTED = "rejected by the upstream"

const safeIssue = (issue: ForeignIssue): ValidationIssue =>
  new ValidationIssue({
    loc: safeLoc(issue.loc),
    msg: safeText(issue.msg) ?? REJECTED,
    type: typeof issue.type === "string" && /^[a-z_.]{1,64}$/.test(issue.type) ? issue.type : "value_error"
  })

/** The names a conflict's `field` may take: the manifest's top-level fields, alone or as `manifest.<field>`, and `tags`. */
const FIELDS = new Set<string>([
  ...Object.keys(ModelManifest.fields).flatMap((field) => [field, `manifest.${field}`]),
  "tags"
])
const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
const ETAG = /^(W\/)?"[\x21\x23-\x7e]{0,250}"$/

const conflictDetails = (details: Readonly<Record<string, unknown>>) => {
  const text = (value: unknown, ok: (text: string) => boolean) => (typeof value === "string" && ok(value) ? value : undefined)
  return {
    field: text(details.field, (field) => FIELDS.has(field)),
    alias: text(details.alias, (alias) => alias.length <= 128 && VERSION_ALIAS_PATTERN.test(alias)),
    tag: text(details.tag, (tag) => TAG.test(tag)),
    version: int(details.version, 1)
  }
}

/** mreg's own message for a conflict, built only from checked details. */
const conflictMessage = (reason: typeof ConflictReason.Type, kept: ReturnType<typeof conflictDetails>): string => {
  const holder = kept.version === undefined ? "another version of this model" : `version ${kept.version}`
  switch (reason) {
    case "ALIAS_IN_USE":
      return kept.alias === undefined ? `the version alias is held by ${holder}` : `version alias "${kept.alias}" is held by ${holder}`
    case "TAG_IN_USE":
      return kept.tag === undefined ? `the tag is held by ${holder}` : `tag "${kept.tag}" is held by ${holder}`
    case "IMMUTABLE_FIELD":
      return `${kept.field ?? "a field"} is fixed when a version is created and cannot change`
    case "VERSION_DELETED":
      return `${kept.version === undefined ? "the version" : `version ${kept.version}`} was deleted and version numbers are never reused`
    case "IDEMPOTENCY_KEY_REUSED":
      return "the Idempotency-Key was already used with a different request; use a new key for a new request"
    case "CONFLICT":
      return Table.Conflict.message
  }
}

/**
 * The error for an HTTP status and the parts of an error body (unchecked); only the typed `details` fields that pass
 * strict patterns are kept. `strict` (a server's answer, `fromResponse`): the message is mreg's own for the row or
 * conflict reason, and a 422 issue keeps only identifier-like `loc`s and {@link safeText} msgs. Otherwise (`fromBody`,
 * mreg's own wire body): a message that passes `wireText` is kept.
 */
const fromParts = (status: number, body: ForeignBody | undefined, strict: boolean): RegistryError => {
  const name = byStatus.get(status) ?? "UpstreamError"
  const message = (strict ? undefined : wireText(body?.message)) ?? Table[name].message
  const details = body?.details ?? {}
  switch (name) {
    case "InvalidJson":
      return new InvalidJson({ message, line: int(details.line, 0) ?? 0, column: int(details.column, 0) ?? 0 })
    case "Unauthorized":
      return new Unauthorized({ message })
    case "Forbidden":
      return new Forbidden({ message })
    case "NotFound":
      return new NotFound({ message })
    case "Conflict": {
      const reason = Schema.is(ConflictReason)(body?.code) ? body.code : "CONFLICT"
      const kept = conflictDetails(details)
      const typed = defined(kept) as Record<string, string | number> | undefined
      return new Conflict({ reason, message: strict ? conflictMessage(reason, kept) : message, ...(typed === undefined ? {} : { details: typed }) })
    }
    case "PreconditionFailed": {
      const etag = typeof details.etag === "string" && ETAG.test(details.etag) ? details.etag : undefined
      const text = strict ? Table.PreconditionFailed.message : message
      return new PreconditionFailed(etag === undefined ? { message: text } : { message: text, etag })
    }
    case "PayloadTooLarge": {
      const limit = int(details.limit, 0) ?? 0
      return new PayloadTooLarge({ message: strict && limit > 0 ? `the request body is larger than the limit of ${limit} bytes` : message, limit })
    }
    case "ValidationError": {
      const issues = body?.detail?.map(safeIssue) ?? []
      return new ValidationError({
        detail: issues.length > 0 ? issues : [new ValidationIssue({ loc: ["body"], msg: message, type: "value_error" })]
      })
    }
    case "StoreError":
      return new StoreError({ message })
    case "StoreUnavailable":
      return new StoreUnavailable({ message, retryAfter: retryAfterSeconds(details.retryAfter) ?? 1 })
    case "GatewayTimeout":
      return new UpstreamError({ status: 504, message, upstreamStatus: int(details.upstreamStatus, 100) })
    case "UpstreamError": {
      if (status === 502) return new UpstreamError({ status: 502, message, upstreamStatus: int(details.upstreamStatus, 100) })
      return new UpstreamError({ status: 502, message: Table.UpstreamError.message, upstreamStatus: status })
    }
  }
}

/**
 * The typed error for a wire error body and HTTP status (inverse of {@link toBody}), through {@link Table}: only
 * safe text and the error's typed `details` fields are kept. A status with no row of its own (429, 501, 418, …)
 * becomes `UpstreamError` 502 with `upstreamStatus`.
 * @since 0.1.0
 * @category decoding
 */
export const fromBody = (status: number, body: typeof ErrorBodySchema.Type | undefined): RegistryError =>
  fromParts(status, body === undefined ? undefined : { ...body, details: mergeDetails(body.details), detail: body.detail }, false)

/**
 * Decodes an error answer of another server (an upstream control plane) into mreg's own error; its text never
 * passes through. `text` is the response body; `headers` (lower-case names) give `Retry-After` for a 503; `from`
 * names the server in messages (default `"the upstream"`).
 * - Understood bodies: mreg's and TrueFoundry's `{statusCode, code, message, details?}`, FastAPI's
 *   `{"detail": "…"}` and `{"detail": [{loc, msg, type}]}`, `{"message"|"error": "…"}`; they map by status as in
 *   {@link fromBody} (503 → `StoreUnavailable`, `retryAfter` from `details` or `Retry-After`), by an allowlist: the
 *   message is always mreg's own for the status or conflict reason; 409/412 keep typed details that pass strict
 *   patterns; a 422 keeps identifier-like `loc`s and safe msgs (else `rejected by the upstream`).
 * - A 400 is `UpstreamError` 502 with `upstreamStatus: 400`: mreg validated the request, so the upstream disagrees.
 * - A 504 is `UpstreamError` 504 `GATEWAY_TIMEOUT`, whatever its body.
 * - Anything else — an empty, HTML or non-JSON body, or a status mreg has no error for — is `UpstreamError` 502
 *   `UPSTREAM_ERROR` with `upstreamStatus`.
 * @since 0.2.0
 * @category decoding
 */
export const fromResponse = (
  status: number,
  text: string | undefined,
  options: { readonly headers?: Readonly<Record<string, string | undefined>> | undefined; readonly from?: string | undefined } = {}
): RegistryError => {
  const from = options.from ?? "the upstream"
  if (status === 504) return new UpstreamError({ status: 504, message: `${from} timed out (HTTP 504)`, upstreamStatus: 504 })
  const body = parseBody(text)
  if (body === undefined || !byStatus.has(status)) {
    const what = body === undefined ? "without a JSON error body" : "with an error mreg does not know"
    return new UpstreamError({ status: 502, message: `${from} answered HTTP ${status} ${what}`, upstreamStatus: status })
  }
  if (status === 400) {
    return new UpstreamError({ status: 502, message: "the upstream rejected a request mreg had validated (HTTP 400)", upstreamStatus: 400 })
  }
  if (status === 502) return new UpstreamError({ status: 502, message: Table.UpstreamError.message, upstreamStatus: 502 })
  if (status === 503) {
    const retryAfter = retryAfterSeconds(body.details.retryAfter) ?? retryAfterSeconds(options.headers?.["retry-after"]) ?? 1
    return new StoreUnavailable({ message: Table.StoreUnavailable.message, retryAfter })
  }
  return fromParts(status, body, true)
}
