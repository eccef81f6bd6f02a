/**
 * Idempotency keys: per subject, kept 24 hours; the first response of a key is replayed for the same request and a
 * different request with the same key is a `Conflict`.
 * @internal
 */
import { SqlSchema } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { type ModelManifest, ModelVersion, type ModelVersions, RegistryError } from "@mreg/core"
import { Clock, Effect, Option, Schema } from "effect"
import { createHash } from "node:crypto"
import { decoded } from "./queries.js"
import { canonical, encodeManifest } from "./rows.js"
import type { Store } from "./store.js"

/** How long an idempotency key is remembered, in milliseconds (24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

const KeyRow = Schema.Struct({
  request_hash: Schema.String,
  response: Schema.parseJson(ModelVersion.ModelVersion),
  etag: Schema.String,
  created: Schema.Number,
  created_at: Schema.String
})

/** The hash of what a key stands for: the manifest (key order ignored) and the preconditions. */
export const requestHash = (manifest: ModelManifest.ModelManifest, options: ModelVersions.UpsertOptions): string =>
  createHash("sha256")
    .update(canonical({ manifest: encodeManifest(manifest), ifMatch: options.ifMatch ?? null, ifNoneMatch: options.ifNoneMatch ?? null }))
    .digest("hex")

export const makeIdempotency = (store: Store) => {
  const { sql } = store
  const findKey = SqlSchema.findOne({
    Request: Schema.Struct({ scope: Schema.String, key: Schema.String }),
    Result: KeyRow,
    execute: ({ key, scope }) => sql`SELECT request_hash, response, etag, created, created_at FROM idempotency_keys
      WHERE scope = ${scope} AND key = ${key}`
  })

  /**
   * The stored result of `key` when it was used in the last 24 hours (a replay), `None` otherwise; `Conflict`
   * `IDEMPOTENCY_KEY_REUSED` when it was used for a different request. Expired keys are forgotten on the way (this
   * one when it expired; now and then all of them), so the table holds about a day of keys.
   */
  const replay = (scope: string, key: string, hash: string) =>
    Effect.gen(function*() {
      const at = yield* Clock.currentTimeMillis
      const seen = yield* decoded(findKey({ scope, key }))
      if (Option.isSome(seen) && at - new Date(seen.value.created_at).getTime() < IDEMPOTENCY_TTL_MS) {
        if (seen.value.request_hash !== hash) {
          return yield* Effect.fail(new RegistryError.Conflict({
            reason: "IDEMPOTENCY_KEY_REUSED",
            message: `Idempotency-Key "${key}" was already used with a different request; use a new key for a new request`
          }))
        }
        return Option.some({
          modelVersion: seen.value.response,
          etag: seen.value.etag,
          created: seen.value.created === 1,
          replayed: true
        } satisfies ModelVersions.UpsertResult)
      }
      if (Option.isSome(seen) || Math.random() < 0.01) {
        yield* sql`DELETE FROM idempotency_keys WHERE created_at <= ${new Date(at - IDEMPOTENCY_TTL_MS).toISOString()}`
      }
      return Option.none<ModelVersions.UpsertResult>()
    })

  const insertKey = SqlSchema.void({
    Request: Schema.Struct({
      scope: Schema.String,
      key: Schema.String,
      request_hash: Schema.String,
      response: Schema.parseJson(ModelVersion.ModelVersion),
      etag: Schema.String,
      created: Schema.Number,
      created_at: Schema.String
    }),
    execute: (row) => sql`INSERT INTO idempotency_keys ${sql.insert(row)}`
  })

  /** Remembers the response of `key`. */
  const remember = (
    scope: string,
    key: string,
    hash: string,
    result: { readonly modelVersion: ModelVersion.ModelVersion; readonly etag: string; readonly created: boolean }
  ): Effect.Effect<void, SqlError | RegistryError.StoreError> =>
    Effect.flatMap(store.now, (created_at) =>
      decoded(insertKey({
        scope,
        key,
        request_hash: hash,
        response: result.modelVersion,
        etag: result.etag,
        created: result.created ? 1 : 0,
        created_at
      })))

  return { replay, remember }
}
