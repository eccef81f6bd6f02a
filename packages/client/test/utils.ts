/**
 * Shared helpers of the @mreg/client tests: manifests, temp homes and a scripted loopback HTTP server.
 */
import { type Client, createClient, type ModelManifest, type ModelVersion, MregError } from "@mreg/client"
import { base as sharedBase, wireVersion as sharedWireVersion } from "@mreg/test-fixtures"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, onTestFinished } from "vitest"

/** CASES.md `BASE` manifest (`@mreg/test-fixtures`), a fresh copy with some fields replaced. */
export const base = (fields: Partial<ModelManifest> = {}): ModelManifest => sharedBase(fields) as ModelManifest

/** The error a Promise rejects with (fails the test when it resolves). */
export const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  return assert.fail("expected the call to reject")
}

/** Checks that `error` is a `Class` and an `MregError` with this `status` and `code`; returns it as a `Class`. */
export const expectMregError = <E extends MregError>(
  error: unknown,
  Class: new(...args: Array<any>) => E,
  status: number | undefined,
  code: string
): E => {
  assert.instanceOf(error, Class)
  assert.instanceOf(error, MregError)
  const typed = error as E
  assert.strictEqual(typed.status, status)
  assert.strictEqual(typed.code, code)
  return typed
}

/** A temp folder removed when the current test ends. */
export const tempHome = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "mreg-client-"))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A client of an embedded registry in a fresh temporary home, closed when the test ends. */
export const embeddedClient = (): Client => {
  const client = createClient({ embedded: { home: tempHome() } })
  onTestFinished(() => client.close())
  return client
}

/** One request the fake server received. */
export interface Received {
  readonly method: string
  readonly url: URL
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** How the fake server answers the n-th request (0-based), given all requests so far. */
export type Reply = (request: Received, res: ServerResponse, index: number) => void

/**
 * A loopback server on 127.0.0.1, port 0, answering with `reply`; it stops by itself when the current test ends.
 * `requests` lists what it received, in order.
 */
export const fakeServer = async (reply: Reply): Promise<{ readonly url: string; readonly requests: Array<Received> }> => {
  const requests: Array<Received> = []
  const server = createServer((req: IncomingMessage, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => (body += chunk))
    req.on("end", () => {
      const received: Received = {
        method: req.method ?? "",
        url: new URL(req.url ?? "/", "http://127.0.0.1"),
        headers: req.headers,
        body
      }
      requests.push(received)
      reply(received, res, requests.length - 1)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  onTestFinished(() =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  )
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, requests }
}

/** Answers with a JSON body. */
export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

/** A stored model version as a server sends it (wire shape), for version `n` of BASE. */
export const wireVersion = (n: number, fields: Partial<ModelVersion> = {}): ModelVersion =>
  sharedWireVersion({ ...base(), version: n }, {
    created_by_subject: { subjectId: "u1", subjectType: "user", subjectSlug: "ada" },
    usage_code_snippet: "...",
    ...fields
  }) as ModelVersion

/** Runs `f` with environment variables set (`undefined` removes one), restoring them afterwards. */
export const withEnv = <A>(vars: Record<string, string | undefined>, f: () => A): A => {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]))
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
  apply(vars)
  try {
    return f()
  } finally {
    apply(saved)
  }
}
