/**
 * The errors of `@mreg/client`: plain `Error` subclasses that callers check with `instanceof`.
 *
 * Every error the client rejects with is an {@link MregError} carrying the HTTP `status` of the failure (the same
 * status the embedded registry would answer over HTTP), a stable machine-readable `code`, a one-line `message`
 * (never a stack trace, SQL or driver text) and `details` (TrueFoundry's `HttpError.details`: a list of objects, `[]`
 * when there are none; {@link MregError.facts} merges them into one object). `toJSON()` gives the wire error body
 * `{statusCode, code, message, details?, detail?}`.
 *
 * | class | `status` | `code` |
 * | --- | --- | --- |
 * | {@link InvalidJsonError} | 400 | `INVALID_JSON` |
 * | {@link UnauthorizedError} | 401 | `UNAUTHORIZED` |
 * | {@link ForbiddenError} | 403 | `FORBIDDEN` |
 * | {@link NotFoundError} | 404 | `NOT_FOUND` |
 * | {@link ConflictError} | 409 | `IMMUTABLE_FIELD`, `VERSION_DELETED`, `ALIAS_IN_USE`, `TAG_IN_USE`, `IDEMPOTENCY_KEY_REUSED` |
 * | {@link PreconditionFailedError} | 412 | `PRECONDITION_FAILED` |
 * | {@link PayloadTooLargeError} | 413 | `PAYLOAD_TOO_LARGE` |
 * | {@link ValidationError} | 422 | `VALIDATION_ERROR` |
 * | {@link InternalError} | 500 | `INTERNAL_ERROR` |
 * | {@link UpstreamError} | 502 or 504 | `UPSTREAM_ERROR` or `GATEWAY_TIMEOUT` |
 * | {@link StoreUnavailableError} | 503 | `STORE_UNAVAILABLE` |
 * | {@link ClientClosedError} | `undefined` | `CLIENT_CLOSED` |
 *
 * Statuses and codes come from `@mreg/core`'s `RegistryError.Table`, the one table of mreg's errors.
 *
 * @since 0.1.0
 */
import { RegistryError } from "@mreg/core"

/**
 * One validation problem, as in the `detail` array of a 422 body: where (`loc`, e.g.
 * `["body", "manifest", "metadata", "loss"]`), what (`msg`) and its kind (`type`: `value_error`, `missing`,
 * `type_error`, `extra_forbidden`, …).
 * @since 0.1.0
 * @category models
 */
export interface ValidationIssue {
  readonly loc: ReadonlyArray<string | number>
  readonly msg: string
  readonly type: string
}

/**
 * The wire error body, TrueFoundry's `HttpError`: `{statusCode, code, message, details?}` with `details` a list of
 * objects, plus `detail` (the issues) for a 422.
 * @since 0.1.0
 * @category models
 */
export interface ErrorBody {
  readonly statusCode: number | undefined
  readonly code: string
  readonly message: string
  readonly details?: ErrorDetails
  readonly detail?: ReadonlyArray<ValidationIssue>
}

/**
 * Why a write conflicts with stored state (the `code` of a {@link ConflictError}).
 * @since 0.1.0
 * @category models
 */
export type ConflictCode = typeof RegistryError.ConflictReason.Type

type Table = typeof RegistryError.Table

/**
 * The `details` of an error body: a list of objects (TrueFoundry's `HttpError.details`), e.g.
 * `[{ field: "manifest.version_alias", alias: "v1", version: 2 }]`.
 * @since 0.2.0
 * @category models
 */
export type ErrorDetails = ReadonlyArray<Readonly<Record<string, unknown>>>

/**
 * What every error class takes.
 * @since 0.1.0
 * @category models
 */
export interface MregErrorInit {
  readonly message: string
  readonly status: number | undefined
  readonly code: string
  readonly details?: ErrorDetails | undefined
  readonly cause?: unknown
}

/**
 * The base class of every error `@mreg/client` rejects with.
 * - `status`: the HTTP status (422, 404, 409, …; `undefined` only for {@link ClientClosedError});
 * - `code`: a stable upper-case code (`NOT_FOUND`, `ALIAS_IN_USE`, …);
 * - `message`: one line for people;
 * - `details`: structured facts as on the wire, a list of objects, e.g.
 *   `[{ field: "manifest.version_alias", alias: "v1", version: 2 }]`; `[]` when none;
 * - `facts`: the same merged into one object, e.g. `error.facts.version`.
 * @since 0.1.0
 * @category errors
 */
export class MregError extends Error {
  /** The HTTP status of the failure; `undefined` for errors of the client itself. @since 0.1.0 */
  readonly status: number | undefined
  /** A stable machine-readable code. @since 0.1.0 */
  readonly code: string
  /** Structured facts about the failure, as the wire body's list of objects (`[]` when there are none). @since 0.1.0 */
  readonly details: ErrorDetails

  constructor(init: MregErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = "MregError"
    this.status = init.status
    this.code = init.code
    this.details = init.details ?? []
  }

  /**
   * The objects of {@link MregError.details} merged into one (the first value of a key wins; `{}` when there are
   * none): `conflict.facts.version` is the version holding an alias or tag.
   * @since 0.2.0
   */
  get facts(): Readonly<Record<string, unknown>> {
    return Object.assign({}, ...[...this.details].reverse())
  }

  /**
   * The wire error body of this error, `{statusCode, code, message, details?}`.
   * @since 0.1.0
   */
  toJSON(): ErrorBody {
    const body = { statusCode: this.status, code: this.code, message: this.message }
    return this.details.length === 0 ? body : { ...body, details: this.details }
  }
}

/**
 * The manifest, list query or other input breaks one or more rules (HTTP 422). Raised before anything is sent or
 * stored when the client finds the problem itself, or from the server's 422. `issues` lists every problem, with the
 * same `loc`s as the 422 body (`["body", "manifest", "metadata", "loss"]`); `message` names each one
 * (`1 problem: manifest.metadata.loss: must be a finite number …`).
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends MregError {
  declare readonly status: Table["ValidationError"]["status"]
  declare readonly code: Table["ValidationError"]["code"]
  /** Every problem, in the order found. @since 0.1.0 */
  readonly issues: ReadonlyArray<ValidationIssue>

  constructor(init: { readonly message: string; readonly issues: ReadonlyArray<ValidationIssue> }) {
    super({ message: init.message, status: RegistryError.Table.ValidationError.status, code: RegistryError.Table.ValidationError.code })
    this.name = "ValidationError"
    this.issues = init.issues
  }

  /** `{statusCode: 422, code, message, detail: issues}` @since 0.1.0 */
  override toJSON(): ErrorBody {
    return { statusCode: this.status, code: this.code, message: this.message, detail: this.issues }
  }
}

/**
 * What the error classes made from one row of the error table take: a `message`, `details` (the wire body's
 * `details`) and a `cause`.
 * @since 0.2.0
 * @category models
 */
export interface RowErrorInit {
  readonly message: string
  readonly details?: ErrorDetails | undefined
  readonly cause?: unknown
}

/** An `MregError` subclass with the status and code of one row of `RegistryError.Table`. */
const fromRow = <const Name extends RegistryError.RowName>(row: Name, name: string) =>
  class extends MregError {
    declare readonly status: Table[Name]["status"]
    declare readonly code: Table[Name]["code"]
    constructor(init: RowErrorInit) {
      super({ ...init, status: RegistryError.Table[row].status, code: RegistryError.Table[row].code })
      this.name = name
    }
  }

/**
 * The server could not parse the request body as JSON (HTTP 400); `facts` has the 1-based `line` and `column`.
 * @since 0.1.0
 * @category errors
 */
export class InvalidJsonError extends fromRow("InvalidJson", "InvalidJsonError") {}

/**
 * No API key, or one the control plane does not accept (HTTP 401). Give `apiKey` or set `TFY_API_KEY`.
 * @since 0.1.0
 * @category errors
 */
export class UnauthorizedError extends fromRow("Unauthorized", "UnauthorizedError") {}

/**
 * The API key is valid but lacks the permission for this ML repo or operation (HTTP 403).
 * @since 0.1.0
 * @category errors
 */
export class ForbiddenError extends fromRow("Forbidden", "ForbiddenError") {}

/**
 * No model version with that id or FQN, or it was deleted (HTTP 404).
 * @since 0.1.0
 * @category errors
 */
export class NotFoundError extends fromRow("NotFound", "NotFoundError") {}

/**
 * A write that conflicts with stored state (HTTP 409). `code` says which rule:
 * - `IMMUTABLE_FIELD`: `source`, `step` or `run_id` differs from the value fixed at creation (`facts.field`);
 * - `VERSION_DELETED`: the explicit version number was deleted; numbers are never reused (`facts.version`);
 * - `ALIAS_IN_USE`: another version of the model holds the alias, ignoring case (`facts.version` holds it);
 * - `TAG_IN_USE`: another version holds the tag and `force` was not given (`facts.version`, `facts.tag`);
 * - `IDEMPOTENCY_KEY_REUSED`: the idempotency key was used before with a different manifest;
 * - `CONFLICT`: any other conflict a control plane reports.
 * @since 0.1.0
 * @category errors
 */
export class ConflictError extends MregError {
  declare readonly status: Table["Conflict"]["status"]
  declare readonly code: ConflictCode
  constructor(init: { readonly message: string; readonly code: ConflictCode; readonly details?: ErrorDetails | undefined }) {
    super({ ...init, status: RegistryError.Table.Conflict.status })
    this.name = "ConflictError"
  }
}

/**
 * `ifMatch` did not match the stored version's current ETag, or `ifNoneMatch: "*"` met an existing version
 * (HTTP 412). `facts.etag` is the current ETag when the server sent one.
 * @since 0.1.0
 * @category errors
 */
export class PreconditionFailedError extends fromRow("PreconditionFailed", "PreconditionFailedError") {}

/**
 * The request body is larger than the server accepts (HTTP 413); `facts.limit` is the limit in bytes when the
 * server said it. Never retried.
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLargeError extends fromRow("PayloadTooLarge", "PayloadTooLargeError") {}

/**
 * The registry failed on its side (HTTP 500): the embedded store cannot be opened or written, the remote server
 * answered 500, or the client itself hit an unexpected failure (then `cause` holds it). The request may not have
 * been applied; retrying an upsert with the same `idempotencyKey` is safe.
 * @since 0.1.0
 * @category errors
 */
export class InternalError extends fromRow("StoreError", "InternalError") {}

/**
 * The registry's store could not be reached (HTTP 503, `STORE_UNAVAILABLE`), still so after the retries (a remote
 * client retries 503 like 502 and 504). `facts.retryAfter` is the wait in seconds the server suggested.
 * @since 0.2.0
 * @category errors
 */
export class StoreUnavailableError extends fromRow("StoreUnavailable", "StoreUnavailableError") {}

/**
 * The control plane could not be reached or answered with a gateway error, after the retries: `status` 502
 * (`UPSTREAM_ERROR`: connection refused, 5xx, 429, a body that is not JSON such as an HTML error page) or 504
 * (`GATEWAY_TIMEOUT`: no answer within `timeoutMs`). `facts.upstreamStatus` is the HTTP status the server
 * answered with, when it answered with something mreg could not decode.
 * @since 0.1.0
 * @category errors
 */
export class UpstreamError extends MregError {
  declare readonly status: Table["UpstreamError"]["status"] | Table["GatewayTimeout"]["status"]
  declare readonly code: Table["UpstreamError"]["code"] | Table["GatewayTimeout"]["code"]
  constructor(init: { readonly message: string; readonly status: 502 | 504; readonly details?: ErrorDetails | undefined }) {
    const row = init.status === 504 ? RegistryError.Table.GatewayTimeout : RegistryError.Table.UpstreamError
    super({ ...init, status: row.status, code: row.code })
    this.name = "UpstreamError"
  }
}

/**
 * A call on a client after `close()` (or a call still running when the client was closed underneath it).
 * `status` is `undefined`: nothing was sent.
 * @since 0.1.0
 * @category errors
 */
export class ClientClosedError extends MregError {
  declare readonly status: undefined
  declare readonly code: "CLIENT_CLOSED"
  constructor() {
    super({ message: "the mreg client is closed: create a new one with createClient()", status: undefined, code: "CLIENT_CLOSED" })
    this.name = "ClientClosedError"
  }
}
