/**
 * The server side of the contract's `Authorization` middleware (bearer tokens), and the scope checks of each
 * operation.
 *
 * - `Authorization: Bearer <token>` (scheme case-insensitive); anything else is 401 `UNAUTHORIZED`, as is an unknown
 *   token. The token stays `Redacted`.
 * - Scopes: upsert needs write access to the manifest's ML repo; applyTags and delete need write access to the
 *   version's ML repo (looked up first); get and list need read access to every ML repo they return. A known token
 *   without the scope is 403 `FORBIDDEN`.
 *
 * @since 0.1.0
 */
import { HttpServerRequest } from "@effect/platform"
import { RegistryApi, RegistryError } from "@mreg/core"
import { Effect, Layer, Option, Redacted } from "effect"
import { RequestInfo } from "./RequestLog.js"
import { type Grant, Tokens } from "./Tokens.js"

/**
 * The bearer token of an `Authorization` header value, if it is `Bearer <token>`.
 * @since 0.1.0
 * @category parsing
 */
export const bearerToken = (header: string | undefined): Option.Option<Redacted.Redacted<string>> => {
  if (header === undefined) return Option.none()
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return match === null ? Option.none() : Option.some(Redacted.make(match[1]!))
}

/**
 * The caller's bearer token, from the current request.
 * @since 0.1.0
 * @category accessors
 */
export const currentBearer: Effect.Effect<Option.Option<Redacted.Redacted<string>>> = Effect.map(
  Effect.serviceOption(HttpServerRequest.HttpServerRequest),
  Option.flatMap((request) => bearerToken(request.headers.authorization))
)

/**
 * `RegistryApi.Authorization` on the `Tokens` service; notes the subject in the request log.
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RegistryApi.Authorization, never, Tokens> = Layer.effect(
  RegistryApi.Authorization,
  Effect.map(Tokens, (tokens) =>
    RegistryApi.Authorization.of({
      bearer: () =>
        Effect.gen(function*() {
          const grant = yield* Effect.flatMap(currentBearer, tokens.authenticate)
          const info = yield* Effect.serviceOption(RequestInfo)
          if (Option.isSome(info)) info.value.subjectId = grant.subject.subjectId
          return grant.subject
        })
    }))
)

const forbidden = (message: string) => new RegistryError.Forbidden({ message })

/**
 * Fails with `Forbidden` unless the grant may write `mlRepo`.
 * @since 0.1.0
 * @category checks
 */
export const requireWrite = (grant: Grant, mlRepo: string): Effect.Effect<void, RegistryError.Forbidden> =>
  grant.canWrite(mlRepo)
    ? Effect.void
    : Effect.fail(forbidden(`subject ${JSON.stringify(grant.subject.subjectId)} may not write ML repo ${JSON.stringify(mlRepo)}`))

/**
 * Fails with `Forbidden` unless the grant may read every one of `mlRepos`.
 * @since 0.1.0
 * @category checks
 */
export const requireRead = (grant: Grant, mlRepos: Iterable<string>): Effect.Effect<void, RegistryError.Forbidden> => {
  for (const mlRepo of mlRepos) {
    if (!grant.canRead(mlRepo)) {
      return Effect.fail(forbidden(`subject ${JSON.stringify(grant.subject.subjectId)} may not read ML repo ${JSON.stringify(mlRepo)}`))
    }
  }
  return Effect.void
}

/**
 * Fails with `Forbidden` unless the grant may write at least one ML repo (checked before a write body is read).
 * @since 0.1.0
 * @category checks
 */
export const requireSomeWrite = (grant: Grant): Effect.Effect<void, RegistryError.Forbidden> =>
  grant.writesAny ? Effect.void : Effect.fail(forbidden(`subject ${JSON.stringify(grant.subject.subjectId)} has no write scope`))

/**
 * Fails with `Forbidden` unless the grant may read at least one ML repo.
 * @since 0.1.0
 * @category checks
 */
export const requireSomeRead = (grant: Grant): Effect.Effect<void, RegistryError.Forbidden> =>
  grant.readsAny ? Effect.void : Effect.fail(forbidden(`subject ${JSON.stringify(grant.subject.subjectId)} has no read scope`))
