/**
 * The filter language of `list` (query `filter` on `GET {prefix}/model-versions` and `GET {prefix}/models`, an mreg
 * extension): parsed once into a typed {@link Expression}, which the embedded registry compiles to parameterized SQL
 * and {@link evaluate} runs in memory (the proxy in front of an upstream that ignores `filter`). Grammar, fields and
 * examples: `docs/filter.md`.
 *
 * Semantics, the same on SQLite, PostgreSQL and {@link evaluate}:
 * - A value is *absent* when the field or key is missing or JSON `null`. `= null` matches an absent value,
 *   `!= null` and `exists` a present one.
 * - Every other comparison is true only when the value is present **and of the literal's type** (number with
 *   number, string with string, boolean with boolean): `metadata.n = "1"` does not match the number 1, and a missing
 *   key or a type mismatch makes `=`, `!=`, `<`, `contains` … all false. `not (…)` is the complement, so
 *   `not metadata.n = 1` also matches versions without `metadata.n`.
 * - Numbers compare numerically; strings by Unicode code point (byte order of UTF-8), case-sensitively; `contains`
 *   is a case-sensitive substring test (no wildcards: `%` and `_` are themselves).
 * - `created_at`, `updated_at` take a date (`"2026-01-01"`, midnight UTC, or an RFC 3339 timestamp) and compare as
 *   timestamps.
 * - `tag = "x"`: the version has tag x (exactly, case-sensitively); `tag != "x"`: it does not; `tag in (…)`: it has
 *   one of them; `tag contains "x"`: one of its tags contains x; `tag exists`: it has a tag.
 * - `deployable` is true or false; `version`, `step` numbers; the other fields text.
 * - A model (`GET {prefix}/models`) matches when one of its live versions matches.
 *
 * @since 0.2.0
 */
import { Data, Either, Schema } from "effect"
import { FIELD_TYPES, MAX_LENGTH, parseTokens, Problem, tokenize } from "./internal/filterParser.js"
import { hasNul, nulMessage } from "./internal/nul.js"
import type { ModelVersion } from "./ModelVersion.js"

/**
 * The fields a filter names: `name`, `ml_repo`, `version`, `version_alias`, `tag`, `description`, `run_id`, `step`,
 * `deployable`, `created_at`, `updated_at`, `created_by` (the creator's `subjectId`), and the JSON fields
 * `framework` (`framework.<key>…`), `environment` (`environment.python_version`) and `metadata` (`metadata.<key>…`).
 * @since 0.2.0
 * @category models
 */
export type FieldName =
  | "name"
  | "ml_repo"
  | "version"
  | "version_alias"
  | "tag"
  | "description"
  | "run_id"
  | "step"
  | "deployable"
  | "created_at"
  | "updated_at"
  | "created_by"
  | "framework"
  | "environment"
  | "metadata"

/**
 * A field and, for `framework`, `environment` and `metadata`, the keys below it (`metadata."a.b".c` is
 * `{name: "metadata", path: ["a.b", "c"]}`).
 * @since 0.2.0
 * @category models
 */
export interface Field {
  readonly name: FieldName
  readonly path: ReadonlyArray<string>
}

/** A literal: a string, a number, `true`, `false` or `null`. @since 0.2.0 @category models */
export type Literal = string | number | boolean | null

/** A comparison operator. @since 0.2.0 @category models */
export type Comparison = "=" | "!=" | "<" | "<=" | ">" | ">="

/**
 * A parsed filter: comparisons, `in`, `contains`, `exists`, and `and`/`or`/`not` of them. Date literals are already
 * timestamps in the registry's form (`2026-01-01T00:00:00.000Z`).
 * @since 0.2.0
 * @category models
 */
export type Expression = Data.TaggedEnum<{
  Compare: { readonly field: Field; readonly op: Comparison; readonly value: Literal }
  In: { readonly field: Field; readonly values: ReadonlyArray<Literal> }
  Contains: { readonly field: Field; readonly value: string }
  Exists: { readonly field: Field }
  And: { readonly left: Expression; readonly right: Expression }
  Or: { readonly left: Expression; readonly right: Expression }
  Not: { readonly expression: Expression }
}>

/**
 * A filter that does not parse: `column` is 1-based (in Unicode code points), `expected` what the grammar wanted
 * there, `found` what it found (`end of input`, `"metdata"`, `the string "x"`), `hint` a did-you-mean or a rule.
 * `message`: `column 17: expected a value after ">=", found end of input`.
 * @since 0.2.0
 * @category errors
 */
export class FilterError extends Data.TaggedError("FilterError")<{
  readonly column: number
  readonly expected: string
  readonly found: string
  readonly hint?: string | undefined
}> {
  /** @since 0.2.0 */
  override get message(): string {
    return `column ${this.column}: expected ${this.expected}, found ${this.found}${this.hint === undefined ? "" : `; ${this.hint}`}`
  }
}

/**
 * Parses a filter. Fails with a {@link FilterError} naming the column; a filter over 4,096 characters, an empty one,
 * or one holding a NUL character (U+0000, also as `\u0000`) fails too.
 * @since 0.2.0
 * @category parsing
 */
export const parse = (text: string): Either.Either<Expression, FilterError> => {
  if (text.length > MAX_LENGTH) return Either.left(new FilterError({ column: MAX_LENGTH + 1, expected: `at most ${MAX_LENGTH} characters`, found: `${text.length} characters` }))
  try {
    return Either.right(parseTokens(tokenize(text)))
  } catch (problem) {
    if (!(problem instanceof Problem)) throw problem
    const column = [...text.slice(0, problem.at)].length + 1
    return Either.left(new FilterError({ column, expected: problem.expected, found: problem.found, hint: problem.hint }))
  }
}

/**
 * The filter text of a list query: a string that {@link parse}s (the parse error's message otherwise, e.g.
 * `column 17: expected a value after ">=", found end of input`); no NUL character (U+0000).
 * @since 0.2.0
 * @category schemas
 */
export const FilterText = Schema.String.pipe(
  Schema.filter((text) => {
    if (hasNul(text)) return nulMessage(text)
    return Either.match(parse(text), { onLeft: (error) => error.message, onRight: () => true })
  }),
  Schema.annotations({
    identifier: "FilterText",
    title: "Filter",
    description: "A filter expression (mreg), e.g. metadata.accuracy >= 0.9 and tag = \"prod\"; grammar in docs/filter.md.",
    examples: ["metadata.accuracy >= 0.9 and tag = \"prod\""]
  })
)

/**
 * The expression with a caret under `column` (1-based), for terminals: the text on one line, `^` below.
 * @since 0.2.0
 * @category formatting
 */
export const caret = (text: string, column: number): string => {
  const flat = text.replace(/[\r\n\t]/g, " ")
  return `${flat}\n${" ".repeat(Math.max(0, column - 1))}^`
}

/** The field's value in a version: `undefined` when absent; tags are handled apart. */
const valueOf = (version: ModelVersion, field: Field): unknown => {
  const manifest = version.manifest
  switch (field.name) {
    case "name":
    case "ml_repo":
    case "version":
    case "version_alias":
    case "description":
    case "run_id":
    case "step":
      return manifest[field.name]
    case "deployable":
      return version.deployable
    case "created_at":
    case "updated_at":
      return version[field.name]
    case "created_by":
      return version.created_by_subject.subjectId
    case "tag":
      return version.tags
    default: {
      let at: unknown = manifest[field.name]
      for (const key of field.path) {
        at = at !== null && typeof at === "object" && !Array.isArray(at) && Object.hasOwn(at, key) ? (at as Record<string, unknown>)[key] : undefined
      }
      return at
    }
  }
}

/** Code point order (the byte order of UTF-8, as SQLite's BINARY and PostgreSQL's `COLLATE "C"`). */
const compareText = (a: string, b: string): number => {
  const x = [...a]
  const y = [...b]
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!
    if (d !== 0) return d
  }
  return x.length - y.length
}

const holds = (op: Comparison, order: number): boolean => {
  switch (op) {
    case "=":
      return order === 0
    case "!=":
      return order !== 0
    case "<":
      return order < 0
    case "<=":
      return order <= 0
    case ">":
      return order > 0
    case ">=":
      return order >= 0
  }
}

/** One comparison of a present value (not a tag list) with a literal, by the rules in the module's doc. */
const compare = (field: Field, value: unknown, op: Comparison, literal: Literal): boolean => {
  const absent = value === undefined || value === null
  if (literal === null) return op === "=" ? absent : op === "!=" ? !absent : false
  if (absent || typeof value !== typeof literal) return false
  if (typeof literal === "boolean") return holds(op, value === literal ? 0 : 1)
  if (typeof literal === "number") return holds(op, Math.sign((value as number) - literal))
  if (FIELD_TYPES[field.name] === "date") return holds(op, Math.sign(Date.parse(value as string) - Date.parse(literal)))
  return holds(op, compareText(value as string, literal))
}

const compareTags = (tags: ReadonlyArray<string>, op: Comparison, literal: Literal): boolean =>
  op === "=" ? tags.includes(literal as string) : op === "!=" ? !tags.includes(literal as string) : false

/**
 * Whether a model version matches an expression, in memory, by the same rules as the registry's SQL (the module's
 * doc): what the proxy applies to the pages of an upstream that ignores `filter`.
 * @since 0.2.0
 * @category evaluation
 */
export const evaluate = (expression: Expression, version: ModelVersion): boolean => {
  switch (expression._tag) {
    case "And":
      return evaluate(expression.left, version) && evaluate(expression.right, version)
    case "Or":
      return evaluate(expression.left, version) || evaluate(expression.right, version)
    case "Not":
      return !evaluate(expression.expression, version)
    case "Exists": {
      const value = valueOf(version, expression.field)
      return expression.field.name === "tag" ? version.tags.length > 0 : value !== undefined && value !== null
    }
    case "Contains": {
      const value = valueOf(version, expression.field)
      if (expression.field.name === "tag") return version.tags.some((tag) => tag.includes(expression.value))
      return typeof value === "string" && value.includes(expression.value)
    }
    case "Compare":
    case "In": {
      const { field } = expression
      const value = valueOf(version, field)
      const test = (op: Comparison, literal: Literal) =>
        field.name === "tag" ? compareTags(version.tags, op, literal) : compare(field, value, op, literal)
      return expression._tag === "In" ? expression.values.some((literal) => test("=", literal)) : test(expression.op, expression.value)
    }
  }
}
