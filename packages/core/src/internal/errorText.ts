/**
 * Reading error answers mreg did not write: which text is safe to show, and which bodies are understood.
 *
 * A foreign (upstream) error body is never passed through: only its code, a message that passes {@link safeText}
 * and the typed `details` fields are read from it; the caller rebuilds mreg's own error from those.
 * @internal
 */

/** The longest message kept from a foreign body. */
export const MAX_SAFE_TEXT = 300

/** Text that looks like a stack trace, driver or SQL output, or a secret. */
const UNSAFE: ReadonlyArray<RegExp> = [
  /traceback/i,
  /\bFile "/,
  / {2}at /,
  /\bat [\w.$<>[\]]+ \(.*:\d+:\d+\)/,
  /psycopg/i,
  /sqlalchemy/i,
  /\bsqlstate\b/i,
  /duplicate key value/i,
  /violates [\w ]*constraint/i,
  /\[SQL: /,
  /\[parameters: /,
  /password\s*=/i,
  /\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?):\/\//i,
  /\binsert\s+into\b/i,
  /\bselect\b.+\bfrom\b/i,
  /\bupdate\s+\S+\s+set\b/i,
  /\bdelete\s+from\b/i
]

/** Control characters (including line breaks), DEL, C1 controls and Unicode line/paragraph separators. */
const NOT_PRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

/**
 * `value` when it is safe to show a user: a string of one line, 1–300 characters, printable, and not looking like
 * a traceback, driver or SQL text, or a connection string; `undefined` otherwise.
 */
export const safeText = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined
  const text = value.trim()
  if (text.length === 0 || text.length > MAX_SAFE_TEXT || NOT_PRINTABLE.test(text)) return undefined
  return UNSAFE.some((pattern) => pattern.test(text)) ? undefined : text
}

/** One validation problem as read from a foreign body (not yet checked for safety). */
export interface ForeignIssue {
  readonly loc: unknown
  readonly msg: unknown
  readonly type: unknown
}

/**
 * The parts of an error body mreg understands, unchecked: `code`, `message`, `details` (an object; a list of
 * objects, TrueFoundry's shape, is merged) and `detail` (FastAPI's 422 problems).
 */
export interface ForeignBody {
  readonly code: unknown
  readonly message: unknown
  readonly details: Readonly<Record<string, unknown>>
  readonly detail: ReadonlyArray<ForeignIssue> | undefined
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const detailsOf = (value: unknown): Readonly<Record<string, unknown>> =>
  isObject(value) ? value : Array.isArray(value) ? Object.assign({}, ...value.filter(isObject)) : {}

const issuesOf = (value: unknown): ReadonlyArray<ForeignIssue> | undefined =>
  Array.isArray(value) ? value.filter(isObject).map((issue) => ({ loc: issue.loc, msg: issue.msg, type: issue.type })) : undefined

/**
 * Parses an error body: mreg's and TrueFoundry's `{statusCode, code, message, details?}` (with `detail` for 422),
 * FastAPI's `{"detail": "…"}` and `{"detail": [{loc, msg, type}]}`, and `{"message": "…"}` / `{"error": "…"}` (also
 * `{"error": {"code", "message"}}`). `undefined` for anything else: empty, not JSON, HTML, a JSON value of another
 * shape.
 */
export const parseBody = (text: string | undefined): ForeignBody | undefined => {
  if (text === undefined || text.trim().length === 0) return undefined
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObject(json)) return undefined
  const error = isObject(json.error) ? json.error : undefined
  const message = json.message ?? (typeof json.detail === "string" ? json.detail : undefined) ?? error?.message ??
    json.error
  const code = json.code ?? error?.code
  const detail = issuesOf(json.detail)
  if (typeof message !== "string" && typeof code !== "string" && detail === undefined) return undefined
  return { code, message, details: detailsOf(json.details ?? error?.details), detail }
}

/** Seconds from a `Retry-After` value: an integer number of seconds (an HTTP date is not read). */
export const retryAfterSeconds = (value: unknown): number | undefined => {
  const seconds = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(3600, Math.max(1, Math.ceil(seconds))) : undefined
}
