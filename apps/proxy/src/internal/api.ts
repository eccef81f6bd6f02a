/**
 * The contract as the proxy serves it: each group of `RegistryApi` (model versions and models under `/api/ml/v1`,
 * which also answers `/api/svc/v1`; apply and delete under `/api/svc/v1`) with its endpoints and errors,
 * authenticated by the proxy's `Auth.Authentication` instead of the contract's middleware.
 * @internal
 */
import * as HttpApi from "@effect/platform/HttpApi"
import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { RegistryApi, type RegistryError } from "@mreg/core"
import { Schema } from "effect"
import { createRequire } from "node:module"
import * as Auth from "../Auth.js"

/** A contract group rebuilt with the proxy's authentication. */
const authenticated = <Id extends string, Endpoint extends HttpApiEndpoint.HttpApiEndpoint.Any, Error, R>(
  contract: HttpApiGroup.HttpApiGroup<Id, Endpoint, Error, R>
) => {
  const endpoints = Object.values(contract.endpoints) as Array<Endpoint>
  return endpoints.slice(1)
    .reduce((group, endpoint) => group.add(endpoint), HttpApiGroup.make(contract.identifier).add(endpoints[0]!))
    .addError(contract.errorSchema as Schema.Schema<Error, unknown>)
    .middleware(Auth.Authentication)
    .annotateContext(contract.annotations)
}

/** The proxy's version (`info.version` of `/openapi.json`), read from its package.json, next to `dist/` and `src/`. */
const VERSION: string = createRequire(import.meta.url)("../../package.json").version

const declared = HttpApi.make("RegistryApi")
  .add(authenticated(RegistryApi.makeGroup(RegistryApi.DEFAULT_PREFIX)))
  .add(authenticated(RegistryApi.makeModelsGroup(RegistryApi.DEFAULT_PREFIX)))
  .add(authenticated(RegistryApi.makeApplyGroup()))
  .annotateContext(RegistryApi.make().annotations)
  .annotate(OpenApi.Version, VERSION)
  .annotate(
    OpenApi.Description,
    "TrueFoundry-compatible create-or-update model version API (PUT /api/ml/v1/model-versions), served by mreg-proxy under /api/ml/v1 and /api/svc/v1, with models (/models) and the generic apply and delete (PUT /api/svc/v1/apply, POST /api/svc/v1/delete). Errors are JSON {statusCode, code, message, detail?, details?}. The JSON Schema of manifest files is at /schemas/model-manifest.json."
  )
  .annotate(OpenApi.Servers, [{ url: "/", description: "this mreg-proxy (the server of this document)" }])

type Groups = typeof declared extends HttpApi.HttpApi<string, infer G, infer _E, infer _R> ? G : never

/**
 * The contract served, without the framework's 400 decode error: `ErrorResponse.middleware` answers those with the
 * contract's 422 and maps every `RegistryError` the handlers fail with.
 */
export const Api: HttpApi.HttpApi<"RegistryApi", Groups, RegistryError.RegistryError> = Object.assign(
  Object.create(Object.getPrototypeOf(declared)),
  declared,
  { errorSchema: Schema.Never }
)
