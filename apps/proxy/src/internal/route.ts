/**
 * The route template a request was served under, as the router reports it: the platform's router sets `http.route`
 * on the current parent span. With tracing on that is the server span (`Tracing.middleware`); otherwise a
 * {@link RouteProbe} stands in as the parent span and only keeps that attribute.
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Context, Option, Tracer } from "effect"

const ROUTE = "http.route"

/** A parent span that records nothing but the `http.route` the router sets (Effect's tracer is off). */
class RouteProbe implements Tracer.Span {
  readonly _tag = "Span"
  readonly name = "route"
  readonly spanId = "0000000000000000"
  readonly traceId = "00000000000000000000000000000000"
  readonly parent = Option.none()
  readonly context = Context.empty()
  readonly status: Tracer.SpanStatus = { _tag: "Started", startTime: 0n }
  readonly attributes = new Map<string, unknown>()
  readonly links: ReadonlyArray<Tracer.SpanLink> = []
  readonly sampled = false
  readonly kind = "server"
  end() {}
  attribute(key: string, value: unknown) {
    if (key === ROUTE) this.attributes.set(key, value)
  }
  event() {}
  addLinks() {}
}

/**
 * What an observer of served requests is called with, once the response is ready: the request, the response about to
 * be sent, the route template the router matched (`undefined` when none did) and the seconds since the request
 * started.
 * @internal
 */
export type Observer = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse,
  route: string | undefined,
  seconds: number
) => void

/**
 * The span the router will set `http.route` on: the current parent span in `context` (tracing's server span), else
 * a new {@link RouteProbe}, which the caller must provide as `Tracer.ParentSpan` ({@link isProbe}).
 * @internal
 */
export const routeSpan = (context: Context.Context<never>): Tracer.Span => {
  const parent = Context.getOption(context, Tracer.ParentSpan)
  return Option.isSome(parent) && parent.value._tag === "Span" ? parent.value : new RouteProbe()
}

/** Whether `span` is a probe made by {@link routeSpan} (to be provided as the parent span). @internal */
export const isProbe = (span: Tracer.Span): boolean => span instanceof RouteProbe

/** The route template the router set on `span`, `undefined` when no route matched. @internal */
export const routeAt = (span: Tracer.Span): string | undefined => {
  const route = span.attributes.get(ROUTE)
  return typeof route === "string" ? route : undefined
}
