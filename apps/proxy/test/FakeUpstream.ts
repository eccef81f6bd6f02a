/**
 * A control plane on 127.0.0.1 that misbehaves on command, for the proxy's upstream mode: each request takes the
 * next scripted behaviour (or the default), and every request is recorded (method, URL, headers, body bytes).
 */
import { Context, Effect, Layer } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** One request as the upstream received it. */
export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: Buffer
}

/** What the upstream does with one request. */
export type Behaviour = (request: Seen, response: ServerResponse) => void

/** The fake upstream: its base URL, what it received, and the script of its next answers. */
export interface Service {
  readonly url: string
  readonly seen: Array<Seen>
  /** Behaviours for the next requests, in order; when empty, `fallback` answers. */
  readonly script: Array<Behaviour>
  fallback: Behaviour
}

export class FakeUpstream extends Context.Tag("test/FakeUpstream")<FakeUpstream, Service>() {}

/** Answers with a status, a JSON (or raw string) body and headers. */
export const reply = (status: number, body: unknown, headers: Record<string, string> = {}): Behaviour => (_request, response) => {
  const text = typeof body === "string" ? body : JSON.stringify(body)
  response.writeHead(status, { "content-type": typeof body === "string" ? "text/html" : "application/json", ...headers })
  response.end(text)
}

/** Answers after `ms` milliseconds (unless the client went away). */
export const slow = (ms: number, then: Behaviour): Behaviour => (request, response) => {
  const timer = setTimeout(() => then(request, response), ms)
  response.on("close", () => clearTimeout(timer))
}

/** Drops the connection without an answer (after the request was received, as if the write was committed). */
export const reset: Behaviour = (_request, response) => {
  response.socket?.destroy()
}

export const layer: Layer.Layer<FakeUpstream> = Layer.scoped(
  FakeUpstream,
  Effect.acquireRelease(
    Effect.async<{ readonly service: Service; readonly close: () => Promise<void> }>((resume) => {
      const seen: Array<Seen> = []
      const script: Array<Behaviour> = []
      const service: Service = { url: "", seen, script, fallback: reply(500, "<html>no behaviour scripted</html>") }
      const server = createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const entry: Seen = { method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks) }
          seen.push(entry)
          const behaviour = script.shift() ?? service.fallback
          behaviour(entry, response)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        ;(service as { url: string }).url = `http://127.0.0.1:${port}`
        resume(Effect.succeed({
          service,
          close: () =>
            new Promise<void>((done) => {
              server.closeAllConnections()
              server.close(() => done())
            })
        }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ service }) => service))
)
