/**
 * Error responses of the proxy: every non-2xx answer is a JSON body of the error contract (DESIGN.md, Errors),
 * `{"statusCode", "code", "message", "detail"?, "details"?}` — never HTML, never a stack trace, SQL or driver text.
 *
 * @since 0.1.0
 */
import { type HttpApiError, HttpServerResponse } from "@effect/platform"
import { RegistryError } from "@mreg/core"

/**
 * A JSON response with a status and optional extra headers.
 * @since 0.1.0
 * @category constructors
 */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(body, { status, headers })

/**
 * The response of a registry error: its wire body at its status (`UpstreamError` at 502 or 504). A 412 also carries
 * the current version's `ETag` header when there is one.
 * @since 0.1.0
 * @category constructors
 */
export const fromError = (error: RegistryError.RegistryError): HttpServerResponse.HttpServerResponse => {
  const body = RegistryError.toBody(error)
  const headers: Record<string, string> = error._tag === "PreconditionFailed" && error.etag !== undefined ? { etag: error.etag } : {}
  return json(body.statusCode, body, headers)
}

/**
 * 404 `NOT_FOUND` for a path (or method) the proxy does not serve.
 * @since 0.1.0
 * @category constructors
 */
export const routeNotFound = (method: string, path: string): HttpServerResponse.HttpServerResponse =>
  fromError(new RegistryError.NotFound({ message: `no route for ${method} ${path}: the API is under /api/ml/v1 and /api/svc/v1 (see /docs)` }))

/**
 * 500 `INTERNAL_ERROR` for a failure the proxy did not expect; the details go to the log, never to the client.
 * @since 0.1.0
 * @category constructors
 */
export const internalError = (requestId?: string): HttpServerResponse.HttpServerResponse =>
  fromError(new RegistryError.StoreError({
    message: `internal error; the request may not have been applied${requestId === undefined ? "" : ` (request id ${requestId})`}`
  }))

/**
 * 503 `NOT_READY` from `/readyz`.
 * @since 0.1.0
 * @category constructors
 */
export const notReady = (message: string): HttpServerResponse.HttpServerResponse =>
  json(503, { statusCode: 503, code: "NOT_READY", message })

/**
 * The framework's request decoding error (`HttpApiDecodeError`, 400) as the contract's 422 `VALIDATION_ERROR`,
 * each issue located under `where` (`"query"` for query parameters, `"body"`, `"header"` or `"path"`).
 * @since 0.1.0
 * @category conversions
 */
export const fromDecodeError = (
  error: HttpApiError.HttpApiDecodeError,
  where: "query" | "body" | "header" | "path"
): RegistryError.ValidationError => {
  // A union (`string | undefined`, `string | string[]`) reports one issue per member: keep one per place.
  const byLoc = new Map<string, RegistryError.ValidationIssue>()
  for (const issue of error.issues) {
    const loc = [where, ...issue.path.map((part) => (typeof part === "number" ? part : String(part)))]
    const key = JSON.stringify(loc)
    if (byLoc.has(key)) continue
    byLoc.set(key, new RegistryError.ValidationIssue({
      loc,
      msg: issue._tag === "Missing" ? "is required" : /^Expected /.test(issue.message) ? "must be given once, as text" : issue.message,
      type: issue._tag === "Missing" ? "missing" : "type_error"
    }))
  }
  const detail = [...byLoc.values()]
  return new RegistryError.ValidationError({
    detail: detail.length > 0 ? detail : [new RegistryError.ValidationIssue({ loc: [where], msg: error.message, type: "value_error" })]
  })
}
