/**
 * Recognises a SQLite driver that cannot load its native build, so that a user reads how to fix it instead of
 * "cannot open the registry".
 * @internal
 */
import { Cause, Predicate } from "effect"

/**
 * The errors of a missing or unloadable better-sqlite3 addon:
 * - `bindings` found no `better_sqlite3.node` (its install script never ran: `npm i --ignore-scripts`, pnpm's
 *   blocked build scripts): "Could not locate the bindings file. Tried: …";
 * - Node could not load the file it found (built for another Node version or platform): `ERR_DLOPEN_FAILED`,
 *   "… was compiled against a different Node.js version using NODE_MODULE_VERSION …".
 */
const isNativeLoadError = (error: unknown): boolean =>
  Predicate.hasProperty(error, "message") && typeof error.message === "string" &&
  (error.message.startsWith("Could not locate the bindings file") ||
    /NODE_MODULE_VERSION/.test(error.message) ||
    (Predicate.hasProperty(error, "code") && error.code === "ERR_DLOPEN_FAILED" && /better[_-]sqlite3/.test(error.message)))

/** The errors in `cause`, each followed by the errors it wraps as `cause` (a few levels deep). */
const errorsIn = (cause: Cause.Cause<unknown>): Array<unknown> =>
  [...Cause.failures(cause), ...Cause.defects(cause)].flatMap((error) => {
    const chain: Array<unknown> = []
    for (let at: unknown = error, depth = 0; depth < 5 && at !== undefined && at !== null; depth++) {
      chain.push(at)
      at = Predicate.hasProperty(at, "cause") ? at.cause : undefined
    }
    return chain
  })

/** Whether `cause` (or an error it wraps as `cause`, a few levels deep) is a native-build load failure. */
export const isMissingNativeBuild = (cause: Cause.Cause<unknown>): boolean => errorsIn(cause).some(isNativeLoadError)

/** Our words for the error codes of a database file that cannot be opened (never the driver's text). */
const OPEN_REASONS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOENT: "its folder cannot be created",
  SQLITE_NOTADB: "the file is not a SQLite database",
  SQLITE_CORRUPT: "the database file is damaged",
  SQLITE_READONLY: "the file is read-only",
  SQLITE_PERM: "permission denied"
}

/**
 * Why a SQLite file cannot be opened, in a user's words, when `cause` says: the first `code` of its errors that
 * {@link OPEN_REASONS} knows; `undefined` otherwise.
 * @internal
 */
export const openFailureReason = (cause: Cause.Cause<unknown>): string | undefined => {
  for (const error of errorsIn(cause)) {
    const code = Predicate.hasProperty(error, "code") && typeof error.code === "string" ? error.code : undefined
    if (code !== undefined && OPEN_REASONS[code] !== undefined) return OPEN_REASONS[code]
  }
  return undefined
}

/**
 * What to tell a user whose SQLite driver has no native build for this Node.js, and how to fix it.
 * @internal
 */
export const missingNativeBuildMessage = (nodeVersion: string): string =>
  `the SQLite driver better-sqlite3 has no native build for Node.js ${nodeVersion} (its install script was skipped, ` +
  "as with `npm install --ignore-scripts` or pnpm's blocked build scripts, or it was built for another Node.js " +
  "version): run `npm rebuild better-sqlite3` where mreg is installed (`npm rebuild -g better-sqlite3` for a global " +
  "install; with pnpm, `pnpm approve-builds`, or `pnpm approve-builds -g`), or use PostgreSQL with DATABASE_URL"
