/**
 * What the proxy's handlers call once a request is authenticated and fully validated: the embedded registry
 * (`Embedded`) or an upstream control plane (`Upstream`). Each operation answers with the HTTP response to send (so
 * an upstream's body can pass through unchanged) and fails with a registry error (sent as its contract body).
 *
 * @since 0.1.0
 */
import type { HttpServerResponse } from "@effect/platform"
import type { ModelManifest, ModelVersion, ModelVersions, RegistryError } from "@mreg/core"
import { Context, Data, type Effect, type Option, type Redacted } from "effect"

/**
 * The caller of one request: its bearer token (forwarded upstream in pass-through mode), subject and request id.
 * @since 0.1.0
 * @category models
 */
export interface Call {
  readonly bearer: Option.Option<Redacted.Redacted<string>>
  readonly subject: ModelVersion.Subject
  readonly requestId: string
}

/**
 * A refusal to send as it is: an upstream's error answer, already in the contract's shape (e.g. its 404 or 409 body).
 * @since 0.1.0
 * @category errors
 */
export class Refused extends Data.TaggedError("Refused")<{ readonly response: HttpServerResponse.HttpServerResponse }> {}

/**
 * What a backend operation fails with: a registry error (sent as its contract body) or a ready-made refusal.
 * @since 0.1.0
 * @category models
 */
export type Failure = RegistryError.RegistryError | Refused

/**
 * A validated upsert: the original body bytes, the decoded request and the conditional/idempotency headers.
 * @since 0.1.0
 * @category models
 */
export interface Upsert {
  readonly body: Uint8Array
  readonly request: ModelManifest.UpsertRequest
  readonly idempotencyKey: string | undefined
  readonly ifMatch: string | undefined
  readonly ifNoneMatch: "*" | undefined
}

/**
 * A response together with the ML repos of the versions it shows, for the read-scope check before it is sent.
 * @since 0.1.0
 * @category models
 */
export interface Shown {
  readonly response: HttpServerResponse.HttpServerResponse
  readonly mlRepos: ReadonlyArray<string>
}

/**
 * The backend operations.
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly mode: "embedded" | "upstream"
  readonly upsert: (input: Upsert, call: Call) => Effect.Effect<HttpServerResponse.HttpServerResponse, Failure>
  readonly get: (id: ModelVersion.ModelVersionId, call: Call) => Effect.Effect<Shown, Failure>
  /** The ML repo of a live version (for write-scope checks). Fails with `NotFound`. */
  readonly mlRepoOf: (id: ModelVersion.ModelVersionId, call: Call) => Effect.Effect<string, Failure>
  /** `search` is the original query string (with its `?`, or empty), forwarded as is. */
  readonly list: (query: ModelVersions.ListQuery, search: string, call: Call) => Effect.Effect<Shown, Failure>
  readonly delete: (id: ModelVersion.ModelVersionId, call: Call) => Effect.Effect<HttpServerResponse.HttpServerResponse, Failure>
  readonly applyTags: (
    input: { readonly body: Uint8Array; readonly request: ModelVersions.ApplyTagsRequest },
    call: Call
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, Failure>
  /** Why the backend is not ready (the store does not answer, the upstream is unreachable), or `None` when it is. */
  readonly ready: Effect.Effect<Option.Option<string>>
  /** Describes the backend for the startup log (never a secret). */
  readonly describe: string
}

/**
 * The `Backend` service tag.
 * @since 0.1.0
 * @category tags
 */
export class Backend extends Context.Tag("proxy/Backend")<Backend, Service>() {}
