/**
 * Authentication and scopes: the `Authentication` middleware of the proxy's API parses the bearer token once,
 * authenticates it with `Tokens` and provides the caller's {@link CurrentGrant} to the handlers, which check scopes.
 *
 * - `Authorization: Bearer <token>` (scheme case-insensitive); anything else is 401 `UNAUTHORIZED`, as is an unknown
 *   token. The token stays `Redacted`. The middleware runs before the request body is read.
 * - Scopes: upsert needs write access to the manifest's ML repo; applyTags and delete need write access to the
 *   version's ML repo (looked up first); get and list need read access to every ML repo they return. A known token
 *   without the scope is 403 `FORBIDDEN`.
 *
 * @since 0.1.0
 */
import { HttpApiMiddleware, HttpApiSecurity, HttpServerRequest } from "@effect/platform"
import { RegistryApi, RegistryError } from "@mreg/core"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { RequestInfo } from "./RequestLog.js"
import { type Grant, Tokens } from "./Tokens.js"

/**
 * The grant of the caller of the current request (subject and scopes), provided by {@link Authentication}.
 * @since 0.1.0
 * @category tags
 */
export class CurrentGrant extends Context.Tag("@mreg/proxy/CurrentGrant")<CurrentGrant, Grant>() {}

/**
 * The proxy's side of the contract's bearer authentication (`RegistryApi.Authorization`, same scheme and 401 body):
 * provides {@link CurrentGrant} instead of the bare subject, so scope checks need no second look-up.
 * @since 0.1.0
 * @category middleware
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@mreg/proxy/Authentication", {
  failure: RegistryApi.Errors.Unauthorized,
  provides: CurrentGrant,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

/** The token of an `Authorization` header value `Bearer <token>` (scheme case-insensitive). */
const bearerToken = (header: string | undefined): Option.Option<Redacted.Redacted<string>> => {
  if (header === undefined) return Option.none()
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return match === null ? Option.none() : Option.some(Redacted.make(match[1]!))
}

/**
 * {@link Authentication} on the `Tokens` service; notes the subject in the request log.
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Authentication, never, Tokens> = Layer.effect(
  Authentication,
  Effect.map(Tokens, (tokens) =>
    Authentication.of({
      // The framework's bearer decoding slices a fixed "Bearer " prefix off any header; the header is parsed here
      // instead (scheme case-insensitive, anything else is no token).
      bearer: () =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const grant = yield* tokens.authenticate(bearerToken(request.headers.authorization))
          const info = yield* Effect.serviceOption(RequestInfo)
          if (Option.isSome(info)) info.value.subjectId = grant.subject.subjectId
          return grant
        })
    }))
)

/**
 * `Forbidden` for the grant's subject: `subject "<subjectId>" <what>`.
 * @since 0.1.0
 * @category checks
 */
export const forbidden = (grant: Grant, what: string): RegistryError.Forbidden =>
  new RegistryError.Forbidden({ message: `subject ${JSON.stringify(grant.subject.subjectId)} ${what}` })

/**
 * Fails with `Forbidden` unless the grant may write `mlRepo`.
 * @since 0.1.0
 * @category checks
 */
export const requireWrite = (grant: Grant, mlRepo: string): Effect.Effect<void, RegistryError.Forbidden> =>
  grant.canWrite(mlRepo) ? Effect.void : Effect.fail(forbidden(grant, `may not write ML repo ${JSON.stringify(mlRepo)}`))

/**
 * Fails with `Forbidden` unless the grant may read every one of `mlRepos`.
 * @since 0.1.0
 * @category checks
 */
export const requireRead = (grant: Grant, mlRepos: Iterable<string>): Effect.Effect<void, RegistryError.Forbidden> => {
  for (const mlRepo of mlRepos) {
    if (!grant.canRead(mlRepo)) return Effect.fail(forbidden(grant, `may not read ML repo ${JSON.stringify(mlRepo)}`))
  }
  return Effect.void
}

/**
 * Fails with `Forbidden` unless the grant may write at least one ML repo (checked before a write body is read).
 * @since 0.1.0
 * @category checks
 */
export const requireSomeWrite = (grant: Grant): Effect.Effect<void, RegistryError.Forbidden> =>
  grant.writesAny ? Effect.void : Effect.fail(forbidden(grant, "has no write scope"))

/**
 * Fails with `Forbidden` unless the grant may read at least one ML repo.
 * @since 0.1.0
 * @category checks
 */
export const requireSomeRead = (grant: Grant): Effect.Effect<void, RegistryError.Forbidden> =>
  grant.readsAny ? Effect.void : Effect.fail(forbidden(grant, "has no read scope"))
