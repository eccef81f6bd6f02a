/**
 * Decoding untrusted input into manifests, with every problem reported at once as a {@link ValidationError}.
 *
 * Unknown fields are errors (with a did-you-mean when a known field is close): a typo such as `version_aliass`
 * must not be dropped silently.
 *
 * @since 0.1.0
 */
import { Effect, Either, Option, ParseResult, Schema, SchemaAST } from "effect"
import { compile, FAIL, type FastDecoder } from "./internal/fastDecode.js"
import { received } from "./internal/text.js"
import { didYouMean } from "./Spelling.js"
import { ModelManifest, UpsertRequest } from "./ModelManifest.js"
import { ValidationError, ValidationIssue } from "./RegistryError.js"

const PARSE_OPTIONS = { errors: "all", onExcessProperty: "error" } as const

const knownKeys = (issue: ParseResult.Composite): ReadonlyArray<string> => {
  let ast: SchemaAST.AST = issue.ast
  while (ast._tag === "Transformation" || ast._tag === "Refinement") ast = ast.from
  return ast._tag === "TypeLiteral" ? ast.propertySignatures.map((property) => String(property.name)) : []
}

/** The literal values a literal (or union of literals) AST accepts; `[undefined]` for anything else. */
const literalsOf = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.LiteralValue | undefined> => {
  if (ast._tag === "Literal") return [ast.literal]
  if (ast._tag === "Union") return ast.types.flatMap(literalsOf)
  return [undefined]
}

const oneOf = (literals: ReadonlyArray<SchemaAST.LiteralValue | undefined>, actual: unknown): string => {
  const shown = literals.map((literal) => JSON.stringify(literal)).join(", ")
  return `${literals.length === 1 ? `must be ${shown}` : `must be one of ${shown}`} (received ${received(actual)})`
}

/** What a JSON value must be, in JSON's words, for the ASTs of plain types; `undefined` for others. */
const kindOf = (ast: SchemaAST.AST): string | undefined => {
  switch (ast._tag) {
    case "TypeLiteral":
      return "a JSON object"
    case "TupleType":
      return "a JSON array"
    case "BooleanKeyword":
      return "true or false"
    case "StringKeyword":
      return "a string"
    case "NumberKeyword":
      return "a number"
    default:
      return undefined
  }
}

const typeOf = (tag: string): string => {
  switch (tag) {
    case "Missing":
      return "missing"
    case "Unexpected":
      return "extra_forbidden"
    case "Type":
      return "type_error"
    default:
      return "value_error"
  }
}

/**
 * Turns a schema `ParseError` into a {@link ValidationError} whose `loc`s start with `prefix`
 * (`["body"]` for a request body, `["body","manifest"]` for a manifest, `["query"]` for query parameters). Each
 * message names the rule and the value received (JSON, cut at 80 characters); with `unknownValues: "hidden"` an
 * unknown field's value is not shown (`(the value is not shown)`), nor a value found where an object or array
 * belongs, for files holding secrets, where a misspelt secret's key is an unknown field and a secret written where
 * its entry (or the list of entries) belongs is such a value (the proxy's tokens file, the webhooks file).
 * @since 0.1.0
 * @category conversions
 */
export const fromParseError = (
  error: ParseResult.ParseError,
  prefix: ReadonlyArray<string | number>,
  options?: { readonly unknownValues?: "shown" | "hidden" | undefined }
): ValidationError => {
  const shown = (actual: unknown) => (options?.unknownValues === "hidden" ? "the value is not shown" : `received ${received(actual)}`)
  const unknownField = (actual: unknown, guess: string | undefined): string =>
    `is not a known field${guess ? `; did you mean ${JSON.stringify(guess)}?` : ""} (${shown(actual)})`
  const detail: Array<ValidationIssue> = []
  const seen = new Set<string>()
  const add = (path: ReadonlyArray<PropertyKey>, msg: string, type: string) => {
    const loc = [...prefix, ...path.map((p) => (typeof p === "number" ? p : String(p)))]
    const id = `${JSON.stringify(loc)}\u0000${msg}`
    if (seen.has(id)) return
    seen.add(id)
    detail.push(new ValidationIssue({ loc, msg, type }))
  }
  const leaf = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>, type: string) => {
    for (const formatted of ParseResult.ArrayFormatter.formatIssueSync(issue)) {
      add([...path, ...formatted.path], formatted.message, type)
    }
  }
  const walk = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>, parent?: ParseResult.Composite): void => {
    switch (issue._tag) {
      case "Pointer": {
        const at = [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey])]
        if (issue.issue._tag === "Unexpected") {
          const key = String(at[at.length - 1])
          const guess = didYouMean(key, parent ? knownKeys(parent) : [])
          return add(at, unknownField(issue.issue.actual, guess), "extra_forbidden")
        }
        return walk(issue.issue, at)
      }
      case "Composite": {
        let inner: ReadonlyArray<ParseResult.ParseIssue> = Array.isArray(issue.issues)
          ? issue.issues
          : [issue.issues as ParseResult.ParseIssue]
        if (issue.ast._tag === "Union") {
          // An optional field is `X | undefined`: the `undefined` member's complaint is noise.
          inner = inner.filter((member) => !(member._tag === "Type" && member.ast._tag === "UndefinedKeyword"))
          const literals = inner.flatMap((member) => member._tag === "Type" ? literalsOf(member.ast) : [undefined])
          if (inner.length > 0 && literals.every((literal) => literal !== undefined)) {
            return add(path, oneOf(literals, issue.actual), "type_error")
          }
        }
        for (const member of inner) walk(member, path, issue)
        return
      }
      case "Refinement":
        return issue.kind === "From" ? walk(issue.issue, path, parent) : leaf(issue, path, typeOf(issue._tag))
      case "Transformation":
        return issue.kind === "Encoded" ? walk(issue.issue, path, parent) : leaf(issue, path, typeOf(issue._tag))
      case "Missing":
        return add(path, "is required", "missing")
      case "Unexpected":
        return add(path, unknownField(issue.actual, undefined), "extra_forbidden")
      case "Type": {
        const literals = literalsOf(issue.ast)
        if (literals.length > 0 && literals.every((literal) => literal !== undefined)) {
          return add(path, oneOf(literals, issue.actual), "type_error")
        }
        // Effect's own wording ("Expected { readonly … }, actual …") names TypeScript types: say it in JSON's words.
        const kind = kindOf(issue.ast)
        if (kind !== undefined && issue.message === undefined && Option.isNone(SchemaAST.getMessageAnnotation(issue.ast))) {
          const container = issue.ast._tag === "TypeLiteral" || issue.ast._tag === "TupleType"
          return add(path, `must be ${kind} (${container ? shown(issue.actual) : `received ${received(issue.actual)}`})`, "type_error")
        }
        return leaf(issue, path, "type_error")
      }
      default:
        return leaf(issue, path, typeOf(issue._tag))
    }
  }
  walk(error.issue, [])
  if (detail.length === 0) add([], ParseResult.TreeFormatter.formatIssueSync(error.issue), "value_error")
  return new ValidationError({ detail })
}

/**
 * A decoder of `schema` on the contract's terms: every problem at once, unknown fields refused, and a failure as a
 * {@link ValidationError} whose `loc`s start with `prefix` ({@link fromParseError}). The proxy and the facade decode
 * path ids, query parameters and small bodies with it.
 *
 * ```ts
 * const decodeId = Validation.decodeAt(ModelVersion.ModelVersionId, ["path", "id"])
 * decodeId("") // Left(ValidationError) at ["path", "id"]
 * ```
 * @since 0.2.0
 * @category decoding
 */
export const decodeAt = <A, I>(
  schema: Schema.Schema<A, I>,
  prefix: ReadonlyArray<string | number>
): (input: unknown) => Either.Either<A, ValidationError> => {
  const decode = Schema.decodeUnknownEither(schema, PARSE_OPTIONS)
  return (input) => Either.mapLeft(decode(input), (error) => fromParseError(error, prefix))
}

/**
 * The schema's decoder behind a fast path: valid input is decoded by the decoder compiled from the schema's own
 * AST (internal/fastDecode.ts: same rules, no issue bookkeeping); anything else goes to `Schema.decodeUnknownEither`,
 * whose errors are the ones reported.
 */
const withFastPath = <A, I>(
  schema: Schema.Schema<A, I>,
  prefix: ReadonlyArray<string>
): (input: unknown) => Either.Either<A, ValidationError> => {
  const slow = Schema.decodeUnknownEither(schema, PARSE_OPTIONS)
  const fast: FastDecoder | undefined = compile(schema.ast, [ModelManifest, UpsertRequest])
  return (input) => {
    const value = fast === undefined ? FAIL : fast(input)
    return value !== FAIL
      ? Either.right(value as A)
      : Either.mapLeft(slow(input), (error) => fromParseError(error, prefix))
  }
}

const decodeRequest = withFastPath(UpsertRequest, ["body"])
const decodeManifestEither = withFastPath(ModelManifest, ["body", "manifest"])

/**
 * Decodes a PUT body `{"manifest": …}`. Fails with every problem, `loc`s starting `["body", …]`.
 * @since 0.1.0
 * @category decoding
 */
export const decodeUpsertRequest = (input: unknown): Either.Either<UpsertRequest, ValidationError> =>
  Either.mapLeft(decodeRequest(input), (error) => withManifestHint(error, input))

/**
 * `error` (of a request body `{"manifest", …}`) with its "is required" at `body.manifest` replaced by
 * {@link manifestRequired}'s issue, which says how to wrap a bare manifest.
 * @since 0.2.0
 * @category decoding
 */
export const withManifestHint = (error: ValidationError, body: unknown): ValidationError =>
  new ValidationError({
    detail: error.detail.map((issue) =>
      issue.type === "missing" && issue.loc.length === 2 && issue.loc[1] === "manifest" ? manifestRequired(body) : issue
    )
  })

/**
 * The issue of a request body without `manifest` (at `body.manifest`): "is required", and when the body itself
 * looks like a manifest (it has `type`, `name` or `ml_repo`), how to wrap it.
 * @since 0.2.0
 * @category decoding
 */
export const manifestRequired = (body: unknown): ValidationIssue => {
  const bare = typeof body === "object" && body !== null && ["type", "name", "ml_repo"].some((key) => Object.hasOwn(body, key))
  return new ValidationIssue({
    loc: ["body", "manifest"],
    msg: bare ? "is required: the body is a bare manifest; send it as {\"manifest\": {…}}" : "is required",
    type: "missing"
  })
}

/**
 * Decodes a bare manifest. Fails with every problem, `loc`s starting `["body", "manifest", …]`.
 * @since 0.1.0
 * @category decoding
 */
export const decodeManifest = (input: unknown): Either.Either<ModelManifest, ValidationError> =>
  decodeManifestEither(input)

/**
 * {@link decodeManifest} as an Effect.
 * @since 0.1.0
 * @category decoding
 */
export const manifest = (input: unknown): Effect.Effect<ModelManifest, ValidationError> =>
  Effect.suspend(() => decodeManifest(input))

/**
 * A received value as mreg's error messages show it: JSON where it can be, a string over 80 characters cut there
 * with its length (`"msg_aaaa…"… (5000 characters)`), other JSON cut at 80 characters; for the messages of other
 * packages (the registry's webhooks file, `mreg-proxy webhooks replay`) to echo input as the schema messages do.
 * @since 0.2.0
 * @category messages
 */
export const receivedValue: (value: unknown) => string = received
