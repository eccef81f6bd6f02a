/**
 * A fast decoder for valid input, compiled from a schema's own AST.
 *
 * Effect's `ParseResult` interpreter spends most of a manifest's decode on bookkeeping (Eithers, Options, issue
 * trees for `errors: "all"`), not on the rules. The decoder built here walks the same AST once, at build time, and
 * returns plain functions that run the schema's own checks — each refinement's `filter`, each declaration's
 * `decodeUnknown`, each class's `decode` transformation, literal and keyword tests — with none of that bookkeeping.
 * It answers only "valid, here is the decoded value" or "not sure": on any problem (or any AST node it does not
 * know) it returns {@link FAIL}, and the caller runs the schema's decoder, whose errors are the ones users see.
 *
 * Every rule therefore has one definition, the schema's; what this file repeats is Effect's structural behaviour
 * for the options `{ errors: "all", onExcessProperty: "error" }` (see `ParseResult.go`): a struct is a non-array
 * object with no own key (string or symbol) outside its fields, an absent optional field stays absent, the output
 * is a new object with the fields in schema order, an array becomes a new array, a union is decided by its
 * discriminating literal (or by its first accepting member), a declaration such as `JsonObject` keeps its input.
 *
 * @internal
 */
import { Either, Option, type SchemaAST } from "effect"

/** The answer of a fast decoder when the input is not (certainly) valid. */
export const FAIL: unique symbol = Symbol.for("@mreg/core/internal/fastDecode/FAIL")

/** Decodes valid input to the schema's output; anything else gives {@link FAIL}. */
export type FastDecoder = (input: unknown) => unknown

const OPTIONS: SchemaAST.ParseOptions = { errors: "all", onExcessProperty: "error" }

/** A decode result of Effect's that is available now: its value, or FAIL (an error, or an effect to run). */
const now = (result: unknown): unknown =>
  Either.isEither(result) && Either.isRight(result) ? result.right : FAIL

const hasOwn = Object.prototype.hasOwnProperty

type Compile = (ast: SchemaAST.AST) => FastDecoder | undefined

/** The literal of `ast` when it is a required literal property named `key`. */
const literalAt = (ast: SchemaAST.AST, key: string): SchemaAST.LiteralValue | undefined => {
  if (ast._tag !== "TypeLiteral") return undefined
  const property = ast.propertySignatures.find((ps) => ps.name === key && !ps.isOptional)
  return property?.type._tag === "Literal" ? property.type.literal : undefined
}

/** The key whose literal tells every member of a union apart (`type`), or `undefined`. */
const discriminator = (members: ReadonlyArray<SchemaAST.AST>): string | undefined => {
  const first = members[0]
  if (first?._tag !== "TypeLiteral") return undefined
  for (const candidate of first.propertySignatures) {
    if (typeof candidate.name !== "string") continue
    const key = candidate.name
    const literals = members.map((member) => literalAt(member, key))
    if (literals.every((l) => l !== undefined) && new Set(literals).size === literals.length) return key
  }
  return undefined
}

const compileTypeLiteral = (
  ast: SchemaAST.TypeLiteral,
  compile: Compile,
  prototype: object = Object.prototype
): FastDecoder | undefined => {
  if (ast.indexSignatures.length > 0 || ast.propertySignatures.length === 0) return undefined
  const names: Array<string> = []
  const optional: Array<boolean> = []
  const decoders: Array<FastDecoder> = []
  for (const ps of ast.propertySignatures) {
    const decoder = compile(ps.type)
    if (typeof ps.name !== "string" || decoder === undefined) return undefined
    names.push(ps.name)
    optional.push(ps.isOptional)
    decoders.push(decoder)
  }
  const expected: ReadonlySet<PropertyKey> = new Set(names)
  const count = names.length
  return (input) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return FAIL
    // Effect checks `Reflect.ownKeys`: the same keys, found about 3× faster as names + symbols (a symbol is never
    // a field here).
    const keys = Object.getOwnPropertyNames(input)
    for (let i = 0; i < keys.length; i++) if (!expected.has(keys[i]!)) return FAIL
    if (Object.getOwnPropertySymbols(input).length > 0) return FAIL
    const record = input as Record<string, unknown>
    const output: Record<string, unknown> = prototype === Object.prototype ? {} : Object.create(prototype)
    for (let i = 0; i < count; i++) {
      const name = names[i]!
      if (optional[i] && !hasOwn.call(record, name)) continue
      const value = decoders[i]!(record[name])
      if (value === FAIL) return FAIL
      output[name] = value
    }
    return output
  }
}

const compileUnion = (ast: SchemaAST.Union, compile: Compile): FastDecoder | undefined => {
  const members: Array<FastDecoder> = []
  for (const member of ast.types) {
    const decoder = compile(member)
    if (decoder === undefined) return undefined
    members.push(decoder)
  }
  const key = discriminator(ast.types)
  if (key !== undefined) {
    const byLiteral = new Map(ast.types.map((member, i) => [literalAt(member, key), members[i]!]))
    return (input) => {
      if (typeof input !== "object" || input === null) return FAIL
      const member = byLiteral.get((input as Record<string, unknown>)[key] as SchemaAST.LiteralValue)
      return member === undefined ? FAIL : member(input)
    }
  }
  // Members without a shared discriminator (a literal set, `X | undefined` of an optional field): the first
  // member that accepts, as Effect's union does for input that only one member can accept.
  return (input) => {
    for (const member of members) {
      const value = member(input)
      if (value !== FAIL) return value
    }
    return FAIL
  }
}

const compileArray = (ast: SchemaAST.TupleType, compile: Compile): FastDecoder | undefined => {
  if (ast.elements.length > 0 || ast.rest.length !== 1) return undefined
  const element = compile(ast.rest[0]!.type)
  if (element === undefined) return undefined
  return (input) => {
    if (!Array.isArray(input)) return FAIL
    const output: Array<unknown> = new Array(input.length)
    for (let i = 0; i < input.length; i++) {
      const value = element(input[i])
      if (value === FAIL) return FAIL
      output[i] = value
    }
    return output
  }
}

/**
 * A chain of refinements (`Schema.String.pipe(noNul, minLength(1), pattern(…))` is three nested `Refinement`s) as
 * one decoder: the innermost non-refinement, then every filter in order, innermost first — as Effect runs them —
 * without a closure call per link.
 */
const compileRefinements = (ast: SchemaAST.Refinement, compile: Compile): FastDecoder | undefined => {
  const links: Array<SchemaAST.Refinement> = []
  let base: SchemaAST.AST = ast
  while (base._tag === "Refinement") {
    links.unshift(base)
    base = base.from
  }
  const from = compile(base)
  if (from === undefined) return undefined
  const filters = links.map((link) => link.filter)
  const count = links.length
  return (input) => {
    const value = from(input)
    if (value === FAIL) return FAIL
    for (let i = 0; i < count; i++) if (Option.isSome(filters[i]!(value, OPTIONS, links[i]!))) return FAIL
    return value
  }
}

/**
 * A `Schema.Class`: its instances are built by `new Class(props, true)`, which copies `props`, adds field defaults
 * and assigns them (`Data.Class`).
 */
export interface SchemaClass {
  readonly ast: SchemaAST.AST
  readonly prototype: object
  new(props: any, options: true): object
}

/**
 * For a class without field defaults, `new Class(props, true)` is `props` assigned to an object of its prototype:
 * its struct is decoded straight into such an object (the constructor's copy and default lookup cost as much as
 * checking the fields). A class whose `new Class({}, true)` gets any own key has defaults and keeps its constructor.
 */
const prototypeOf = (klass: SchemaClass): object | undefined =>
  Reflect.ownKeys(new klass({}, true)).length > 0 ? undefined : klass.prototype

/**
 * Compiles `root` (the decoding side) into a {@link FastDecoder}, or `undefined` when it holds a node this file
 * does not handle (then the caller always uses the schema's decoder). `classes` are the `Schema.Class`es in it
 * whose instances may be built without their constructor (see `prototypeOf`).
 */
export const compile = (root: SchemaAST.AST, classes: ReadonlyArray<SchemaClass> = []): FastDecoder | undefined => {
  const go: Compile = (ast) => compileNode(ast, go, classes)
  return go(root)
}

const compileNode = (ast: SchemaAST.AST, compile: Compile, classes: ReadonlyArray<SchemaClass>): FastDecoder | undefined => {
  const klass = classes.find((c) => c.ast === ast)
  const prototype = klass === undefined ? undefined : prototypeOf(klass)
  if (prototype !== undefined && ast._tag === "Transformation" && ast.from._tag === "TypeLiteral") {
    return compileTypeLiteral(ast.from, compile, prototype)
  }
  switch (ast._tag) {
    case "StringKeyword":
      return (input) => (typeof input === "string" ? input : FAIL)
    case "NumberKeyword":
      return (input) => (typeof input === "number" ? input : FAIL)
    case "BooleanKeyword":
      return (input) => (typeof input === "boolean" ? input : FAIL)
    case "UndefinedKeyword":
      return (input) => (input === undefined ? input : FAIL)
    case "UnknownKeyword":
    case "AnyKeyword":
      return (input) => input
    case "Literal": {
      const literal = ast.literal
      return (input) => (input === literal ? input : FAIL)
    }
    case "Refinement":
      return compileRefinements(ast, compile)
    case "Declaration": {
      const parse = ast.decodeUnknown(...ast.typeParameters)
      return (input) => now(parse(input, OPTIONS, ast))
    }
    case "Transformation": {
      if (ast.transformation._tag !== "FinalTransformation") return undefined
      const from = compile(ast.from)
      const to = compile(ast.to)
      if (from === undefined || to === undefined) return undefined
      const decode = ast.transformation.decode
      return (input) => {
        const encoded = from(input)
        if (encoded === FAIL) return FAIL
        const decoded = now(decode(encoded, OPTIONS, ast, input))
        return decoded === FAIL ? FAIL : to(decoded)
      }
    }
    case "TypeLiteral":
      return compileTypeLiteral(ast, compile)
    case "Union":
      return compileUnion(ast, compile)
    case "TupleType":
      return compileArray(ast, compile)
    default:
      return undefined
  }
}
