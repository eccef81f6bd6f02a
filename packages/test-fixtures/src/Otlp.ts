/**
 * A tiny OTLP/HTTP receiver for trace tests: an HTTP server on 127.0.0.1 port 0 that records every request and
 * decodes the `http/json` trace exports (`POST /v1/traces`) into spans with plain attribute values.
 *
 * @since 0.2.0
 */
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

/** One exported span: ids in hex, `kind` as OTLP numbers it (1 internal, 2 server, 3 client). @since 0.2.0 @category models */
export interface Span {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly kind: number
  readonly attributes: Record<string, unknown>
}

/** One request the server received. @since 0.2.0 @category models */
export interface Received {
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** A running receiver. @since 0.2.0 @category models */
export interface Receiver {
  readonly url: string
  readonly requests: ReadonlyArray<Received>
  /** Every span of every trace export so far. */
  readonly spans: () => Array<Span>
  /** The resource attributes of the first trace export (`key → value`). */
  readonly resource: () => Record<string, unknown>
  readonly close: () => Promise<void>
}

const plain = (attributes: ReadonlyArray<{ key: string; value: Record<string, unknown> }>) =>
  Object.fromEntries(attributes.map((a) => [a.key, Object.values(a.value)[0]]))

/**
 * Starts a receiver; `answer` replies to each request (default 200 `{}`), so that it can also stand for an upstream.
 * @since 0.2.0
 * @category constructors
 */
export const receiver = async (answer?: (url: string) => { status: number; body: unknown }): Promise<Receiver> => {
  const requests: Array<Received> = []
  const server = createServer((request, response) => {
    let body = ""
    request.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => {
      requests.push({ url: request.url!, headers: request.headers, body })
      const reply = answer?.(request.url!) ?? { status: 200, body: {} }
      response.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const exports = () => requests.filter((r) => r.url === "/v1/traces").map((r) => JSON.parse(r.body).resourceSpans as Array<any>)
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    spans: () =>
      exports().flatMap((resourceSpans) =>
        resourceSpans.flatMap((rs) => (rs.scopeSpans as Array<any>).flatMap((ss) => (ss.spans as Array<any>).map((s): Span => ({ ...s, attributes: plain(s.attributes) }))))
      ),
    resource: () => plain(exports()[0]?.[0]?.resource.attributes ?? []),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
