import { assert, describe, it } from "@effect/vitest"
import { ModelManifest, ModelVersion, ModelVersions, RegistryError } from "@mreg/core"
import * as Http from "@mreg/core/ModelVersions/Http"
import { wireVersion } from "@mreg/test-fixtures"
import { Effect, Redacted, Schema } from "effect"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

type Reply = (req: IncomingMessage, res: ServerResponse, body: string) => void

/** A loopback server that answers the n-th request with the n-th reply (the last one repeats). */
const scripted = (replies: ReadonlyArray<Reply>) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; requests: Array<{ headers: IncomingMessage["headers"]; body: string }>; server: Server }>((resume) => {
      const requests: Array<{ headers: IncomingMessage["headers"]; body: string }> = []
      const server = createServer((req, res) => {
        let body = ""
        req.on("data", (chunk) => (body += chunk))
        req.on("end", () => {
          requests.push({ headers: req.headers, body })
          replies[Math.min(requests.length, replies.length) - 1]!(req, res, body)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, requests, server }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
  )

/** Answers with an HTML page. */
const html = (status: number, page: string): Reply => (_req, res) => {
  res.writeHead(status, { "content-type": "text/html" })
  res.end(page)
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => (_req, res) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

const manifest = new ModelManifest.ModelManifest({
  type: "model-version",
  name: "sentiment-clf",
  ml_repo: "nlp-team",
  metadata: {},
  source: { type: "truefoundry", uri: "s3://bucket/sentiment/1" }
})

/** A response as TrueFoundry documents it: no ETag, no Idempotent-Replayed, and a field mreg does not know. */
const truefoundryData = wireVersion({ ...manifest, version: 1, step: 0, lineage: { parent: "mv-0" } }, {
  created_by_subject: { subjectId: "u1", subjectType: "user", subjectSlug: "ada" },
  usage_code_snippet: "...",
  metrics: [{ key: "acc", value: 0.9, timestamp: 1717243200000, step: 1 }],
  deployable: false,
  artifact_size: 1234
})

const run = <A>(url: string, f: (registry: ModelVersions.Service) => Effect.Effect<A, RegistryError.RegistryError>) =>
  Effect.flatMap(ModelVersions.ModelVersions, f).pipe(
    Effect.provide(
      Http.layerFetch({ baseUrl: url, apiKey: Redacted.make("secret-token"), retries: 3, retryBaseDelay: "5 millis", timeout: "300 millis" })
    )
  )

describe("ModelVersions/Http", () => {
  it.scopedLive("works against a TrueFoundry-shaped server: bearer sent, no ETag, unknown fields kept", () =>
    Effect.gen(function*() {
      const server = yield* scripted([json(200, { data: truefoundryData })])
      const result = yield* run(server.url, (r) => r.upsert(manifest))
      assert.strictEqual(result.modelVersion.fqn, "model:acme/nlp-team/sentiment-clf:1")
      assert.deepStrictEqual(result.modelVersion.metrics, [{ key: "acc", value: 0.9, timestamp: 1717243200000, step: 1 }])
      assert.strictEqual(result.etag, undefined)
      assert.strictEqual(result.replayed, false)
      const encoded = Schema.encodeSync(ModelVersion.ModelVersion)(result.modelVersion) as Record<string, any>
      assert.strictEqual(encoded.artifact_size, 1234)
      assert.deepStrictEqual(encoded.manifest.lineage, { parent: "mv-0" })
      assert.strictEqual(server.requests.length, 1)
      assert.strictEqual(server.requests[0]!.headers.authorization, "Bearer secret-token")
      assert.match(String(server.requests[0]!.headers["idempotency-key"]), /^[0-9a-f-]{36}$/)
      assert.deepStrictEqual(JSON.parse(server.requests[0]!.body), {
        manifest: {
          type: "model-version",
          name: "sentiment-clf",
          ml_repo: "nlp-team",
          metadata: {},
          source: { type: "truefoundry", uri: "s3://bucket/sentiment/1" }
        }
      })
    }))

  it.scopedLive("retries 503 with the same Idempotency-Key and returns the success", () =>
    Effect.gen(function*() {
      const server = yield* scripted([
        (_req, res) => {
          res.writeHead(503, { "content-type": "text/plain" })
          res.end("busy")
        },
        json(200, { data: truefoundryData }, { etag: "\"mv-1.1\"", "idempotent-replayed": "true" })
      ])
      const result = yield* run(server.url, (r) => r.upsert(manifest))
      assert.strictEqual(server.requests.length, 2)
      assert.strictEqual(server.requests[0]!.headers["idempotency-key"], server.requests[1]!.headers["idempotency-key"])
      assert.strictEqual(result.etag, "\"mv-1.1\"")
      assert.strictEqual(result.replayed, true)
    }))

  it.scopedLive("an HTML 502 is an UpstreamError carrying 502, after the retries", () =>
    Effect.gen(function*() {
      const server = yield* scripted([html(502, "<html><body>502 Bad Gateway</body></html>")])
      const error = yield* Effect.flip(run(server.url, (r) => r.upsert(manifest)))
      assert.strictEqual(error._tag, "UpstreamError")
      assert.strictEqual((error as RegistryError.UpstreamError).status, 502)
      assert.strictEqual((error as RegistryError.UpstreamError).upstreamStatus, 502)
      assert.strictEqual(server.requests.length, 4)
      assert.notInclude(error.message, "secret-token")
    }))

  // An error body of the contract comes back as mreg's error (fixed message for the status, typed details);
  // `requests` counts the first try and the retries.
  for (
    const { name, body, expected, call, requests } of [
      {
        name: "a 413 is not retried",
        body: { statusCode: 413, code: "PAYLOAD_TOO_LARGE", message: "body over 1048576 bytes", details: [{ limit: 1048576 }] },
        expected: { statusCode: 413, code: "PAYLOAD_TOO_LARGE", message: "the request body is larger than the limit of 1048576 bytes", details: [{ limit: 1048576 }] },
        call: (r: ModelVersions.Service) => r.upsert(manifest),
        requests: 1
      },
      {
        name: "a 503 that stays: StoreUnavailable after the retries",
        body: { statusCode: 503, code: "STORE_UNAVAILABLE", message: "db down", details: { retryAfter: 2 } },
        expected: { statusCode: 503, code: "STORE_UNAVAILABLE", message: "the registry store is unavailable; retry later", details: [{ retryAfter: 2 }] },
        call: (r: ModelVersions.Service) => r.get("mv-1" as never),
        requests: 4
      }
    ]
  ) {
    it.scopedLive(name, () =>
      Effect.gen(function*() {
        const server = yield* scripted([json(body.statusCode, body)])
        const error = yield* Effect.flip(run(server.url, call))
        assert.deepStrictEqual(RegistryError.toBody(error), expected)
        assert.strictEqual(server.requests.length, requests)
      }))
  }

  it.scopedLive("error bodies of the contract decode to the tagged errors", () =>
    Effect.gen(function*() {
      const server = yield* scripted([
        json(409, { statusCode: 409, code: "ALIAS_IN_USE", message: "held by version 2", details: { version: 2, alias: "v1" } })
      ])
      const error = yield* Effect.flip(run(server.url, (r) => r.upsert(manifest)))
      assert.strictEqual(error._tag, "Conflict")
      assert.strictEqual((error as RegistryError.Conflict).reason, "ALIAS_IN_USE")
      assert.deepStrictEqual((error as RegistryError.Conflict).details, { version: 2, alias: "v1" })
    }))

  it.scopedLive("a server slower than the timeout is a 504 UpstreamError", () =>
    Effect.gen(function*() {
      const server = yield* scripted([(_req, res) => setTimeout(() => json(200, { data: truefoundryData })(_req, res, ""), 2_000)])
      const error = yield* Effect.flip(run(server.url, (r) => r.get("mv-1" as never)))
      assert.strictEqual(error._tag, "UpstreamError")
      assert.strictEqual((error as RegistryError.UpstreamError).status, 504)
    }))

  it.live("a refused connection is an UpstreamError naming the host", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run("http://127.0.0.1:9", (r) => r.list(new ModelVersions.ListQuery({}))))
      assert.strictEqual(error._tag, "UpstreamError")
      assert.strictEqual(error.message, "cannot reach 127.0.0.1:9")
    }))

  it.scopedLive("a 503 STORE_UNAVAILABLE then a 200: one success, after one retry", () =>
    Effect.gen(function*() {
      const server = yield* scripted([
        json(503, { statusCode: 503, code: "STORE_UNAVAILABLE", message: "the registry store is unavailable", details: { retryAfter: 1 } }, {
          "retry-after": "1"
        }),
        json(200, { data: truefoundryData })
      ])
      const result = yield* run(server.url, (r) => r.get("mv-1" as never))
      assert.strictEqual(result.modelVersion.id, "mv-1")
      assert.strictEqual(server.requests.length, 2)
    }))

  it.scopedLive("a 409 with a traceback is a Conflict with mreg's message, not retried", () =>
    Effect.gen(function*() {
      const server = yield* scripted([
        json(409, {
          statusCode: 409,
          code: "ALIAS_IN_USE",
          message: "Traceback (most recent call last):\n  File \"/app/db.py\", line 3, in upsert\n" +
            "psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint \"uq_alias\"",
          details: [{ alias: "v1", query: "INSERT INTO model_versions (alias) VALUES ('v1')" }]
        })
      ])
      const error = yield* Effect.flip(run(server.url, (r) => r.upsert(manifest)))
      assert.deepStrictEqual(RegistryError.toBody(error), {
        statusCode: 409,
        code: "ALIAS_IN_USE",
        message: "version alias \"v1\" is held by another version of this model",
        details: [{ alias: "v1" }]
      })
      assert.strictEqual(server.requests.length, 1)
    }))

  it.scopedLive("an HTML 400 is a 502 UPSTREAM_ERROR carrying 400, not retried", () =>
    Effect.gen(function*() {
      const server = yield* scripted([html(400, "<html><body>400 Bad Request</body></html>")])
      const error = yield* Effect.flip(run(server.url, (r) => r.upsert(manifest)))
      assert.deepStrictEqual(RegistryError.toBody(error), {
        statusCode: 502,
        code: "UPSTREAM_ERROR",
        message: `${new URL(server.url).host} answered HTTP 400 without a JSON error body`,
        details: [{ upstreamStatus: 400 }]
      })
      assert.strictEqual(server.requests.length, 1)
    }))

  it.scopedLive("ForwardHeaders are sent over the layer's own, never over the endpoint's", () =>
    Effect.gen(function*() {
      const server = yield* scripted([json(200, { data: truefoundryData })])
      yield* run(server.url, (r) => r.upsert(manifest, { idempotencyKey: "k-1" })).pipe(
        Effect.provideService(Http.ForwardHeaders, { Authorization: "Bearer caller-token", "x-request-id": "req-7", "idempotency-key": "other" })
      )
      const headers = server.requests[0]!.headers
      assert.deepStrictEqual([headers.authorization, headers["x-request-id"], headers["idempotency-key"]], [
        "Bearer caller-token",
        "req-7",
        "k-1"
      ])
    }))
})
