/**
 * Authentication and scopes: the `Authentication` middleware parses `Authorization: Bearer <token>` once (scheme
 * case-insensitive; else 401 `UNAUTHORIZED`, as for an unknown token), before the body is read, and provides the
 * caller's {@link CurrentGrant}. Reads run under the grant's read scope ({@link withReadScope}): the registry looks
 * as if only the caller's ML repos existed (lists filtered in the store, other ids 404 as missing ones). Handlers
 * check write scopes with the grant (403 `FORBIDDEN`): on the manifest's or the version's ML repo, which the caller
 * can see.
 *
 * @since 0.1.0
 */
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { ModelVersions, RegistryApi, RegistryError } from "@mreg/core"
import { Context, Effect, Layer, Option, Predicate, Redacted } from "effect"
import { RequestInfo } from "./RequestLog.js"
import { type Grant, type Service, Tokens } from "./Tokens.js"

/** The grant (subject and scopes) of the current request's caller. @since 0.1.0 @category tags */
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

/** The token of an `Authorization` header value `Bearer <token>` (scheme case-insensitive). @since 0.2.0 @category parsing */
export const bearerToken = (header: string | undefined): Option.Option<Redacted.Redacted<string>> => {
  if (header === undefined) return Option.none()
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return match === null ? Option.none() : Option.some(Redacted.make(match[1]!))
}

/**
 * The grant of the request's bearer token (`Tokens.authenticate`; `Unauthorized` without a known one), noted as the
 * subject of the request's log line.
 * @since 0.2.0
 * @category authentication
 */
export const authenticate = (tokens: Service): Effect.Effect<Grant, RegistryError.Unauthorized, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const grant = yield* tokens.authenticate(bearerToken(request.headers.authorization))
    const info = yield* Effect.serviceOption(RequestInfo)
    if (Option.isSome(info)) info.value.subjectId = grant.subject.subjectId
    return grant
  })

/**
 * {@link Authentication} on the `Tokens` service. The framework's bearer decoding slices a fixed "Bearer " prefix off
 * any header; {@link authenticate} parses the header instead (scheme case-insensitive, anything else is no token).
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Authentication, never, Tokens> = Layer.effect(
  Authentication,
  Effect.map(Tokens, (tokens) => Authentication.of({ bearer: () => authenticate(tokens) }))
)

/**
 * Runs `effect` (a handler's calls to the registry) under the current caller's read scope: `ModelVersions.ReadScope`
 * set from {@link CurrentGrant} (every ML repo for a `*` scope, else the patterns of its read and write scopes).
 * Every handler that reads or names stored rows runs under it, so a version (or model) outside the caller's ML repos
 * is `NotFound` and lists hold only the caller's ML repos.
 *
 * ```ts
 * .handle("get", ({ path }) => Auth.withReadScope(registry.get(path.id)))
 * ```
 * @since 0.2.0
 * @category scopes
 */
export const withReadScope = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | CurrentGrant> =>
  Effect.flatMap(CurrentGrant, (grant) =>
    Effect.provideService(effect, ModelVersions.ReadScope, grant.readsAll ? ModelVersions.everyMlRepo : ModelVersions.onlyMlRepos(grant.readPatterns)))

/**
 * A read handler's body: `effect` under the caller's read scope ({@link withReadScope}), once the grant may read some
 * ML repo (else `Forbidden`).
 * @since 0.2.0
 * @category scopes
 */
export const reading = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | RegistryError.Forbidden, R | CurrentGrant> =>
  withReadScope(Effect.zipRight(Effect.flatMap(CurrentGrant, requireSomeRead), effect))

/**
 * A write handler's body: `f(grant)` under the caller's read scope (a version or model it cannot read is a 404),
 * with the grant's subject as the writer (`ModelVersions.WriteSubject`, recorded in the version's history), once the
 * grant may write some ML repo (else `Forbidden`, before any body is read).
 * @since 0.2.0
 * @category scopes
 */
export const writing = <A, E, R>(f: (grant: Grant) => Effect.Effect<A, E, R>): Effect.Effect<A, E | RegistryError.Forbidden, R | CurrentGrant> =>
  withReadScope(Effect.flatMap(CurrentGrant, (grant) =>
    Effect.zipRight(requireSomeWrite(grant), Effect.provideService(f(grant), ModelVersions.WriteSubject, grant.subject))))

/** `Forbidden` for the grant's subject: `subject "<subjectId>" <what>`. @since 0.1.0 @category checks */
export const forbidden = (grant: Grant, what: string): RegistryError.Forbidden =>
  new RegistryError.Forbidden({ message: `subject ${JSON.stringify(grant.subject.subjectId)} ${what}` })

/** Fails with `Forbidden` unless the grant may write `mlRepo`. @since 0.1.0 @category checks */
export const requireWrite = (grant: Grant, mlRepo: string): Effect.Effect<void, RegistryError.Forbidden> =>
  grant.canWrite(mlRepo) ? Effect.void : Effect.fail(forbidden(grant, `may not write ML repo ${JSON.stringify(mlRepo)}`))

/**
 * Fails with `Forbidden` unless the grant may write the `ml_repo` a request body's `manifest` names, when it names
 * one as text: checked before the body's other rules, so a caller outside the ML repo learns nothing of them.
 * @since 0.2.0
 * @category checks
 */
export const requireWriteNamed = (grant: Grant, body: unknown): Effect.Effect<void, RegistryError.Forbidden> => {
  const named = Predicate.isRecord(body) && Predicate.isRecord(body.manifest) ? body.manifest.ml_repo : undefined
  return typeof named === "string" ? requireWrite(grant, named) : Effect.void
}

/** Fails with `Forbidden` unless the grant may write some ML repo (before a body is read). @since 0.1.0 @category checks */
export const requireSomeWrite = (grant: Grant): Effect.Effect<void, RegistryError.Forbidden> =>
  grant.writesAny ? Effect.void : Effect.fail(forbidden(grant, "has no write scope"))

/** Fails with `Forbidden` unless the grant may read some ML repo. @since 0.1.0 @category checks */
export const requireSomeRead = (grant: Grant): Effect.Effect<void, RegistryError.Forbidden> =>
  grant.readsAny ? Effect.void : Effect.fail(forbidden(grant, "has no read scope"))
