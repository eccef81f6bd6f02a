/**
 * Classifies driver errors wrapped in `SqlError` without ever showing their text to a user.
 * @internal
 */
import type { SqlError } from "@effect/sql/SqlError"

const codeOf = (error: SqlError): string | undefined => {
  const cause = error.cause as { readonly code?: unknown } | undefined
  return typeof cause?.code === "string" ? cause.code : undefined
}

/** A unique or primary-key violation: another writer got there first (SQLite `SQLITE_CONSTRAINT_*`, PostgreSQL 23505). */
export const isUniqueViolation = (error: SqlError): boolean => {
  const code = codeOf(error)
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY"
}

/** A transient lock or serialization failure worth retrying (SQLite busy/locked, PostgreSQL 40001/40P01). */
export const isTransient = (error: SqlError): boolean => {
  const code = codeOf(error)
  return code === "40001" || code === "40P01" || (code !== undefined && /^SQLITE_(BUSY|LOCKED)/.test(code))
}
