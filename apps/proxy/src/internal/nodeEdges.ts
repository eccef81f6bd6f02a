/**
 * What happens below the `HttpApp` on the Node server: the answers to Node's own parser errors (`clientError`), and
 * closing the connection when a response leaves before its request's body was read.
 *
 * @internal
 */
import * as Http from "node:http"
import type { Duplex } from "node:stream"

/** The JSON error body of the contract for a request Node refused before it reached the application. */
export interface ClientErrorAnswer {
  readonly statusCode: 400 | 408 | 413 | 431
  readonly code: "BAD_REQUEST" | "REQUEST_TIMEOUT" | "PAYLOAD_TOO_LARGE" | "HEADERS_TOO_LARGE"
  readonly message: string
}

/** The limits Node enforces, named in the answers. */
export interface Limits {
  readonly maxHeaderSize: number
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

/** The answer to a Node parser error code (`HPE_…`, `ERR_HTTP_REQUEST_TIMEOUT`), as Node's own table but in JSON. */
export const answerTo = (code: string | undefined, limits: Limits): ClientErrorAnswer => {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        statusCode: 431,
        code: "HEADERS_TOO_LARGE",
        message: `the request line and headers are larger than the limit of ${limits.maxHeaderSize} bytes`
      }
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return {
        statusCode: 408,
        code: "REQUEST_TIMEOUT",
        message: `the request was not received in time: the headers must arrive within ${seconds(limits.headersTimeoutMs)}, the whole request within ${seconds(limits.requestTimeoutMs)}`
      }
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return { statusCode: 413, code: "PAYLOAD_TOO_LARGE", message: "the chunk extensions of the request body are too large" }
    default:
      return { statusCode: 400, code: "BAD_REQUEST", message: "the request is not valid HTTP/1.1 and could not be parsed" }
  }
}

/** The raw HTTP/1.1 response of an answer, with `Connection: close`. */
const rawResponse = (answer: ClientErrorAnswer, requestId: string): string => {
  const body = JSON.stringify(answer)
  return `HTTP/1.1 ${answer.statusCode} ${Http.STATUS_CODES[answer.statusCode]}\r\n` +
    "Content-Type: application/json\r\n" +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-Id: ${requestId}\r\n` +
    "Connection: close\r\n\r\n" + body
}

/** Whether a request announces a body (`Transfer-Encoding`, or a `Content-Length` other than 0). */
const hasBody = (req: Http.IncomingMessage) =>
  req.headers["transfer-encoding"] !== undefined ||
  (req.headers["content-length"] !== undefined && req.headers["content-length"].trim() !== "0")

/** Whether part of a request's body is still on the wire (not received by the parser). */
const bodyPending = (req: Http.IncomingMessage): boolean => !req.complete && hasBody(req)

/** Connections answered by {@link answerClientError}: their request's fiber is interrupted, not answered again. */
export const answered: WeakSet<Duplex> = new WeakSet()

/** The in-flight response of each connection (the request a `clientError` interrupts, if any) and when it began. */
export type InFlight = WeakMap<Duplex, { readonly response: Http.ServerResponse; readonly started: number }>

/**
 * A `ServerResponse` class for `createServer({ ServerResponse })`: registers itself as its connection's in-flight
 * response, and sends `Connection: close` when its head leaves while the request body is still pending — Node would
 * otherwise read (drain) the rest of the body to keep the connection alive.
 */
export const responseClass = (inFlight: InFlight): typeof Http.ServerResponse =>
  class ClosingResponse extends Http.ServerResponse {
    constructor(req: Http.IncomingMessage) {
      super(req)
      inFlight.set(req.socket, { response: this, started: performance.now() })
      this.once("finish", () => {
        if (inFlight.get(req.socket)?.response === this) inFlight.delete(req.socket)
      })
    }

    override writeHead(statusCode: number, statusMessage?: string, headers?: Http.OutgoingHttpHeaders | Array<Http.OutgoingHttpHeader>): this
    override writeHead(statusCode: number, headers?: Http.OutgoingHttpHeaders | Array<Http.OutgoingHttpHeader>): this
    override writeHead(statusCode: number, ...rest: Array<unknown>): this {
      if (!this.headersSent && bodyPending(this.req)) this.setHeader("connection", "close")
      return Reflect.apply(super.writeHead, this, [statusCode, ...rest]) as this
    }
  } as typeof Http.ServerResponse

/**
 * Answers a `clientError` on `socket` with the raw JSON response and closes the connection, unless the socket cannot
 * be written or a response is already on its way (then it only closes). Returns whether the answer was sent.
 */
export const answerClientError = (
  socket: Duplex,
  answer: ClientErrorAnswer,
  requestId: string,
  inFlight: InFlight
): boolean => {
  if (!socket.writable || inFlight.get(socket)?.response.headersSent === true) {
    socket.destroy()
    return false
  }
  answered.add(socket)
  socket.end(rawResponse(answer, requestId))
  socket.once("finish", () => socket.destroy())
  return true
}
