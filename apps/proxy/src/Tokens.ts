/**
 * Who may call the proxy: bearer tokens from a tokens file (YAML or JSON; format in the README, "Tokens file"), each
 * mapped to a subject and read/write scopes per ML repo (`*` in a pattern matches any run of characters). Tokens are
 * compared by SHA-256 digest in constant time, kept `Redacted`, never logged.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import { ModelVersion, RegistryError, Validation } from "@mreg/core"
import { Context, Data, Effect, Either, Layer, Option, Redacted, Schema } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import { parseText, readText } from "./internal/configFile.js"

const Scope = Schema.Struct({
  ml_repo: Schema.String.pipe(
    Schema.minLength(1, { message: () => "must not be empty: an ML repo name or a pattern such as \"nlp-*\" or \"*\"" }),
    Schema.pattern(/^[A-Za-z0-9*-]+$/, { message: () => "must be an ML repo name or a pattern of letters, digits, \"-\" and \"*\"" })
  ),
  access: Schema.Literal("read", "write")
})

const TokenText = Schema.String.pipe(
  Schema.minLength(16, { message: () => "must be at least 16 characters" }),
  Schema.pattern(/^[\x21-\x7e]+$/, { message: () => "must be printable ASCII without spaces" })
)

const Sha256Hex = Schema.String.pipe(
  Schema.pattern(/^[0-9a-fA-F]{64}$/, { message: () => "must be the 64 hex digits of a SHA-256 digest" })
)

/** A subject of the tokens file: as `created_by_subject`, but `subjectType` must be one of the known types. */
const TokenSubject = Schema.Struct({ ...ModelVersion.Subject.fields, subjectType: ModelVersion.SubjectType })

/** The tokens file: `{"tokens": [{token | token_sha256, subject, scopes}]}`. */
const TokensFile = Schema.Struct({
  tokens: Schema.Array(Schema.Struct({
    token: Schema.optional(Schema.Redacted(TokenText)),
    token_sha256: Schema.optional(Sha256Hex),
    subject: TokenSubject,
    scopes: Schema.Array(Scope),
    /** Operator access (`GET /webhooks/deliveries`); default false. */
    admin: Schema.optional(Schema.Boolean)
  }))
})

/** What a caller may do: its subject, and whether it may read or write a given ML repo. @since 0.1.0 @category models */
export interface Grant {
  readonly subject: ModelVersion.Subject
  readonly canRead: (mlRepo: string) => boolean
  readonly canWrite: (mlRepo: string) => boolean
  /** `*` scopes: every ML repo. */
  readonly readsAll: boolean
  readonly writesAll: boolean
  /** At least one ML repo. */
  readonly readsAny: boolean
  readonly writesAny: boolean
  /** The ML repo patterns the caller may read (every scope, read or write; `*` any run of characters). */
  readonly readPatterns: ReadonlyArray<string>
  /** Operator access: the proxy's own endpoints such as `GET /webhooks/deliveries` (`admin: true` in the tokens file). @since 0.2.0 */
  readonly admin: boolean
}

/**
 * The `Tokens` service. `mode`: `tokens` (a tokens file), `insecure` (`--insecure-no-auth`), `passthrough` (upstream
 * mode without a tokens file: a bearer token is required, the upstream checks it).
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly mode: "tokens" | "insecure" | "passthrough"
  /** Authenticates a bearer token. Fails with `Unauthorized` for a missing or unknown token. */
  readonly authenticate: (token: Option.Option<Redacted.Redacted<string>>) => Effect.Effect<Grant, RegistryError.Unauthorized>
}

/** The `Tokens` service tag. @since 0.1.0 @category tags */
export class Tokens extends Context.Tag("proxy/Tokens")<Tokens, Service>() {}

/** The tokens file cannot be read or is malformed; `message` names the file and place, never a token. @since 0.1.0 @category errors */
export class TokensFileError extends Data.TaggedError("TokensFileError")<{ readonly message: string }> {}

/** `nlp-*` → `/^nlp-.*$/`; patterns hold only letters, digits, "-" and "*" (checked by {@link Scope}). */
const patternRegExp = (pattern: string) => new RegExp(`^${pattern.split("*").join(".*")}$`)

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest()

const makeGrant = (subject: ModelVersion.Subject, scopes: ReadonlyArray<typeof Scope.Type>, admin: boolean): Grant => {
  const readers = scopes.map((scope) => patternRegExp(scope.ml_repo))
  const writers = scopes.filter((scope) => scope.access === "write").map((scope) => patternRegExp(scope.ml_repo))
  return {
    subject,
    canRead: (mlRepo) => readers.some((re) => re.test(mlRepo)),
    canWrite: (mlRepo) => writers.some((re) => re.test(mlRepo)),
    readsAll: scopes.some((scope) => scope.ml_repo === "*"),
    writesAll: scopes.some((scope) => scope.ml_repo === "*" && scope.access === "write"),
    readsAny: scopes.length > 0,
    writesAny: writers.length > 0,
    readPatterns: scopes.map((scope) => scope.ml_repo),
    admin
  }
}

const unauthorized = (message: string) => new RegistryError.Unauthorized({ message })
const missing = unauthorized("missing bearer token: send Authorization: Bearer <token>")

/** Whether a bearer token is presented: a header with a token that is not empty. */
const isPresented = (token: Option.Option<Redacted.Redacted<string>>): token is Option.Some<Redacted.Redacted<string>> =>
  Option.isSome(token) && Redacted.value(token.value).length > 0

/**
 * Whether a presented bearer token is `expected` (`--metrics-token`), compared by SHA-256 digest in constant time.
 * @since 0.2.0
 * @category authentication
 */
export const isToken = (expected: Redacted.Redacted<string>): (token: Option.Option<Redacted.Redacted<string>>) => boolean => {
  const wanted = digest(Redacted.value(expected))
  return (token) => isPresented(token) && timingSafeEqual(digest(Redacted.value(token.value)), wanted)
}

/** The service over parsed entries; fails for an entry without a token or with a token given twice. */
const make = (file: typeof TokensFile.Type): Either.Either<Service, TokensFileError> => {
  const entries: Array<{ readonly digest: Buffer; readonly grant: Grant }> = []
  const seen = new Set<string>()
  for (const [index, entry] of file.tokens.entries()) {
    const where = `tokens[${index}] (subject ${JSON.stringify(entry.subject.subjectId)})`
    if ((entry.token === undefined) === (entry.token_sha256 === undefined)) {
      return Either.left(new TokensFileError({ message: `${where}: give exactly one of "token" and "token_sha256"` }))
    }
    const hash = entry.token !== undefined ? digest(Redacted.value(entry.token)) : Buffer.from(entry.token_sha256!, "hex")
    const key = hash.toString("hex")
    if (seen.has(key)) return Either.left(new TokensFileError({ message: `${where}: this token is already given to an earlier entry` }))
    seen.add(key)
    entries.push({ digest: hash, grant: makeGrant(entry.subject, entry.scopes, entry.admin === true) })
  }
  return Either.right({
    mode: "tokens",
    authenticate: (token) =>
      Effect.suspend(() => {
        if (!isPresented(token)) return Effect.fail(missing)
        const presented = digest(Redacted.value(token.value))
        let found: Grant | undefined
        // Every entry is compared, in constant time, whatever matched: the timing says nothing about the tokens.
        for (const entry of entries) {
          if (timingSafeEqual(presented, entry.digest) && found === undefined) found = entry.grant
        }
        return found === undefined ? Effect.fail(unauthorized("unknown bearer token")) : Effect.succeed(found)
      })
  })
}

const decodeFile = Schema.decodeUnknownEither(TokensFile, { errors: "all", onExcessProperty: "error" })

/** Validates a parsed tokens file and builds the service; a malformed token is described, never shown. */
const fromValue = (value: unknown, source: string): Either.Either<Service, TokensFileError> =>
  decodeFile(value).pipe(
    Either.mapLeft((error) => {
      const problems = Validation.fromParseError(error, [], { unknownValues: "hidden" }).detail.map((issue) =>
        `${issue.loc.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("") || "(file)"}: ${
          issue.loc.includes("token") && issue.type !== "missing" ? "must be a string of at least 16 printable ASCII characters" : issue.msg
        }`
      )
      return new TokensFileError({ message: `${source} is not a valid tokens file: ${problems.join("; ")}` })
    }),
    Either.flatMap(make)
  )

/** Parses a tokens file (YAML or JSON); `TokensFileError` names every bad place. @since 0.1.0 @category constructors */
export const parse = (text: string, source: string): Either.Either<Service, TokensFileError> =>
  Either.flatMap(Either.mapLeft(parseText(text, source), (message) => new TokensFileError({ message })), (value) => fromValue(value, source))

/** `Tokens` from a tokens file; `TokensFileError` when it cannot be read or is malformed. @since 0.1.0 @category layers */
export const layerFile = (path: string): Layer.Layer<Tokens, TokensFileError, FileSystem.FileSystem> =>
  Layer.effect(
    Tokens,
    Effect.gen(function*() {
      const text = yield* Effect.mapError(readText(path, "tokens file"), (message) => new TokensFileError({ message }))
      return yield* parse(text, `the tokens file ${path}`)
    })
  )

/** `Tokens` from entries given in code (tests, embedding). @since 0.1.0 @category layers */
export const layer = (file: typeof TokensFile.Encoded): Layer.Layer<Tokens, TokensFileError> =>
  Layer.effect(Tokens, Effect.suspend(() => fromValue(file, "the tokens given")))

/** The subject of every caller with `--insecure-no-auth`. @since 0.1.0 @category constants */
export const anonymous: ModelVersion.Subject = {
  subjectId: "anonymous",
  subjectType: "user",
  subjectSlug: "anonymous",
  subjectDisplayName: "anonymous (mreg-proxy --insecure-no-auth)"
}

/** A service with one grant, every ML repo writable, for `subject`; `tokenRequired`: no token is `Unauthorized`. */
const layerOneGrant = (mode: Service["mode"], subject: ModelVersion.Subject, admin: boolean, tokenRequired: boolean): Layer.Layer<Tokens> =>
  Layer.sync(Tokens, (): Service => {
    const grant = Effect.succeed(makeGrant(subject, [{ ml_repo: "*", access: "write" }], admin))
    return { mode, authenticate: (token) => tokenRequired && !isPresented(token) ? Effect.fail(missing) : grant }
  })

/** `--insecure-no-auth`: no token needed, every caller is {@link anonymous}, writing everywhere, admin. @since 0.1.0 @category layers */
export const layerInsecure: Layer.Layer<Tokens> = layerOneGrant("insecure", anonymous, true, false)

/** The subject recorded for callers in pass-through mode (the upstream knows who they are). */
const upstreamCaller: ModelVersion.Subject = {
  subjectId: "upstream-authenticated",
  subjectType: "user",
  subjectDisplayName: "caller authenticated by the upstream"
}

/** Pass-through (upstream mode, no tokens file): a bearer token is required and forwarded. @since 0.1.0 @category layers */
export const layerPassthrough: Layer.Layer<Tokens> = layerOneGrant("passthrough", upstreamCaller, false, true)
