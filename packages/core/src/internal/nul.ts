/**
 * The NUL rule: text a store cannot hold. PostgreSQL's `text` refuses U+0000 (SQLite keeps it), so a NUL character
 * in any string of a manifest, a tags request or a list query is a validation error on every backend, never a
 * store failure.
 * @internal
 */
import { Schema } from "effect"
import { received } from "./text.js"

/** The rule's text, as every message about it starts. */
export const NUL_RULE = "must not contain a NUL character (U+0000)"

/** Whether a string holds U+0000. */
export const hasNul = (text: string): boolean => text.includes("\u0000")

/** The message for a string (or key) that breaks the rule. */
export const nulMessage = (text: string): string => `${NUL_RULE} (received ${received(text)})`

/** The rule as the first refinement of `Schema.String`, so a NUL is reported by this rule, not a later pattern. */
export const noNul = Schema.filter<typeof Schema.String>((text) => !hasNul(text), { message: (issue) => nulMessage(String(issue.actual)) })

/**
 * Whether `value` holds a NUL anywhere {@link nulIssues} looks (strings, array items, own enumerable keys and their
 * values): the common answer, "no", found without building paths or issues.
 */
const anyNul = (value: unknown): boolean => {
  if (typeof value === "string") return hasNul(value)
  if (typeof value !== "object" || value === null) return false
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (anyNul(value[i])) return true
    return false
  }
  const keys = Object.keys(value)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    if (hasNul(key) || anyNul((value as Record<string, unknown>)[key])) return true
  }
  return false
}

/**
 * Every NUL in a decoded value (strings, array items, object keys and values, at any depth), each at its path:
 * for fields whose schemas live elsewhere (`source`, `framework`, `environment`).
 */
export const nulIssues = (value: unknown): Array<Schema.FilterIssue> => {
  const issues: Array<Schema.FilterIssue> = []
  if (!anyNul(value)) return issues
  const at: Array<PropertyKey> = []
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (hasNul(v)) issues.push({ path: [...at], message: nulMessage(v) })
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        at.push(i)
        walk(item)
        at.pop()
      })
    } else if (typeof v === "object" && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        at.push(key)
        if (hasNul(key)) issues.push({ path: [...at], message: nulMessage(key) })
        else walk(item)
        at.pop()
      }
    }
  }
  walk(value)
  return issues
}
