/**
 * Reading error answers mreg did not write: which text is safe to show, and which bodies are understood.
 *
 * A foreign (upstream) error body is never passed through: only its code, a message that passes {@link safeText}
 * and the typed `details` fields are read from it; the caller rebuilds mreg's own error from those.
 * @internal
 */

/** The longest message kept from a foreign body. */
export const MAX_SAFE_TEXT = 200

/** The only characters a kept text may hold: printable ASCII, letters and digits (no control, bidi, zero-width, U+FFFD). */
const ALLOWED = /^[\x20-\x7e\p{L}\p{N}]+$/u

/** Words that name a secret. */
const SECRET_WORDS = /password|passwd|secret|token|api[_-]?key|bearer|authorization|credential/i

/** Secrets themselves: an AWS access key id, credentials in a URL, a `password=` pair. */
const SECRETS: ReadonlyArray<RegExp> = [/AKIA[0-9A-Z]{16}/, /[a-z][a-z0-9+.-]*:\/\/[^ ]*@/i, /password\s*=/i]

/** Text that looks like a stack trace, driver, SQL or network detail. */
const MARKERS: ReadonlyArray<RegExp> = [
  /traceback/i,
  /exception|\berror:|\bfatal:|\bER_[A-Z_]+/i,
  /\bFile "/,
  /\bat [\w$<>]+(?:\.[\w$<>]+)+ ?\(/,
  /\.(?:py|java|js|ts|go|rb|cs|kt|scala|php):\d+/i,
  /psycopg|sqlalchemy|sqlstate|hibernate|jdbc|prisma/i,
  /duplicate key value|violates [\w ]*constraint|\brelation "|at character \d+/i,
  /\[SQL: |\[parameters: /,
  /\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis):\/\//i,
  /\binsert\s+into\b|\bselect\b.+\bfrom\b|\bupdate\s+\S+\s+set\b|\bdelete\s+from\b/i
]

/** Network details: an IPv4 address, a port. */
const NETWORK = /\b\d{1,3}(?:\.\d{1,3}){3}\b|\bport \d+/i

/**
 * `value` when it is safe to show a user, by an allowlist: a string of one line, 1–200 characters of printable ASCII,
 * letters and digits only (no control, bidi, zero-width or replacement characters), naming no secret (`password`,
 * `token`, `api_key`, `bearer`, an AWS key id, credentials in a URL, …) and not looking like a traceback, driver, SQL
 * or network text; `undefined` otherwise.
 */
export const safeText = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined
  const text = value.trim()
  if (text.length === 0 || text.length > MAX_SAFE_TEXT || !ALLOWED.test(text)) return undefined
  return SECRET_WORDS.test(text) || NETWORK.test(text) || [...SECRETS, ...MARKERS].some((pattern) => pattern.test(text)) ? undefined : text
}

/** Control characters (including line breaks), DEL, C1 controls, Unicode line/paragraph separators, bidi and zero-width. */
const NOT_PRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufffd]/

/**
 * The message of an mreg wire body decoded by the contract's error schemas (`fromBody`, the inverse of `toBody`):
 * one printable line of 1–300 characters without traceback, driver or SQL markers; `undefined` otherwise. Error
 * answers of a server (`fromResponse`, what the HTTP client uses) keep only {@link safeText}, and only where the
 * status allows any text at all.
 */
export const wireText = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined
  const text = value.trim()
  if (text.length === 0 || text.length > 300 || NOT_PRINTABLE.test(text)) return undefined
  return [...SECRETS, ...MARKERS].some((pattern) => pattern.test(text)) ? undefined : text
}

/** An identifier-like string: a part of a 422 issue's `loc`. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/

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

/**
 * The facts of an error body's `details`: a list of objects (TrueFoundry's `HttpError.details`, what mreg sends) is
 * merged into one object, the first value of each key winning; an object (mreg before 0.2.0) is taken as it is;
 * anything else is `{}`.
 */
export const mergeDetails = (value: unknown): Readonly<Record<string, unknown>> => {
  if (isObject(value)) return value
  if (!Array.isArray(value)) return {}
  const merged: Record<string, unknown> = {}
  for (const entry of value.filter(isObject)) {
    for (const [key, fact] of Object.entries(entry)) if (!(key in merged)) merged[key] = fact
  }
  return merged
}

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
  return { code, message, details: mergeDetails(json.details ?? error?.details), detail }
}

/** Seconds from a `Retry-After` value: an integer number of seconds (an HTTP date is not read). */
export const retryAfterSeconds = (value: unknown): number | undefined => {
  const seconds = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(3600, Math.max(1, Math.ceil(seconds))) : undefined
}
