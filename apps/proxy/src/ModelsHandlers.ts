/**
 * Handlers of the `models` group (`GET /models`, `GET /models/{id}`, `DELETE /models/{id}`, under both prefixes) and
 * of the `apply` group (`PUT /api/svc/v1/apply`, `POST /api/svc/v1/delete`), on the `ModelVersions` in context (the
 * embedded registry, or core's HTTP client pointed at an upstream).
 *
 * Scopes, as for model versions: every handler runs under the caller's read scope (`Auth.withReadScope`), so the
 * registry looks as if only the caller's ML repos existed — a list holds only their models (`total` counts only
 * them, a filter naming another ML repo is an empty page), and get or delete of another ML repo's model is 404
 * exactly as a missing id. A model delete needs write access to the model's ML repo (403 when the caller may only
 * read it), as a version delete; apply and delete by manifest as an upsert (write on the manifest's `ml_repo`,
 * checked before the body's other rules).
 *
 * @since 0.2.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Apply, ListQueryParams, Model, ModelVersions, RegistryError, Validation } from "@mreg/core"
import { Effect, Either, type ParseResult, Predicate, Schema } from "effect"
import * as Auth from "./Auth.js"
import * as ErrorResponse from "./ErrorResponse.js"
import { Api } from "./internal/api.js"
import { requireSameModel, scopedOptions, upsertHeaders } from "./internal/upsertHeaders.js"
import * as JsonBody from "./JsonBody.js"

const validModelId = Validation.decodeAt(Model.ModelId, ["path", "id"])

/**
 * The `models` group's handlers.
 * @since 0.2.0
 * @category layers
 */
export const models = HttpApiBuilder.group(Api, "models", (handlers) =>
  Effect.gen(function*() {
    const registry = yield* ModelVersions.ModelVersions
    return handlers
      // Filtered in the store (or by core's HTTP client upstream): `total` counts only the caller's ML repos.
      .handle("list", ({ urlParams }) =>
        Auth.reading(Effect.map(Effect.flatMap(ListQueryParams.decodeModels(urlParams), registry.listModels), (page) => ErrorResponse.json(200, page))))
      .handle("get", ({ path }) =>
        Auth.reading(Effect.map(Effect.flatMap(validModelId(path.id), registry.getModel), (data) => ErrorResponse.json(200, { data }))))
      .handle("delete", ({ path }) =>
        Auth.writing((grant) => Effect.gen(function*() {
          const id = yield* validModelId(path.id)
          if (!grant.writesAll) yield* Auth.requireWrite(grant, Model.mlRepoOf(yield* registry.getModel(id)))
          yield* registry.deleteModel(id)
          return {}
        })))
  }))

const ApplyBody = Schema.Struct({ manifest: Schema.Unknown, dryRun: Schema.optional(Schema.Boolean) })
const DeleteBody = Schema.Struct({ manifest: Schema.Unknown })
const strict = { errors: "all", onExcessProperty: "error" } as const
const decodeApplyBody = Schema.decodeUnknownEither(ApplyBody, strict)
const decodeDeleteBody = Schema.decodeUnknownEither(DeleteBody, strict)

/**
 * Reads an apply or delete body under the size limit: the manifest's type must be `model-version` (422 first), the
 * caller must write its `ml_repo` (403), then every problem of the body and the manifest at once (422).
 */
const readManifestBody = <A extends { readonly manifest: unknown }>(
  request: HttpServerRequest.HttpServerRequest,
  decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>
) =>
  Effect.gen(function*() {
    const grant = yield* Auth.CurrentGrant
    yield* Auth.requireSomeWrite(grant)
    const json = yield* JsonBody.readJson(request)
    const unsupported = Apply.unsupportedType(json)
    if (unsupported !== undefined) return yield* Effect.fail(unsupported)
    yield* Auth.requireWriteNamed(grant, json)
    const body = decode(json)
    // The manifest is checked whatever else is wrong with the body, so one answer lists every problem.
    const given = Predicate.isRecord(json) ? json.manifest : undefined
    const manifest = given === undefined
      ? Either.left(new RegistryError.ValidationError({ detail: Predicate.isRecord(json) ? [Validation.manifestRequired(json)] : [] }))
      : Validation.decodeManifest(given)
    if (Either.isLeft(body) || Either.isLeft(manifest)) {
      const detail = [
        ...(Either.isLeft(body) ? Validation.fromParseError(body.left, ["body"]).detail.filter((issue) => issue.type !== "missing") : []),
        ...(Either.isLeft(manifest) ? manifest.left.detail : [])
      ]
      return yield* Effect.fail(new RegistryError.ValidationError({ detail }))
    }
    yield* Auth.requireWrite(grant, manifest.right.ml_repo)
    return { grant, body: body.right, manifest: manifest.right }
  })

/**
 * The `apply` group's handlers. Raw, as `upsert`: the body is read under the size limit and parsed with line/column
 * errors, and the manifest decoded by `Validation` (every problem at once; a NUL character is a 422 at its `loc`, as
 * in an upsert). The reads they make (the version an update replaces, the version a delete names) run under the
 * caller's read scope.
 * @since 0.2.0
 * @category layers
 */
export const apply = HttpApiBuilder.group(Api, "apply", (handlers) =>
  Effect.gen(function*() {
    const registry = yield* ModelVersions.ModelVersions
    return handlers
      .handleRaw("apply", ({ headers, request }) =>
        Auth.withReadScope(Effect.gen(function*() {
          const checked = upsertHeaders(headers)
          if (checked.issues.length > 0) return yield* Effect.fail(new RegistryError.ValidationError({ detail: checked.issues }))
          const { body, grant, manifest } = yield* readManifestBody(request, decodeApplyBody)
          const options = yield* scopedOptions(checked.options, grant.subject)
          const result = yield* Apply.apply(registry, manifest, { ...options, dryRun: body.dryRun })
          yield* requireSameModel(manifest, result.data?.manifest)
          return ErrorResponse.json(200, result)
        })))
      .handleRaw("delete", ({ request }) =>
        Auth.withReadScope(Effect.gen(function*() {
          const { grant, manifest } = yield* readManifestBody(request, decodeDeleteBody)
          // The caller is the writer recorded in the version's history.
          yield* Effect.provideService(Apply.deleteManifest(registry, manifest), ModelVersions.WriteSubject, grant.subject)
          return {}
        })))
  }))
