/**
 * The Node HTTP server the proxy listens with: `NodeHttpServer` with request limits (README, "Configuration").
 *
 * - Body size: the body readers' limit is `maxBodyBytes` (or `HttpIncomingMessage.MaxBodySize` where a handler sets
 *   one) and they stop as soon as it is crossed, `Content-Length` or chunked → 413 `PAYLOAD_TOO_LARGE`, `Connection: close`.
 * - A response that leaves while its request's body is still on the wire closes the connection (no draining).
 * - Timeouts for the headers and the whole request; Node's own refusals (400, 431, 408) answer with the contract's
 *   JSON error body and are logged as one `request` line (`error_code`: Node's code).
 *
 * @since 0.1.0
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { RegistryError } from "@mreg/core"
import { Cause, Duration, Effect, Layer, Option, Runtime } from "effect"
import * as Http from "node:http"
import type { Duplex } from "node:stream"
import { BodyTooLarge, declaredLength, limited, type Overflow } from "./internal/limitedBody.js"
import { answerClientError, answerTo, type InFlight, type Limits, responseClass } from "./internal/nodeEdges.js"
import * as RequestLog from "./RequestLog.js"

/** Default largest request body: 1 MiB. @since 0.1.0 @category constants */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

const DEFAULT_MAX_HEADER_BYTES = 16 * 1024 // Node's default

/** Default time for the request headers to arrive: 10 s. @since 0.1.0 @category constants */
export const DEFAULT_HEADER_TIMEOUT: Duration.Duration = Duration.seconds(10)

/** Default time for the whole request (headers and body) to arrive: 30 s. @since 0.1.0 @category constants */
export const DEFAULT_BODY_TIMEOUT: Duration.Duration = Duration.seconds(30)

const DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.seconds(5)

/** Options of {@link layer}: sizes in bytes, `port` 0 for any free port; `headerTimeout` ≤ `bodyTimeout`. @since 0.1.0 @category models */
export interface Options {
  readonly host: string
  readonly port: number
  readonly maxBodyBytes?: number | undefined
  readonly maxHeaderBytes?: number | undefined
  readonly headerTimeout?: Duration.DurationInput | undefined
  readonly bodyTimeout?: Duration.DurationInput | undefined
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /** Called with the Node server once created (e.g. `Metrics.countConnections`). @since 0.2.0 */
  readonly onServer?: ((server: Http.Server) => void) | undefined
  /**
   * Whether requests are traced: the platform's server span per request and every `Effect.withSpan` /
   * `Effect.fn` span below it. The one switch of tracing: on only when a tracer is configured (default `false`:
   * no span is made, which costs nothing per request; with it on, about a fifth of the stack floor's CPU per
   * request went to spans that nothing exported).
   */
  readonly tracing?: boolean | undefined
}

/** The 413 of a body over the limit, with its declared `size` when there is one. @since 0.1.0 @category errors */
export const payloadTooLarge = (limit: number, size?: number): RegistryError.PayloadTooLarge =>
  new RegistryError.PayloadTooLarge({
    message: size === undefined
      ? `the request body is larger than the limit of ${limit} bytes`
      : `the request body is ${size} bytes; the limit is ${limit} bytes`,
    limit
  })

const findTooLarge = (u: unknown): Option.Option<BodyTooLarge> => {
  if (u instanceof BodyTooLarge) return Option.some(u)
  if (Cause.isCause(u)) {
    return Cause.find(u, (c) => c._tag === "Fail" ? findTooLarge(c.error) : c._tag === "Die" ? findTooLarge(c.defect) : Option.none())
  }
  if (typeof u === "object" && u !== null && "cause" in u && u.cause !== u) return findTooLarge(u.cause)
  return Option.none()
}

/** The 413 of a body read that crossed the limit (`u`: its `RequestError`, cause, or a `Cause` with it). @since 0.1.0 @category errors */
export const toPayloadTooLarge = (u: unknown): Option.Option<RegistryError.PayloadTooLarge> =>
  Option.map(findTooLarge(u), (e) => payloadTooLarge(e.limit, e.size))

const errorResponse = (body: RegistryError.ErrorBody | { readonly statusCode: number; readonly code: string; readonly message: string }) =>
  HttpServerResponse.unsafeJson(body, { status: body.statusCode, headers: { connection: "close" } })

const tooLargeResponse = (limit: number, size: number | undefined) => errorResponse(RegistryError.toBody(payloadTooLarge(limit, size)))

/**
 * Wraps an app with the body limit: 413 `PAYLOAD_TOO_LARGE` for a `Content-Length` over `maxBodyBytes` before the
 * app runs; otherwise the app runs with body readers limited to `maxBodyBytes` (or `MaxBodySize` where set), and
 * when a read crossed the limit its answer is replaced by the 413. Also answers 400 to a Node HTTP/1.1 request without `Host`. {@link layer}
 * applies it to every app it serves; apply it to an in-process web handler's app for the same limit there.
 * @since 0.1.0
 * @category middleware
 */
export const limitBody = (maxBodyBytes: number) => <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const source = NodeHttpServerRequest.toIncomingMessage(request) as Http.IncomingMessage | Request
    if ("httpVersion" in source && source.httpVersion === "1.1" && request.headers.host === undefined) {
      return Effect.succeed(errorResponse({ statusCode: 400, code: "BAD_REQUEST", message: "the request has no Host header (required by HTTP/1.1)" }))
    }
    const declared = declaredLength(request)
    if (declared !== undefined && declared > maxBodyBytes) {
      return Effect.succeed(tooLargeResponse(maxBodyBytes, declared))
    }
    const overflow: Overflow = { value: undefined }
    return app.pipe(
      Effect.provideService(HttpServerRequest.HttpServerRequest, limited(request, overflow, maxBodyBytes)),
      Effect.exit,
      Effect.flatMap((exit) => overflow.value === undefined ? exit : Effect.succeed(tooLargeResponse(overflow.value.limit, overflow.value.size)))
    )
  })

const millis = (input: Duration.DurationInput | undefined, fallback: Duration.Duration) =>
  Math.max(1, Math.round(Duration.toMillis(input ?? fallback)))

const make = (options: Options) =>
  Effect.gen(function*() {
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    const requestTimeoutMs = millis(options.bodyTimeout, DEFAULT_BODY_TIMEOUT)
    const limits: Limits = {
      maxHeaderSize: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      headersTimeoutMs: Math.min(millis(options.headerTimeout, DEFAULT_HEADER_TIMEOUT), requestTimeoutMs),
      requestTimeoutMs
    }
    const inFlight: InFlight = new WeakMap()

    const onClientError = (error: Error & { readonly code?: string }, socket: Duplex) => {
      if (error.code === "ECONNRESET" || error.code === "EPIPE") {
        socket.destroy() // the client is gone: nothing to answer, no request to log
        return
      }
      const current = inFlight.get(socket)
      const req = current?.response.req
      const requestId = RequestLog.requestIdOf(req?.headers["x-request-id"] as string | undefined)
      const answer = answerTo(error.code, limits)
      if (!answerClientError(socket, answer, requestId, inFlight)) return
      runFork(RequestLog.logRequest({
        method: req?.method ?? null,
        path: req?.url === undefined ? null : RequestLog.pathOf(req.url),
        status: answer.statusCode,
        duration_ms: current === undefined ? null : Math.round((performance.now() - current.started) * 10) / 10,
        subject: null,
        request_id: requestId,
        error_code: error.code ?? null
      }))
    }

    let node: Http.Server | undefined
    const server = yield* NodeHttpServer.make(() => {
      const server = Http.createServer({
        ServerResponse: responseClass(inFlight),
        maxHeaderSize: limits.maxHeaderSize,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        // How often Node checks the two timeouts above (its default, 30 s, would stretch them by up to that much).
        connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
        keepAliveTimeout: millis(options.keepAliveTimeout, DEFAULT_KEEP_ALIVE_TIMEOUT),
        // A missing Host is answered by `limitBody` (JSON, logged) rather than by Node's bare 400.
        requireHostHeader: false
      })
      server.on("clientError", onClientError)
      options.onServer?.(server)
      node = server
      return server
    }, { host: options.host, port: options.port })
    // Stopping: `server.close()` (the platform's finalizer, run after this one) waits for every request in flight,
    // and Node stops checking the header and body timeouts once the server is closing, so one client that stalls
    // mid-body kept the process alive for ever after SIGTERM. Requests in flight get the body timeout to finish;
    // the connections still open then are closed.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        setTimeout(() => node?.closeAllConnections(), requestTimeoutMs).unref()
      })
    )

    const limit = limitBody(maxBodyBytes)
    return HttpServer.make({
      address: server.address,
      // The request fibers inherit the fiber refs of the serving fiber: tracing is decided here, once.
      serve: (app, middleware) =>
        options.tracing === true
          ? server.serve(limit(app), middleware as never)
          : server.serve(limit(app), middleware as never).pipe(
            HttpMiddleware.withTracerDisabledWhenEffect(() => true),
            Effect.withTracerEnabled(false)
          )
    })
  })

/**
 * The `HttpServer` (with Node's platform context) on `host:port` with the limits of {@link Options}; `ServeError`
 * when the address cannot be bound. Closing the scope stops listening and waits for in-flight requests, at most
 * `bodyTimeout`: then their connections are closed.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options) =>
  Layer.mergeAll(Layer.scoped(HttpServer.HttpServer, make(options)), NodeHttpServer.layerContext)
