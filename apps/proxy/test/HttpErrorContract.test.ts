/**
 * TrueFoundry's `HttpError` contract on the wire: every non-422 error body is exactly
 * `{statusCode, code, message, details?}` with `details` a list of objects (`Record<string, unknown>[]` in the
 * TypeScript SDK, `Optional[List[Dict[str, Any]]]` in the Python SDK) — checked for 409, 412 and 404 on both path
 * prefixes, against a schema that rejects any other key.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { auth, base, call, freshRepo, layerServer, TestServer, TOKENS } from "./utils.js"

const alice = auth(TOKENS.alice)

/** TrueFoundry's `HttpError`, strictly: no other key, `details` a list of objects when present. */
const HttpError = Schema.Struct({
  statusCode: Schema.Number,
  code: Schema.String,
  message: Schema.String,
  details: Schema.optional(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
})
const decodeHttpError = Schema.decodeUnknownEither(HttpError, { onExcessProperty: "error" })

/** Asserts that `json` is an `HttpError` and returns its `details` (`undefined` when absent). */
const httpErrorDetails = (json: unknown): ReadonlyArray<Readonly<Record<string, unknown>>> | undefined => {
  const decoded = decodeHttpError(json)
  assert.isTrue(decoded._tag === "Right", `not an HttpError body: ${JSON.stringify(json)}`)
  return decoded._tag === "Right" ? decoded.right.details : undefined
}

layer(layerServer(), { excludeTestServices: true })("HttpError bodies (TrueFoundry's shape)", (it) => {
  for (const prefix of ["/api/ml/v1", "/api/svc/v1"]) {
    it.effect(`${prefix}: 409 and 412 carry details as a list of objects; 404 has none`, () =>
      Effect.gen(function*() {
        const { url } = yield* TestServer
        const repo = freshRepo()
        const put = (manifest: unknown, headers: Record<string, string> = {}) =>
          call(`${url}${prefix}/model-versions`, { method: "PUT", headers: { ...alice, ...headers }, body: JSON.stringify({ manifest }) })
        const first = yield* put(base(repo, { version_alias: "v1" }))
        const second = yield* put(base(repo))
        assert.deepStrictEqual([first.status, second.status], [200, 200])

        const alias = yield* put(base(repo, { version: 2, version_alias: "v1" }))
        assert.deepStrictEqual([alias.status, alias.json.code], [409, "ALIAS_IN_USE"])
        assert.deepStrictEqual(httpErrorDetails(alias.json), [{ field: "manifest.version_alias", alias: "v1", version: 1 }])

        const tags = (id: string) =>
          call(`${url}${prefix}/model-versions/tags`, { method: "PUT", headers: alice, body: JSON.stringify({ model_version_id: id, tags: ["prod"] }) })
        assert.strictEqual((yield* tags(first.json.data.id)).status, 200)
        const tag = yield* tags(second.json.data.id)
        assert.deepStrictEqual([tag.status, tag.json.code], [409, "TAG_IN_USE"])
        assert.deepStrictEqual(httpErrorDetails(tag.json), [{ field: "tags", tag: "prod", version: 1 }])

        const immutable = yield* put(base(repo, { version: 1, version_alias: "v1", run_id: "other-run" }))
        assert.deepStrictEqual([immutable.status, immutable.json.code], [409, "IMMUTABLE_FIELD"])
        assert.deepStrictEqual(httpErrorDetails(immutable.json), [{ field: "manifest.run_id" }])

        const stale = yield* put(base(repo, { version: 1, version_alias: "v1" }), { "if-match": "\"stale\"" })
        assert.strictEqual(stale.status, 412)
        // Applying the tag made revision 2 of version 1.
        assert.deepStrictEqual(httpErrorDetails(stale.json), [{ etag: `"${first.json.data.id}.2"` }])
        const exists = yield* put(base(repo, { version: 2 }), { "if-none-match": "*" })
        assert.strictEqual(exists.status, 412)
        assert.deepStrictEqual(httpErrorDetails(exists.json), [{ etag: second.headers.get("etag") }])

        const missing = yield* call(`${url}${prefix}/model-versions/00000000-0000-4000-8000-000000000000`, { headers: alice })
        assert.strictEqual(missing.status, 404)
        assert.deepStrictEqual(httpErrorDetails(missing.json), undefined)
        assert.deepStrictEqual(Object.keys(missing.json).sort(), ["code", "message", "statusCode"])
      }))
  }
})
