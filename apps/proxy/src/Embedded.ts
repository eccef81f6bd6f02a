/**
 * The embedded backend: the proxy's operations on the `ModelVersions` service of `@mreg/registry` (SQLite at
 * `$MREG_HOME/registry.db`, or PostgreSQL with `DATABASE_URL`).
 *
 * Responses: `{"data": ModelVersion}` with `ETag` (upsert, get) and `Idempotent-Replayed: true` on a replayed upsert;
 * `{"data": [...], "pagination"}` for list; `{}` for delete and applyTags. The writer's subject is the caller's.
 *
 * @since 0.1.0
 */
import { HttpServerResponse } from "@effect/platform"
import { ModelVersion, ModelVersions } from "@mreg/core"
import { Duration, Effect, Layer, Option, Schema } from "effect"
import { Backend } from "./Backend.js"

const encodeResponse = Schema.encodeSync(ModelVersion.ModelVersionResponse)
const encodePage = Schema.encodeSync(ModelVersion.ModelVersionPage)

const withEtag = (etag: string | undefined, headers: Record<string, string> = {}) =>
  etag === undefined ? headers : { ...headers, etag }

/**
 * The embedded backend on the `ModelVersions` service in context.
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const registry = yield* ModelVersions.ModelVersions
  const one = (modelVersion: ModelVersion.ModelVersion, headers: Record<string, string>) =>
    HttpServerResponse.unsafeJson(encodeResponse(new ModelVersion.ModelVersionResponse({ data: modelVersion })), { status: 200, headers })

  return Backend.of({
    mode: "embedded",
    describe: "embedded registry",
    upsert: (input, call) =>
      Effect.map(
        registry.upsert(input.request.manifest, {
          subject: call.subject,
          idempotencyKey: input.idempotencyKey,
          ifMatch: input.ifMatch,
          ifNoneMatch: input.ifNoneMatch
        }),
        (result) => one(result.modelVersion, withEtag(result.etag, result.replayed ? { "idempotent-replayed": "true" } : {}))
      ),
    get: (id) =>
      Effect.map(registry.get(id), ({ etag, modelVersion }) => ({
        response: one(modelVersion, withEtag(etag)),
        mlRepos: [modelVersion.manifest.ml_repo]
      })),
    mlRepoOf: (id) => Effect.map(registry.get(id), ({ modelVersion }) => modelVersion.manifest.ml_repo),
    list: (query) =>
      Effect.map(registry.list(query), (page) => ({
        response: HttpServerResponse.unsafeJson(encodePage(page)),
        mlRepos: [...new Set(page.data.map((mv) => mv.manifest.ml_repo))]
      })),
    delete: (id) => Effect.as(registry.delete(id), HttpServerResponse.unsafeJson({})),
    applyTags: ({ request }) => Effect.as(registry.applyTags(request), HttpServerResponse.unsafeJson({})),
    ready: registry.list(new ModelVersions.ListQuery({ limit: 1 })).pipe(
      Effect.timeout(Duration.seconds(5)),
      Effect.as(Option.none<string>()),
      Effect.catchAll(() => Effect.succeed(Option.some("the registry store does not answer")))
    )
  })
})

/**
 * The embedded backend layer, on a `ModelVersions` layer.
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Backend, never, ModelVersions.ModelVersions> = Layer.effect(Backend, make)
