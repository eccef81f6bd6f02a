/**
 * A webhook receiver for tests: an HTTP server on 127.0.0.1 (port 0) that records every POST (Standard Webhooks
 * headers, body, whether `standardwebhooks`' `Webhook#verify` accepts it) and answers what the test decides.
 *
 * @since 0.2.0
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { Webhook } from "standardwebhooks"

/**
 * One request received: `webhookId`, `attempt` (1 for the first request with that id), the parsed `payload`,
 * whether its signature `verified`, and the `status` answered (`undefined` while held).
 * @since 0.2.0
 * @category models
 */
export interface Received {
  readonly webhookId: string
  readonly attempt: number
  readonly payload: { readonly type: string; readonly timestamp: string; readonly data: any }
  readonly verified: boolean
  readonly path: string
  status: number | undefined
}

/**
 * What to answer a request: an HTTP status, or `"hold"` to keep it open without an answer (until `close`).
 * @since 0.2.0
 * @category models
 */
export type Answer = number | "hold"

/**
 * A running receiver: its `url`, every request in arrival order, the ids answered with a 2xx in order, and `close`.
 * @since 0.2.0
 * @category models
 */
export interface Receiver {
  readonly url: string
  readonly received: Array<Received>
  /** The webhook ids answered 2xx, in the order of the answers (an id twice is a duplicate delivery). */
  readonly acknowledged: Array<string>
  /** Resolves when a request satisfying `predicate` has arrived. */
  readonly waitFor: (predicate: (received: Received) => boolean) => Promise<Received>
  readonly close: () => Promise<void>
}

/**
 * Starts a receiver that verifies with `secret` and answers with `answer(request)` (default 204).
 * @since 0.2.0
 * @category constructors
 */
export const startReceiver = async (
  secret: string,
  answer: (request: Received) => Answer = () => 204
): Promise<Receiver> => {
  const webhook = new Webhook(secret)
  const received: Array<Received> = []
  const acknowledged: Array<string> = []
  const attempts = new Map<string, number>()
  const waiters: Array<{ predicate: (r: Received) => boolean; resolve: (r: Received) => void }> = []
  const sockets = new Set<Socket>()
  const held: Array<ServerResponse> = []
  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const webhookId = String(req.headers["webhook-id"] ?? "")
    let verified = true
    try {
      webhook.verify(body, req.headers as Record<string, string>)
    } catch {
      verified = false
    }
    const attempt = (attempts.get(webhookId) ?? 0) + 1
    attempts.set(webhookId, attempt)
    const entry: Received = { webhookId, attempt, payload: JSON.parse(body), verified, path: req.url ?? "", status: undefined }
    received.push(entry)
    const decided = answer(entry)
    if (decided === "hold") held.push(res)
    else {
      entry.status = decided
      if (decided >= 200 && decided < 300) acknowledged.push(webhookId)
      res.writeHead(decided, { "content-type": "text/plain" }).end(decided >= 300 ? "receiver error body" : "")
    }
    for (const waiter of [...waiters]) {
      if (waiter.predicate(entry)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(entry)
      }
    }
  }
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")))
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    received,
    acknowledged,
    waitFor: (predicate) => {
      const found = received.find(predicate)
      return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ predicate, resolve }))
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        void held
        server.close(() => resolve())
      })
  }
}
