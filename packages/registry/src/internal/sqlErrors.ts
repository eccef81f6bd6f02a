/**
 * Classifies driver errors wrapped in `SqlError` without ever showing their text to a user.
 * @internal
 */
import type { SqlError } from "@effect/sql/SqlError"

interface DriverError {
  readonly code?: unknown
  readonly message?: unknown
  readonly cause?: unknown
  readonly errors?: unknown
}

/** The driver error and the errors it wraps (`cause`, an `AggregateError`'s `errors`), outermost first. */
const chain = (error: unknown): ReadonlyArray<DriverError> => {
  const out: Array<DriverError> = []
  const visit = (value: unknown, depth: number) => {
    if (depth > 4 || value === null || typeof value !== "object") return
    const driver: DriverError = value
    out.push(driver)
    visit(driver.cause, depth + 1)
    if (Array.isArray(driver.errors)) for (const inner of driver.errors) visit(inner, depth + 1)
  }
  visit(error, 0)
  return out
}

const codes = (error: SqlError): ReadonlyArray<string> =>
  chain(error.cause).flatMap((e) => (typeof e.code === "string" ? [e.code] : []))

const messages = (error: SqlError): ReadonlyArray<string> =>
  chain(error).flatMap((e) => (typeof e.message === "string" ? [e.message] : []))

const codeOf = (error: SqlError): string | undefined => codes(error)[0]

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

/** Socket errors of a server that cannot be reached (Node `net`/`dns` codes). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN"
])

/**
 * PostgreSQL SQLSTATEs of a server that is going away or not taking connections: class 08 (connection exception),
 * 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up, recovery), 53300 too many
 * connections.
 */
const isPgUnavailableState = (code: string): boolean =>
  /^08[0-9A-Z]{3}$/.test(code) || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300"

/**
 * Errors of `pg` and `@effect/sql-pg` that carry no code: a socket closed under a client, a pool that could not hand
 * out a connection in time, a connect that timed out.
 */
const PG_UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Query read timeout$/,
  /^Connection timed out$/,
  /^timeout expired$/
]

/** SQLite result codes of a file that cannot be opened or read/written (`SQLITE_CANTOPEN`, `SQLITE_IOERR_*`). */
const isSqliteUnavailable = (code: string): boolean => /^SQLITE_(CANTOPEN|IOERR)/.test(code)

/**
 * How a failed statement reads to a caller:
 * - `unreachable`: the store cannot be reached or opened right now (network, server shutting down, disk I/O);
 * - `busy`: a lock or serialization failure outlasted the retries (only meaningful after `isTransient` retries);
 * - `failed`: anything else (a bug, a constraint, a corrupt file): the request was not applied.
 * @internal
 */
export type Classification = "unreachable" | "busy" | "failed"

/** Classifies a driver error (see `Classification`). */
export const classify = (error: SqlError): Classification => {
  for (const code of codes(error)) {
    if (NETWORK_CODES.has(code) || isPgUnavailableState(code) || isSqliteUnavailable(code)) return "unreachable"
  }
  if (messages(error).some((message) => PG_UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message)))) {
    return "unreachable"
  }
  return isTransient(error) ? "busy" : "failed"
}
