/**
 * The HTTP contract of the model-version API (`@effect/platform` HttpApi): five model-version endpoints and three
 * model endpoints under a prefix (`/api/ml/v1` by default, `/api/svc/v1` too), TrueFoundry's generic apply and
 * delete under `/api/svc/v1`, bearer auth, and every error with its status.
 *
 * | endpoint | request | 2xx body |
 * | --- | --- | --- |
 * | `upsert` | `PUT {prefix}/model-versions` `{"manifest"}`, headers `Idempotency-Key`, `If-Match`, `If-None-Match` | `{"data": ModelVersion}`, headers `ETag`, `Idempotent-Replayed` |
 * | `get` | `GET {prefix}/model-versions/{id}` | `{"data": ModelVersion}`, header `ETag` |
 * | `list` | `GET {prefix}/model-versions?fqn&ml_repo_id&model_id&name&version&tag&run_ids&run_steps&limit&offset` | `{"data": [...], "pagination"}` |
 * | `delete` | `DELETE {prefix}/model-versions/{id}` | `{}` |
 * | `history` | `GET {prefix}/model-versions/{id}/history?limit&offset` (mreg) | `{"data": ModelVersionEvent[], "pagination"}`, oldest first |
 * | `applyTags` | `PUT {prefix}/model-versions/tags` `{"model_version_id", "tags", "force"?}` | `{}` |
 * | `models.list` | `GET {prefix}/models?fqn&ml_repo_id&name&run_id&include_empty_models&limit&offset` | `{"data": Model[], "pagination"}` |
 * | `models.get` | `GET {prefix}/models/{id}` | `{"data": Model}` |
 * | `models.delete` | `DELETE {prefix}/models/{id}` (the model and all its versions) | `{}` |
 * | `apply.apply` | `PUT /api/svc/v1/apply` `{"manifest", "dryRun"?}` | `{"existingManifest"?, "action", "data"?}` |
 * | `apply.delete` | `POST /api/svc/v1/delete` `{"manifest"}` | `{}` |
 *
 * Errors travel as `{statusCode, code, message, detail?, details?}` (see `RegistryError`); each error schema here
 * transforms that body to and from the tagged error, so a derived `HttpApiClient` fails with the same
 * `Schema.TaggedError`s as the embedded registry. The schemas are generated from `RegistryError.Table`, one per
 * status (`UpstreamError` at 502 and, as `GatewayTimeout`, at 504). Query parameters are declared as strings and
 * validated by the server into `ListQuery`, so a bad `limit` is a 422 naming `query.limit`, like any other
 * validation error.
 *
 * @since 0.1.0
 */
import { queryList, queryValue } from "./internal/annotations.js"
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import * as OpenApi from "@effect/platform/OpenApi"
import { Context, Schema } from "effect"
import { ApplyRequest, ApplyResponse, DeleteRequest } from "./Apply.js"
import * as Model from "./Model.js"
import { UpsertRequest } from "./ModelManifest.js"
import { ModelVersionPage, ModelVersionResponse, type Subject } from "./ModelVersion.js"
import { HistoryPage } from "./ModelVersionEvent.js"
import { ApplyTagsRequest } from "./ModelVersions.js"
import * as RegistryError from "./RegistryError.js"

/** Default path prefix (TrueFoundry's ML API). @since 0.1.0 @category constants */
export const DEFAULT_PREFIX = "/api/ml/v1"

/** The other prefix TrueFoundry serves the same API under. @since 0.1.0 @category constants */
export const SVC_PREFIX = "/api/svc/v1"

const wireError = <Name extends RegistryError.RowName>(name: Name): WireError<Name> => {
  const { status } = RegistryError.Table[name]
  const typed = Schema.declare(
    (value: unknown): value is RegistryError.ErrorOf<Name> =>
      RegistryError.isRegistryError(value) && RegistryError.rowNameOf(value) === name,
    { identifier: name }
  )
  return Schema.transform(
    RegistryError.ErrorBodySchema.pipe(Schema.filter((body) => body.statusCode === status)),
    typed,
    {
      strict: true,
      decode: (body) => RegistryError.fromBody(status, body) as RegistryError.ErrorOf<Name>,
      encode: (error) => RegistryError.toBody(error) as typeof RegistryError.ErrorBodySchema.Type
    }
  ).annotations({
    ...HttpApiSchema.annotations({ status }),
    identifier: name,
    title: name,
    description: `${RegistryError.Table[name].message} (HTTP ${status}, code ${RegistryError.Table[name].code}).`,
    examples: [RegistryError.fromBody(status, undefined) as RegistryError.ErrorOf<Name>]
  })
}

/**
 * The wire schema of one row of `RegistryError.Table`: the error body `{statusCode, code, message, detail?,
 * details?}` at the row's status, to and from the tagged error.
 * @since 0.2.0
 * @category schemas
 */
export type WireError<Name extends RegistryError.RowName> = Schema.Schema<
  RegistryError.ErrorOf<Name>,
  typeof RegistryError.ErrorBodySchema.Encoded
>

/**
 * Wire schemas of the errors, one per row of `RegistryError.Table` (so by status; `UpstreamError` is 502 and
 * `GatewayTimeout` is the same error at 504).
 * @since 0.1.0
 * @category schemas
 */
export const Errors: { readonly [Name in RegistryError.RowName]: WireError<Name> } = Object.fromEntries(
  Object.keys(RegistryError.Table).map((name) => [name, wireError(name as RegistryError.RowName)])
) as never

/**
 * The caller of a request, as established by the `Authorization` middleware (from the bearer token).
 * @since 0.1.0
 * @category tags
 */
export class CurrentSubject extends Context.Tag("@mreg/core/CurrentSubject")<CurrentSubject, Subject>() {}

/**
 * Bearer-token authentication: `Authorization: Bearer <token>`. Fails with 401 `Unauthorized`; provides
 * {@link CurrentSubject}. Servers implement it (the proxy's tokens file); clients send the header.
 * @since 0.1.0
 * @category middleware
 */
export class Authorization extends HttpApiMiddleware.Tag<Authorization>()("@mreg/core/Authorization", {
  failure: Errors.Unauthorized,
  provides: CurrentSubject,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

/**
 * Request headers of `upsert` (lower-case, as HTTP/1.1 servers see them).
 * @since 0.1.0
 * @category schemas
 */
export const UpsertHeaders = Schema.Struct({
  "idempotency-key": Schema.optional(Schema.String.annotations({
    description: "Replays the first answer for a repeated request with the same key: 1–255 printable ASCII characters.",
    examples: ["ci-run-4711"]
  })),
  "if-match": Schema.optional(Schema.String.annotations({
    description: "Updates only if the stored version still has this ETag (from an earlier response), or * (exists).",
    examples: ["\"0b7e5c3a-3f1d-4c55-9a7e-2f4f1c2d8e91.1\""]
  })),
  "if-none-match": Schema.optional(Schema.String.annotations({
    description: "* creates only: fails with 412 when the version exists.",
    examples: ["*"]
  }))
})

/**
 * Query parameters of `list`, as sent (strings; `run_ids` and `run_steps` repeated or comma-separated). The server
 * validates them into `ListQuery`.
 * @since 0.1.0
 * @category schemas
 */
export const ListUrlParams = Schema.Struct({
  fqn: queryValue("FQN of a model or model version: model:{tenant}/{ml_repo}/{name}[:{version|alias|latest}].", "model:acme/nlp-team/sentiment-clf"),
  ml_repo_id: queryValue("Id of the ML repo.", "5d0b1f0e-8c1a-4f0a-9d43-7a2b7c1e6f10"),
  ml_repo: queryValue("Name of the ML repo.", "nlp-team"),
  model_id: queryValue("Id of the model.", "a8f3c2d4-1b6e-4e7f-8a90-3c5d7e9f1b2a"),
  name: queryValue("Name of the model.", "sentiment-clf"),
  version: queryValue("Version number, or latest: the highest live version of each model.", "1"),
  tag: queryValue("A tag the version carries.", "production"),
  run_ids: queryList("Run ids, repeated or comma-separated.", "run-2024-06-01-a"),
  run_steps: queryList("Training steps, repeated or comma-separated.", "0"),
  limit: queryValue("Page size.", "100"),
  offset: queryValue("Number of matches to skip.", "0"),
  page_token: queryValue("pagination.next_page_token of an earlier page, sent back unchanged with the same filters (mreg).", "WyJubHAtdGVhbSIsInNlbnRpbWVudC1jbGYiLDNd"),
  filter: queryValue("Filter expression (mreg), e.g. metadata.accuracy >= 0.9 and tag = \"prod\"; grammar in docs/filter.md. A bad one is 422 naming the column.", "metadata.accuracy >= 0.9 and tag = \"prod\"")
})

/**
 * Query parameters of `history`, as sent (strings); the server validates them (`ListQueryParams.decodeHistory`).
 * @since 0.2.0
 * @category schemas
 */
export const HistoryUrlParams = Schema.Struct({
  limit: queryValue("Page size, 1–1000 (default 100).", "100"),
  offset: queryValue("Number of events to skip.", "0")
})

const id = HttpApiSchema.param(
  "id",
  Schema.String.annotations({ description: "Id of the model version.", examples: ["0b7e5c3a-3f1d-4c55-9a7e-2f4f1c2d8e91"] })
)
const modelId = HttpApiSchema.param(
  "id",
  Schema.String.annotations({ description: "Id of the model.", examples: ["a8f3c2d4-1b6e-4e7f-8a90-3c5d7e9f1b2a"] })
)

/** `{}`, the answer of `applyTags` and `delete`. */
const Empty = Schema.Struct({}).annotations({ identifier: "Empty", title: "Empty", description: "An empty object.", examples: [{}] })

/** `ApplyTagsRequest` with an example for the OpenAPI document. */
const ApplyTagsPayload = ApplyTagsRequest.annotations({
  title: "Apply tags request",
  description: "Tags to put on a model version; force moves a tag held by another version of the model.",
  examples: [new ApplyTagsRequest({ model_version_id: "0b7e5c3a-3f1d-4c55-9a7e-2f4f1c2d8e91", tags: ["production"] })]
})

/** The errors every endpoint may answer (scope, store, upstream), bearer authentication, and the path prefix. */
const shared = (prefix: string) =>
<Id extends string, Endpoint extends HttpApiEndpoint.HttpApiEndpoint.Any, Error, R>(
  group: HttpApiGroup.HttpApiGroup<Id, Endpoint, Error, R>
) =>
  group
    .addError(Errors.Forbidden)
    .addError(Errors.StoreError)
    .addError(Errors.UpstreamError)
    .addError(Errors.StoreUnavailable)
    .addError(Errors.GatewayTimeout)
    .middleware(Authorization)
    .prefix(prefix as `/${string}`)

/** The errors of an endpoint that reads a JSON body: syntax (400), rules (422), size (413). */
const bodyErrors = <
  Name extends string,
  Method extends HttpMethod.HttpMethod,
  Path,
  UrlParams,
  Payload,
  Headers,
  Success,
  Error,
  R,
  RE
>(endpoint: HttpApiEndpoint.HttpApiEndpoint<Name, Method, Path, UrlParams, Payload, Headers, Success, Error, R, RE>) =>
  endpoint.addError(Errors.InvalidJson).addError(Errors.ValidationError).addError(Errors.PayloadTooLarge)

/**
 * The `modelVersions` group under a prefix.
 * @since 0.1.0
 * @category constructors
 */
export const makeGroup = (prefix: string) =>
  HttpApiGroup.make("modelVersions")
      .add(
        HttpApiEndpoint.put("upsert", "/model-versions")
          .setPayload(UpsertRequest)
          .setHeaders(UpsertHeaders)
          .addSuccess(ModelVersionResponse)
          .pipe(bodyErrors)
          .addError(Errors.Conflict)
          .addError(Errors.PreconditionFailed)
          .annotate(OpenApi.Summary, "Create or update a model version")
      )
      .add(
        HttpApiEndpoint.put("applyTags", "/model-versions/tags")
          .setPayload(ApplyTagsPayload)
          .addSuccess(Empty)
          .pipe(bodyErrors)
          .addError(Errors.NotFound)
          .addError(Errors.Conflict)
          .annotate(OpenApi.Summary, "Apply tags to a model version")
      )
      .add(
        HttpApiEndpoint.get("get")`/model-versions/${id}`
          .addSuccess(ModelVersionResponse)
          .addError(Errors.NotFound)
          .annotate(OpenApi.Summary, "Get a model version")
      )
      .add(
        HttpApiEndpoint.get("list", "/model-versions")
          .setUrlParams(ListUrlParams)
          .addSuccess(ModelVersionPage)
          .addError(Errors.ValidationError)
          .annotate(OpenApi.Summary, "List model versions")
      )
      .add(
        HttpApiEndpoint.del("delete")`/model-versions/${id}`
          .addSuccess(Empty)
          .addError(Errors.NotFound)
          .annotate(OpenApi.Summary, "Delete a model version")
      )
      .add(
        HttpApiEndpoint.get("history")`/model-versions/${id}/history`
          .setUrlParams(HistoryUrlParams)
          .addSuccess(HistoryPage)
          .addError(Errors.NotFound)
          .addError(Errors.ValidationError)
          .annotate(OpenApi.Summary, "History of a model version (mreg)")
          .annotate(OpenApi.Description, "Every write to the version (created, updated, tags_applied, deleted), oldest first, one per revision; a deleted version keeps its history.")
      )
      .pipe(shared(prefix))
      .annotate(OpenApi.Description, "Create, read, list, tag and delete model versions.")

const SCHEMA_REF = "#/components/schemas/"

/**
 * The OpenAPI document with each request and response media type's `example` set to the first of its schema's
 * `examples` (the schemas carry them as annotations): what `/docs` "Try it out" pre-fills, and what linters check
 * against the schema. Media types that already have an example are left alone.
 * @since 0.2.0
 * @category openapi
 */
export const withMediaTypeExamples = (spec: Record<string, any>): Record<string, any> => {
  const out = structuredClone(spec)
  const schemas: Record<string, { readonly examples?: ReadonlyArray<unknown> }> = out.components?.schemas ?? {}
  const exampleOf = (schema: { readonly $ref?: string; readonly examples?: ReadonlyArray<unknown> } | undefined) =>
    (schema?.$ref?.startsWith(SCHEMA_REF) ? schemas[schema.$ref.slice(SCHEMA_REF.length)] : schema)?.examples?.[0]
  const fill = (content: Record<string, { example?: unknown; schema?: { $ref?: string } }> | undefined) => {
    for (const media of Object.values(content ?? {})) {
      const example = media.example === undefined ? exampleOf(media.schema) : undefined
      if (example !== undefined) media.example = example
    }
  }
  for (const item of Object.values<Record<string, any>>(out.paths ?? {})) {
    for (const operation of Object.values<any>(item)) {
      fill(operation?.requestBody?.content)
      for (const response of Object.values<any>(operation?.responses ?? {})) fill(response?.content)
    }
  }
  return out
}

/**
 * The `models` group under a prefix: `GET {prefix}/models`, `GET {prefix}/models/{id}`, `DELETE {prefix}/models/{id}`
 * (the model and all its versions). Same middleware and shared errors as `modelVersions`.
 * @since 0.2.0
 * @category constructors
 */
export const makeModelsGroup = (prefix: string) =>
  HttpApiGroup.make("models")
    .add(
      HttpApiEndpoint.get("list", "/models")
        .setUrlParams(Model.ListUrlParams)
        .addSuccess(Model.ModelPage)
        .addError(Errors.ValidationError)
        .annotate(OpenApi.Summary, "List models")
    )
    .add(
      HttpApiEndpoint.get("get")`/models/${modelId}`
        .addSuccess(Model.ModelResponse)
        .addError(Errors.NotFound)
        .annotate(OpenApi.Summary, "Get a model")
    )
    .add(
      HttpApiEndpoint.del("delete")`/models/${modelId}`
        .addSuccess(Empty)
        .addError(Errors.NotFound)
        .annotate(OpenApi.Summary, "Delete a model and all its versions")
    )
    .pipe(shared(prefix))
    .annotate(OpenApi.Description, "List, read and delete models (TrueFoundry's Model: a name in an ML repo, with its latest version).")

/**
 * The `apply` group, TrueFoundry's generic apply and delete (always under `/api/svc/v1`, as TrueFoundry serves
 * them): `PUT /api/svc/v1/apply` `{manifest, dryRun?}` and `POST /api/svc/v1/delete` `{manifest}`, for
 * `model-version` manifests (see `Apply`).
 * @since 0.2.0
 * @category constructors
 */
export const makeApplyGroup = () =>
  HttpApiGroup.make("apply")
    .add(
      bodyErrors(HttpApiEndpoint.put("apply", "/apply").setPayload(ApplyRequest).setHeaders(UpsertHeaders).addSuccess(ApplyResponse))
        .addError(Errors.Conflict)
        .addError(Errors.PreconditionFailed)
        .annotate(OpenApi.Summary, "Apply a model-version manifest (create or update; dryRun predicts)")
    )
    .add(
      bodyErrors(HttpApiEndpoint.post("delete", "/delete").setPayload(DeleteRequest).addSuccess(Empty))
        .addError(Errors.NotFound)
        .annotate(OpenApi.Summary, "Delete the model version a manifest names")
    )
    .pipe(shared(SVC_PREFIX))
    .annotate(OpenApi.Description, "TrueFoundry's generic apply and delete, for model-version manifests.")

/**
 * The model-version API under a prefix: the `modelVersions` and `models` groups under it, and the `apply` group
 * under `/api/svc/v1`.
 * @since 0.1.0
 * @category constructors
 */
export const make = (prefix: string = DEFAULT_PREFIX) =>
  HttpApi.make("RegistryApi")
    .add(makeGroup(prefix))
    .add(makeModelsGroup(prefix))
    .add(makeApplyGroup())
    .annotate(OpenApi.Title, "mreg model-version API")
    .annotate(OpenApi.Description, "TrueFoundry-compatible create-or-update model version API (PUT /api/ml/v1/model-versions)")
    .annotate(OpenApi.License, { name: "MIT", url: "https://opensource.org/licenses/MIT" })
    .annotate(OpenApi.Transform, withMediaTypeExamples)

/**
 * The model-version API under `/api/ml/v1`.
 * @since 0.1.0
 * @category api
 */
export class RegistryApi extends make(DEFAULT_PREFIX) {}
