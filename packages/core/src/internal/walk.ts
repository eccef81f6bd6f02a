/**
 * The walk for the rules that look at every string, number and container of a value: the NUL rule (nul.ts), and
 * "JSON values only" with the serialized size (Metadata.ts). No nesting depth overflows the call stack.
 * @internal
 */
import type { Schema } from "effect"
import { hasNul, nulMessage } from "./nul.js"
import { received } from "./text.js"

/**
 * The NUL rule only (`"nul"`), or also the JSON rules and the UTF-8 bytes of `JSON.stringify`: exactly (`"exact"`),
 * or bounded above (`"bound"`: 6 bytes per UTF-16 code unit, as `\u001f` takes, and 25 per number, as
 * `-0.0000012345678901234567` does, until a container's bound passes {@link EXACT_FROM}; exactly after that).
 */
export type Mode = "nul" | "bound" | "exact"

/** A character JSON.stringify escapes, or one of more than one byte of UTF-8. */
const ESCAPED_OR_WIDE = /[\u0000-\u001f"\\\u0080-\uffff]/

/** The bytes of `JSON.stringify(text)` as `mode` counts them (escapes: `\n` 2, `\u0001` 6); -1 for a NUL. */
const textBytes = (text: string, mode: Mode): number => {
  if (mode === "exact" && !ESCAPED_OR_WIDE.test(text)) return text.length + 2
  if (hasNul(text)) return -1
  if (mode !== "exact") return mode === "bound" ? 2 + 6 * text.length : 0
  let bytes = 2
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20) bytes += c >= 8 && c <= 13 && c !== 11 ? 2 : 6
    else if (c < 0x80) bytes += c === 0x22 || c === 0x5c ? 2 : 1
    else if (c < 0x800) bytes += 2
    else if ((c & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += (c & 0xf800) === 0xd800 ? 6 : 3
  }
  return bytes
}

const TEN = Array.from({ length: 22 }, (_, i) => 10 ** i)

/**
 * The length of `String(n)` for a finite number, mostly without formatting it: an integer below 1e21 is its
 * digits; a fraction of at least 1e-6 has the fewest decimals `d` with `round(n·10^d) / 10^d === n` (exact while
 * `n·10^d` stays under 2e15, where the product is off by less than half a unit); anything else is formatted.
 */
const numberBytes = (n: number): number => {
  const a = Math.abs(n)
  const sign = n < 0 ? 1 : 0
  let whole = 1
  while (whole < 21 && a >= TEN[whole]!) whole++
  if (Number.isInteger(a) && a < 1e21) return sign + whole
  if (a >= 1e-6) for (let d = 1; a * TEN[d]! < 2e15; d++) if (Math.round(a * TEN[d]!) / TEN[d]! === a) return sign + whole + 1 + d
  return String(n).length
}

/** Whether `value` is an object whose prototype is `Object.prototype` or `null` (what JSON.parse makes). */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** A value's bytes, or the message of the rule it breaks; -1 for a container to walk into (any object in NUL mode). */
const leaf = (value: unknown, mode: Mode): number | string => {
  switch (typeof value) {
    case "string": {
      const bytes = textBytes(value, mode)
      return bytes < 0 ? nulMessage(value) : bytes
    }
    case "number":
      if (mode === "nul") return 0
      if (Number.isFinite(value)) return mode === "exact" ? numberBytes(value) : 25
      return `must be a finite number: JSON has no NaN or Infinity (received ${received(value)})`
    case "boolean":
      return value ? 4 : 5
    case "object":
      if (value === null) return 4
      if (mode === "nul" || Array.isArray(value) || isPlainObject(value)) return -1
      return `must be a JSON value; received an instance of ${value.constructor?.name ?? "an unknown class"}`
    default:
      return mode === "nul" ? 0 : `must be a JSON value (received ${typeof value})`
  }
}

/** The brackets and separators of a container with `count` children, or `Infinity` when a `toJSON` method decides. */
const frameBytes = (container: object, count: number, mode: Mode): number =>
  mode !== "nul" && "toJSON" in container ? Infinity : count === 0 ? 2 : count + 1

/** Bytes of bound past which the quick walk counts the rest of a container exactly (close enough for the limit). */
const EXACT_FROM = 1024
/** Deeper than this the quick walk does not answer (a cycle is an endless depth): the full walk does. */
const QUICK_DEPTH = 64

/** The bytes of a container when nothing in it breaks a rule, else -1 (also deeper than {@link QUICK_DEPTH}). */
const quick = (container: any, mode: Mode, depth: number): number => {
  if (depth >= QUICK_DEPTH) return -1
  const keys = Array.isArray(container) ? undefined : Object.keys(container)
  const count = keys === undefined ? container.length : keys.length
  let bytes = frameBytes(container, count, mode)
  for (let i = 0; i < count; i++) {
    if (mode === "bound" && bytes > EXACT_FROM) mode = "exact"
    let item: unknown
    if (keys === undefined) item = container[i]
    else {
      const key = textBytes(keys[i]!, mode)
      if (key < 0) return -1
      bytes += key + 1
      item = container[keys[i]!]
    }
    const size = leaf(item, mode)
    if (typeof size === "string") return -1
    const inner = size === -1 ? quick(item, mode, depth + 1) : size
    if (inner < 0) return -1
    bytes += inner
  }
  return bytes
}

/**
 * Iterative, any depth: pushes every problem at its path after `prefix` onto `issues`; then bytes, or -1. A container
 * deeper than `maxDepth` levels is a problem, not walked into.
 */
const full = (
  root: unknown,
  mode: Mode,
  issues: Array<Schema.FilterIssue>,
  prefix: ReadonlyArray<PropertyKey>,
  maxDepth: number
): number => {
  // Each container being walked (the path's ancestors), its keys (`undefined` for an array) and its next child.
  const frames: Array<{ readonly container: any; readonly keys: ReadonlyArray<string> | undefined; next: number }> = []
  const ancestors = new Set<unknown>()
  const report = (message: string) => issues.push({ path: [...prefix, ...frames.map((f) => f.keys?.[f.next - 1] ?? f.next - 1)], message })
  const before = issues.length
  let bytes = 0
  let value = root
  let visit = true
  for (;;) {
    if (visit) {
      const size = leaf(value, mode)
      if (typeof size === "string") report(size)
      else if (size !== -1) bytes += size
      else if (ancestors.has(value)) report("must not refer to itself: JSON cannot hold a cycle")
      else if (frames.length >= maxDepth) {
        report(`must nest at most ${maxDepth} levels of arrays and objects (received ${Array.isArray(value) ? "an array" : "an object"} at level ${maxDepth + 1})`)
      } else {
        const keys = Array.isArray(value) ? undefined : Object.keys(value as object)
        bytes += frameBytes(value as object, keys?.length ?? (value as Array<unknown>).length, mode)
        frames.push({ container: value, keys, next: 0 })
        ancestors.add(value)
      }
    }
    // The next value: the next child of the innermost container that has one left.
    const frame = frames[frames.length - 1]
    if (frame === undefined) return issues.length > before ? -1 : bytes
    const i = frame.next++
    visit = i < (frame.keys ?? frame.container).length
    if (!visit) ancestors.delete(frames.pop()!.container)
    else if (frame.keys === undefined) value = frame.container[i]
    else {
      const key = textBytes(frame.keys[i]!, mode)
      visit = key >= 0
      if (visit) {
        bytes += key + 1
        value = frame.container[frame.keys[i]!]
      } else report(nulMessage(frame.keys[i]!))
    }
  }
}

/**
 * Walks `value` for the NUL rule (strings, keys and items of arrays and objects of any kind) and, unless `mode` is
 * `"nul"`, "JSON values only" (`null`, booleans, finite numbers, strings, arrays, plain objects; no cycle). Gives
 * the bytes (`Infinity` when a `toJSON` method decides), or -1 with every problem pushed onto `issues` at its path
 * after `path`: the quick walk answers the common case, the full one runs only when it did not. With `maxDepth` (at
 * least {@link QUICK_DEPTH}), a container nested deeper than that many levels (`value` itself is level 1) is one.
 */
export const walk = (
  value: unknown,
  mode: Mode,
  issues: Array<Schema.FilterIssue>,
  path: ReadonlyArray<PropertyKey> = [],
  maxDepth = Infinity
): number => {
  const size = leaf(value, mode)
  const bytes = size === -1 ? quick(value, mode, 0) : typeof size === "number" ? size : -1
  return bytes >= 0 ? bytes : full(value, mode, issues, path, maxDepth)
}

/** Every problem {@link walk} finds in `value`, each at its path after `path`. */
export const walkIssues = (value: unknown, mode: Mode, path?: ReadonlyArray<PropertyKey>): Array<Schema.FilterIssue> => {
  const issues: Array<Schema.FilterIssue> = []
  walk(value, mode, issues, path)
  return issues
}

/** Every NUL in a decoded value, at its path: for `source`, `framework` and `environment`, whose schemas live elsewhere. */
export const nulIssues = (value: unknown): Array<Schema.FilterIssue> => walkIssues(value, "nul")
