/**
 * Error responses: every non-2xx answer is a JSON body of the error contract, `{"statusCode", "code", "message",
 * "detail"?, "details"?}` — never HTML, a stack trace, SQL or driver text. {@link middleware} is the one place where
 * failures become responses.
 *
 * @internal
 */
import type * as HttpApiError from "@effect/platform/HttpApiError"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { RegistryError } from "@mreg/core"
import { Cause, Effect, Option, Predicate } from "effect"
import { RequestInfo } from "./RequestLog.js"

/** A JSON response with a status and optional extra headers. */
export const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(body, { status, headers })

/** A registry error's wire body at its status, with its headers (`ETag` on a 412, `Retry-After` on a 503). */
export const fromError = (error: RegistryError.RegistryError): HttpServerResponse.HttpServerResponse => {
  const body = RegistryError.toBody(error)
  return json(body.statusCode, body, RegistryError.headersOf(error))
}

/** 503 `NOT_READY` from `/readyz`. */
export const notReady = (message: string): HttpServerResponse.HttpServerResponse =>
  json(503, { statusCode: 503, code: "NOT_READY", message })

/** The framework's `HttpApiDecodeError` as the contract's 422, each issue located under `where`. */
const fromDecodeError = (
  error: HttpApiError.HttpApiDecodeError,
  where: "query" | "header" | "path"
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

/** The path of a request URL, which is a path (Node) or a whole URL (web handlers). */
const pathOf = (url: string) => {
  try {
    return new URL(url, "http://localhost").pathname
  } catch {
    return url.split("?")[0]!
  }
}

/** Where the API's routes are, for a request that matches none. */
const ROUTES = "model versions and models are under /api/ml/v1 and /api/svc/v1, apply and delete under /api/svc/v1 only (see /docs)"

/**
 * Every failure that leaves the router as a contract body: registry errors, the framework's decode error (→ 422: a
 * `GET` decodes its query, a `PUT` its headers, others their path), an unknown route (→ 404), anything else (→ 500
 * without details, logged with the request id).
 */
export const middleware = (app: HttpApp.Default): HttpApp.Default =>
  Effect.catchAllCause(app, (cause) =>
    Effect.gen(function*() {
      if (Cause.isInterruptedOnly(cause)) return yield* Effect.failCause(cause as Cause.Cause<never>)
      const request = yield* HttpServerRequest.HttpServerRequest
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure)) {
        const error = failure.value
        if (RegistryError.isRegistryError(error)) return fromError(error)
        if (Predicate.isTagged(error, "HttpApiDecodeError")) {
          const where = request.method === "GET" ? "query" : request.method === "PUT" ? "header" : "path"
          return fromError(fromDecodeError(error as HttpApiError.HttpApiDecodeError, where))
        }
        if (Predicate.isTagged(error, "RouteNotFound")) {
          const path = pathOf(request.originalUrl)
          return fromError(new RegistryError.NotFound({ message: `no route for ${request.method} ${path}: ${ROUTES}` }))
        }
      }
      yield* Effect.logError("unexpected failure while serving a request", cause)
      const requestId = Option.map(yield* Effect.serviceOption(RequestInfo), (info) => ` (request id ${info.requestId})`)
      return fromError(new RegistryError.StoreError({
        message: `internal error; the request may not have been applied${Option.getOrElse(requestId, () => "")}`
      }))
    }))
