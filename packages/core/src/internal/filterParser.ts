/**
 * The filter language's tokenizer and recursive-descent parser (grammar in `docs/filter.md`). A hand-written parser
 * rather than a parser library: the grammar is a dozen rules, and the errors users see (1-based column, what was
 * found, what was expected, did-you-mean for fields, the NUL rule) are the point of it; a generated parser would
 * need the same code around it to produce them.
 * @internal
 */
import type * as Filter from "../Filter.js"
import { NUL_RULE } from "./nul.js"
import { didYouMean } from "../Spelling.js"

/** The longest filter accepted, in characters, and the deepest nesting of parentheses and `not`. */
export const MAX_LENGTH = 4096
export const MAX_DEPTH = 64

/** What a field holds, which decides the operators and literals it takes. */
export type FieldType = "string" | "date" | "integer" | "boolean" | "tag" | "json"

/** Fields by name; `framework`, `environment` and `metadata` take a path after a dot. */
export const FIELD_TYPES: Readonly<Record<Filter.FieldName, FieldType>> = {
  name: "string",
  ml_repo: "string",
  version: "integer",
  version_alias: "string",
  tag: "tag",
  description: "string",
  run_id: "string",
  step: "integer",
  deployable: "boolean",
  created_at: "date",
  updated_at: "date",
  created_by: "string",
  framework: "json",
  environment: "json",
  metadata: "json"
}

/** The names a user can write, for did-you-mean. */
const SPELLINGS = [...Object.keys(FIELD_TYPES).filter((name) => name !== "environment" && name !== "metadata"), "environment.python_version", "metadata"]

type Token =
  | { readonly kind: "word"; readonly text: string; readonly at: number }
  | { readonly kind: "string"; readonly value: string; readonly at: number }
  | { readonly kind: "number"; readonly value: number; readonly text: string; readonly at: number }
  | { readonly kind: "symbol"; readonly text: string; readonly at: number }
  | { readonly kind: "end"; readonly at: number }

/** A problem at a 0-based index of the text; the public error carries the 1-based column in code points. */
export class Problem {
  constructor(readonly at: number, readonly expected: string, readonly found: string, readonly hint?: string) {}
}

const describe = (token: Token): string => {
  switch (token.kind) {
    case "end":
      return "end of input"
    case "string":
      return `the string ${JSON.stringify(token.value)}`
    case "number":
      return `the number ${token.text}`
    default:
      return JSON.stringify(token.text)
  }
}

const ESCAPES: Readonly<Record<string, string>> = { "\"": "\"", "'": "'", "\\": "\\", "/": "/", n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" }
const SYMBOLS = ["!=", "<=", ">=", "=", "<", ">", "(", ")", ",", "."]
const WORD = /[A-Za-z_][A-Za-z0-9_-]*/y
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

const readString = (text: string, start: number): { readonly value: string; readonly end: number } => {
  const quote = text[start]!
  let value = ""
  let i = start + 1
  while (i < text.length) {
    const c = text[i]!
    if (c === quote) return { value, end: i + 1 }
    if (c === "\u0000") throw new Problem(i, `a filter that ${NUL_RULE}`, "U+0000")
    if (c !== "\\") {
      value += c
      i++
      continue
    }
    const next = text[i + 1]
    if (next === undefined) throw new Problem(i + 1, `a character after the backslash at column ${i + 1} and a closing ${quote}`, "end of input")
    if (next === "u") {
      const hex = /^[0-9A-Fa-f]{4}/.exec(text.slice(i + 2, i + 6))
      if (hex === null) throw new Problem(i, "4 hexadecimal digits after \\u", JSON.stringify(text.slice(i, i + 6)))
      const code = parseInt(hex[0], 16)
      if (code === 0) throw new Problem(i, `a string that ${NUL_RULE}`, "\\u0000")
      value += String.fromCharCode(code)
      i += 6
      continue
    }
    const escaped = ESCAPES[next]
    if (escaped === undefined) {
      throw new Problem(i, "an escape: \\\" \\' \\\\ \\/ \\n \\t \\r \\b \\f or \\uXXXX", JSON.stringify(`\\${next}`))
    }
    value += escaped
    i += 2
  }
  throw new Problem(text.length, `a closing ${quote} for the string at column ${start + 1}`, "end of input")
}

/** The text as tokens; fails with a `Problem` on a character that starts no token or an unfinished string. */
export const tokenize = (text: string): Array<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++
      continue
    }
    if (c === "\u0000") throw new Problem(i, `a filter that ${NUL_RULE}`, "U+0000")
    if (c === "\"" || c === "'") {
      const { end, value } = readString(text, i)
      tokens.push({ kind: "string", value, at: i })
      i = end
      continue
    }
    NUMBER.lastIndex = i
    const number = NUMBER.exec(text)
    if (number !== null) {
      if (!Number.isFinite(Number(number[0]))) throw new Problem(i, "a number of at most about 1.8e308", JSON.stringify(number[0]))
      tokens.push({ kind: "number", value: Number(number[0]), text: number[0], at: i })
      i += number[0].length
      continue
    }
    WORD.lastIndex = i
    const word = WORD.exec(text)
    if (word !== null) {
      tokens.push({ kind: "word", text: word[0], at: i })
      i += word[0].length
      continue
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, i))
    if (symbol === undefined) {
      const char = String.fromCodePoint(text.codePointAt(i)!)
      throw new Problem(i, "a field, a value, an operator or a parenthesis", JSON.stringify(char))
    }
    tokens.push({ kind: "symbol", text: symbol, at: i })
    i += symbol.length
  }
  tokens.push({ kind: "end", at: text.length })
  return tokens
}

const KEYWORDS = new Set(["and", "or", "not", "in", "contains", "exists", "true", "false", "null"])
const COMPARISONS = new Set<string>(["=", "!=", "<", "<=", ">", ">="])
const OPERATORS = "an operator (=, !=, <, <=, >, >=, in, contains, exists)"

/** The expression of a whole filter text; fails with a `Problem`. */
export const parseTokens = (tokens: ReadonlyArray<Token>): Filter.Expression => {
  let index = 0
  let depth = 0
  const peek = () => tokens[index]!
  const next = () => tokens[index++]!
  const isWord = (token: Token, word: string): boolean => token.kind === "word" && token.text.toLowerCase() === word
  const isSymbol = (token: Token, symbol: string): boolean => token.kind === "symbol" && token.text === symbol
  const fail = (token: Token, expected: string, hint?: string): never => {
    throw new Problem(token.at, expected, describe(token), hint)
  }
  const nested = <A>(token: Token, parse: () => A): A => {
    if (++depth > MAX_DEPTH) fail(token, `at most ${MAX_DEPTH} nested parentheses or "not"`)
    const result = parse()
    depth--
    return result
  }

  /** `operand { word operand }`, left-associative: `or` over `and`, `and` over `unary`. */
  const binary = (word: "and" | "or", operand: () => Filter.Expression) => (): Filter.Expression => {
    let left = operand()
    while (isWord(peek(), word)) {
      next()
      left = { _tag: word === "and" ? "And" : "Or", left, right: operand() }
    }
    return left
  }
  const and = binary("and", () => unary())
  const or = binary("or", and)
  const unary = (): Filter.Expression => {
    const token = peek()
    if (isWord(token, "not")) {
      next()
      return nested(token, () => ({ _tag: "Not", expression: unary() }))
    }
    if (isSymbol(token, "(")) {
      next()
      return nested(token, () => {
        const inner = or()
        if (!isSymbol(peek(), ")")) fail(peek(), `"and", "or" or ")" to close the "(" at column ${token.at + 1}`)
        next()
        return inner
      })
    }
    return predicate()
  }

  const field = (): Filter.Field => {
    const token = next()
    if (token.kind !== "word" || KEYWORDS.has(token.text.toLowerCase())) {
      return fail(token, "a field, \"(\" or \"not\"")
    }
    const name = token.text
    const type = (FIELD_TYPES as Record<string, FieldType | undefined>)[name]
    if (type === undefined) {
      const suggestion = didYouMean(name, SPELLINGS)
      return fail(token, "a field", suggestion === undefined ? `fields are ${SPELLINGS.join(", ")}` : `did you mean "${suggestion}"?`)
    }
    const path: Array<string> = []
    while (isSymbol(peek(), ".")) {
      const dot = next()
      if (type !== "json") fail(dot, `${OPERATORS} after "${name}"`, `${name} has no sub-fields`)
      const key = next()
      if (key.kind === "word") path.push(key.text)
      else if (key.kind === "string") path.push(key.value)
      else fail(key, `a key after "." (a name, or a quoted string)`)
    }
    if (name === "metadata" && path.length === 0) fail(peek(), "\".\" and a key after \"metadata\"", "e.g. metadata.accuracy")
    if (name === "environment" && (path.length !== 1 || path[0] !== "python_version")) {
      throw new Problem(token.at, "a field", JSON.stringify(["environment", ...path].join(".")), "did you mean \"environment.python_version\"?")
    }
    return { name: name as Filter.FieldName, path }
  }

  const literal = (after: Token): Filter.Literal => {
    const token = next()
    if (token.kind === "string" || token.kind === "number") return token.value
    if (isWord(token, "true")) return true
    if (isWord(token, "false")) return false
    if (isWord(token, "null")) return null
    return fail(token, `a value after ${describe(after)}`)
  }

  const predicate = (): Filter.Expression => {
    const target = field()
    const name = [target.name, ...target.path].join(".")
    const op = next()
    if (op.kind === "word" || op.kind === "symbol") allowed(target, op)
    if (op.kind === "symbol" && COMPARISONS.has(op.text)) {
      const at = peek()
      const value = checked(target, op.text, literal(op), at)
      return { _tag: "Compare", field: target, op: op.text as Filter.Comparison, value }
    }
    if (isWord(op, "in")) {
      if (!isSymbol(peek(), "(")) fail(peek(), "\"(\" after \"in\"")
      const open = next()
      const values: Array<Filter.Literal> = []
      for (;;) {
        const at = peek()
        values.push(checked(target, "in", literal(values.length === 0 ? open : tokens[index - 1]!), at))
        const separator = next()
        if (isSymbol(separator, ")")) break
        if (!isSymbol(separator, ",")) fail(separator, `"," or ")" to close the "(" at column ${open.at + 1}`)
      }
      return { _tag: "In", field: target, values }
    }
    if (isWord(op, "contains")) {
      const at = peek()
      const value = literal(op)
      if (typeof value !== "string") throw new Problem(at.at, `a string after "contains"`, describe(at))
      return { _tag: "Contains", field: target, value }
    }
    if (isWord(op, "exists")) return { _tag: "Exists", field: target }
    return fail(op, `${OPERATORS} after "${name}"`)
  }

  const expression = or()
  if (peek().kind !== "end") fail(peek(), "\"and\", \"or\" or end of input")
  return expression
}

const ORDERING = new Set(["<", "<=", ">", ">="])
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/

/**
 * The instant of a date literal, or NaN. `Date.parse` rolls a day past the month's end (`2026-02-30`) and hour 24
 * over to the next day: such dates are refused, not moved.
 */
const dateTime = (text: string): number => {
  const parts = DATE.exec(text)
  if (parts === null) return NaN
  const [, year, month, day, hour] = parts.map(Number)
  const leap = year! % 4 === 0 && (year! % 100 !== 0 || year! % 400 === 0)
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month!) ? 30 : 31
  if (day! > days || hour! > 23) return NaN
  return Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text)
}

/** The operators a field's type takes: `tag` no ordering, numbers, dates and booleans no `contains`, booleans only `=`/`!=`/`in`. */
const allowed = (target: Filter.Field, op: Token & { readonly kind: "word" | "symbol" }): void => {
  const type = FIELD_TYPES[target.name]
  const text = op.text.toLowerCase()
  const ordering = ORDERING.has(text)
  const contains = text === "contains"
  if (type === "tag" && ordering) throw new Problem(op.at, "=, !=, in, contains or exists after \"tag\"", describe(op))
  if ((type === "integer" || type === "date") && contains) {
    throw new Problem(op.at, `a comparison, in or exists after "${target.name}" (contains is for text and tags)`, describe(op))
  }
  if (type === "boolean" && (ordering || contains)) throw new Problem(op.at, `=, !=, in or exists after "${target.name}" (it is true or false)`, describe(op))
}

/**
 * A literal checked against the field's type (`at` is its token); a date literal becomes its timestamp in the
 * registry's form (UTC, milliseconds, `Z`).
 */
const checked = (target: Filter.Field, op: string, value: Filter.Literal, at: Token): Filter.Literal => {
  const type = FIELD_TYPES[target.name]
  const found = describe(at)
  const name = target.name
  if (value === null && type === "tag") throw new Problem(at.at, `a string after "${op}" (to find versions without tags, write not tag exists)`, found)
  if (value === null) {
    if (ORDERING.has(op)) throw new Problem(at.at, `a number or a string after "${op}" (null has no order)`, found)
    return value
  }
  if (ORDERING.has(op) && typeof value === "boolean") throw new Problem(at.at, `a number or a string after "${op}"`, found)
  switch (type) {
    case "json":
      return value
    case "string":
    case "tag":
      if (typeof value !== "string") throw new Problem(at.at, `a string after "${op}" (${name} holds text)`, found)
      return value
    case "integer":
      if (typeof value !== "number") throw new Problem(at.at, `a number after "${op}" (${name} holds numbers)`, found)
      return value
    case "boolean":
      if (typeof value !== "boolean") throw new Problem(at.at, `true or false after "${op}" (${name} is true or false)`, found)
      return value
    case "date": {
      const time = typeof value === "string" ? dateTime(value) : NaN
      if (Number.isNaN(time)) throw new Problem(at.at, `a date after "${op}", such as "2026-01-01" or "2026-01-01T12:00:00Z"`, found)
      return new Date(time).toISOString()
    }
  }
}
