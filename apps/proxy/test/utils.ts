/**
 * Shared helpers of the proxy tests: the BASE manifest, test tokens, a proxy served on 127.0.0.1 port 0,
 * and `fetch` as an Effect that reads the whole answer.
 */
import { HttpServer } from "@effect/platform"
import type { ModelVersions } from "@mreg/core"
import { ModelVersionsSql } from "@mreg/registry"
import * as Fixtures from "@mreg/test-fixtures"
import { Context, Effect, Layer } from "effect"
import { randomUUID } from "node:crypto"
import * as NodeServer from "../src/NodeServer.js"
import * as RequestLog from "../src/RequestLog.js"
import * as Server from "../src/Server.js"
import * as Tokens from "../src/Tokens.js"

/** The BASE manifest (`@mreg/test-fixtures`) in an ML repo; `fields` replace (or, `undefined`, remove) fields. */
export const base = (mlRepo = "nlp-team", fields: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ ...Fixtures.base({ ml_repo: mlRepo, ...fields }) })

/** A fresh ML repo name with a prefix (tests never share a repo). */
export const freshRepo = (prefix = "nlp") => `${prefix}-${randomUUID().slice(0, 8)}`

/** Test tokens: alice writes everything, bob writes `vision-*` and reads `shared`, carol has no scope. */
export const TOKENS = {
  alice: "alice-token-0123456789",
  bob: "bob-token-0123456789ab",
  carol: "carol-token-012345678"
} as const

/** The subjects of {@link TOKENS}. */
export const SUBJECTS = {
  alice: { subjectId: "u-alice", subjectType: "user", subjectSlug: "alice", subjectDisplayName: "Alice" },
  bob: { subjectId: "sa-bob", subjectType: "serviceaccount" },
  carol: { subjectId: "t-carol", subjectType: "team" }
} as const

/** The tokens file of the tests (as parsed YAML/JSON). */
export const tokensFile = {
  tokens: [
    { token: TOKENS.alice, subject: SUBJECTS.alice, scopes: [{ ml_repo: "*", access: "write" as const }] },
    {
      token: TOKENS.bob,
      subject: SUBJECTS.bob,
      scopes: [{ ml_repo: "vision-*", access: "write" as const }, { ml_repo: "shared", access: "read" as const }]
    },
    { token: TOKENS.carol, subject: SUBJECTS.carol, scopes: [] }
  ]
}

/** `Authorization` header of a test token. */
export const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

/** A served proxy: its base URL and the log lines it wrote. */
export class TestServer extends Context.Tag("test/TestServer")<TestServer, {
  readonly url: string
  readonly logs: ReadonlyArray<string>
}>() {}

/** A private in-memory SQLite registry. */
export const embedded: Layer.Layer<ModelVersions.ModelVersions> = ModelVersionsSql.layerSqlite({ filename: ":memory:" }).pipe(Layer.orDie)

/**
 * The proxy served on 127.0.0.1, port 0; stops with the layer's scope. Default: embedded in-memory registry, the
 * test tokens, 1 MiB body limit.
 */
export const layerServer = (options: {
  readonly maxBodyBytes?: number
  readonly registry?: Layer.Layer<ModelVersions.ModelVersions>
  readonly backend?: "embedded" | "upstream"
  readonly tokens?: Layer.Layer<Tokens.Tokens>
} = {}): Layer.Layer<TestServer> => {
  const logs: Array<string> = []
  return Layer.effect(TestServer, HttpServer.addressFormattedWith((url) => Effect.succeed({ url, logs }))).pipe(
    Layer.provideMerge(Server.layer({ backend: options.backend })),
    Layer.provide(NodeServer.layer({ host: "127.0.0.1", port: 0, maxBodyBytes: options.maxBodyBytes })),
    Layer.provide(options.registry ?? embedded),
    Layer.provide(options.tokens ?? Tokens.layer(tokensFile).pipe(Layer.orDie)),
    Layer.provide(RequestLog.layerTo((line) => logs.push(line))),
    Layer.orDie
  )
}

/** A whole HTTP answer. */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: any
}

const parseOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** `fetch` that reads the whole body. */
export const call = (url: string, init: RequestInit = {}): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { status: response.status, headers: response.headers, text, json: parseOrUndefined(text) }
  })

/** `PUT {url}/api/ml/v1/model-versions` of `{"manifest": manifest}` (or a raw string body). */
export const put = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`${url}/api/ml/v1/model-versions`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify({ manifest: body })
  })
