/**
 * Reading `requirements.txt` the way pip does, for `ModelFolder`.
 * @internal
 */
import { Environment } from "@mreg/core"

/**
 * The requirements of a `requirements.txt`, why each other line was skipped, the pip options dropped from the
 * end of a requirement, and the requirements whose URL carried credentials, removed (1-based line numbers; `name`
 * is the package's name, never the credentials).
 * @since 0.1.0
 * @category models
 */
export interface Requirements {
  readonly packages: ReadonlyArray<string>
  readonly skipped: ReadonlyArray<{ readonly line: number; readonly reason: string }>
  readonly dropped: ReadonlyArray<{ readonly line: number; readonly option: string }>
  readonly credentials: ReadonlyArray<{ readonly line: number; readonly name: string }>
}

/** The user info of a URL (`https://user:secret@`, `git+https://oauth2:token@`): scheme, then what goes before `@`. */
const USER_INFO = /(\b[A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#\s]*@/g

/**
 * A requirement without the user info of its URL (`pkg @ git+https://oauth2:glpat-…@gitlab.com/…` →
 * `pkg @ git+https://gitlab.com/…`), or `undefined` when it has none. pip reads credentials from `~/.netrc`, a
 * keyring or the environment instead; a manifest is shared, so none is ever copied into one.
 * @since 0.2.0
 * @category parsing
 */
export const withoutCredentials = (requirement: string): string | undefined => {
  const stripped = requirement.replace(USER_INFO, "$1")
  return stripped === requirement ? undefined : stripped
}

/**
 * Reads a `requirements.txt` the way pip does: `\` at the end of a line continues it, `#` at the start of a line or
 * after whitespace starts a comment, blank lines are ignored. Lines starting with `-` are pip options (skipped, only
 * the option's name is reported); options after a requirement (`--hash=…`) are dropped; a line that is not a PEP 508
 * requirement (a path, a bare URL, `${VAR}`) is skipped. Credentials in a requirement's URL are removed (see
 * {@link withoutCredentials}). Requirements are kept exactly as written otherwise.
 * @since 0.1.0
 * @category parsing
 */
export const parseRequirements = (text: string): Requirements => {
  const packages: Array<string> = []
  const skipped: Array<{ line: number; reason: string }> = []
  const dropped: Array<{ line: number; option: string }> = []
  const credentials: Array<{ line: number; name: string }> = []
  const lines = text.replace(/^\ufeff/, "").split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1
    let line = lines[i]!
    while (/(^|[^\\])\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!
    }
    const content = line.replace(/(^|\s)#.*$/, "").trim()
    if (content.length === 0) continue
    if (content.startsWith("-")) {
      const option = /^-{1,2}[A-Za-z][A-Za-z0-9-]*/.exec(content)?.[0] ?? "-"
      skipped.push({ line: number, reason: `pip option ${option}${option === "-e" || option === "--editable" ? " (editable install)" : ""}` })
      continue
    }
    const cut = /\s+--[A-Za-z]/.exec(content)
    const requirement = cut === null ? content : content.slice(0, cut.index)
    if (Environment.requirementProblem(requirement) !== undefined) {
      skipped.push({ line: number, reason: "not a PEP 508 requirement (a path, a URL without \"name @\", or a variable?)" })
      continue
    }
    if (cut !== null) dropped.push({ line: number, option: /--[A-Za-z][A-Za-z0-9-]*/.exec(content.slice(cut.index))![0] })
    const stripped = withoutCredentials(requirement)
    if (stripped !== undefined) credentials.push({ line: number, name: /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(requirement)![0] })
    packages.push(stripped ?? requirement)
  }
  return { packages, skipped, dropped, credentials }
}
