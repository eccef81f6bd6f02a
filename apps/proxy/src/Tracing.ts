/**
 * The server span of each request when the `OTEL_*` variables turn traces on (`Telemetry.layerTracing` of
 * `@mreg/core`; README, "Operate"). It replaces the platform's own server span, which is off in the proxy: that one
 * records the query string and every request header.
 *
 * The span: kind `server`, parent the incoming W3C `traceparent` (when valid), named `{method} {route}` once the router
 * matched a route (else `{method}`), with the OpenTelemetry HTTP semantic-convention attributes
 * `http.request.method`, `http.route`, `http.response.status_code`, `url.path`, `url.scheme`, `server.address`,
 * `server.port`, `client.address` and `user_agent.original` — no header values, no query, no body.
 *
 * @since 0.2.0
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import { Context, Effect, Option } from "effect"
import * as RequestLog from "./RequestLog.js"

/** `host[:port]` of a `Host` header, `[v6]` included. */
const hostAndPort = (host: string): [string, number | undefined] => {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host)
  return match === null ? [host, undefined] : [match[1]!, match[2] === undefined ? undefined : Number(match[2])]
}

/**
 * The serve-level middleware making the request's server span and running the app under it.
 * @since 0.2.0
 * @category middleware
 */
export const middleware = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.withFiberRuntime((fiber) => {
    const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
    const attributes: Record<string, unknown> = {
      "http.request.method": request.method,
      "url.path": RequestLog.pathOf(request.url),
      "url.scheme": "http"
    }
    if (request.headers.host !== undefined) {
      const [address, port] = hostAndPort(request.headers.host)
      attributes["server.address"] = address
      if (port !== undefined) attributes["server.port"] = port
    }
    if (Option.isSome(request.remoteAddress)) attributes["client.address"] = request.remoteAddress.value
    if (request.headers["user-agent"] !== undefined) attributes["user_agent.original"] = request.headers["user-agent"]
    return Effect.useSpan(
      request.method,
      { parent: Option.getOrUndefined(HttpTraceContext.fromHeaders(request.headers)), kind: "server", captureStackTrace: false, attributes },
      (span) =>
        Effect.zipRight(
          HttpApp.appendPreResponseHandler((_, response) =>
            Effect.sync(() => {
              span.attribute("http.response.status_code", response.status)
              return response
            })
          ),
          Effect.withParentSpan(app, span)
        )
    )
  })
