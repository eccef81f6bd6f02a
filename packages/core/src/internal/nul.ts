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
