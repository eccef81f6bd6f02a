/**
 * The `--set PATH=VALUE` and `--unset PATH` edits of `mreg update`, applied to a stored manifest (its wire JSON).
 *
 * - A path is dot-separated keys from the manifest's top: `description`, `metadata.accuracy`,
 *   `framework.pipeline_tag`. A key holding `.`, `=` or `"` is written as a JSON string: `metadata."a.b"`.
 * - A value is read as JSON when it is valid JSON (`0.93`, `true`, `null`, `[1,2]`, `{"k":"v"}`, `"2024"`), and
 *   otherwise taken as the text itself (`v2-prod`, `text-classification`): `--set description=2024` sets the number
 *   2024 (which the manifest rules refuse), `--set 'description="2024"'` the text.
 * - Only the fields an update may change can be edited: `description`, `version_alias`, `metadata`, `framework`,
 *   `environment`. `source`, `step` and `run_id` are fixed when a version is created; `type`, `name`, `ml_repo` and
 *   `version` say which version it is.
 * - Every `--unset` is applied before every `--set`; missing objects on the way of a `--set` are created; an
 *   `--unset` of a path that is not there changes nothing.
 *
 * @internal
 */
import { Either } from "effect"
import * as Failure from "../Failure.js"

/** One edit: `set` a value at a path, or `unset` (remove) the key at a path. */
export type Edit =
  | { readonly op: "set"; readonly path: ReadonlyArray<string>; readonly value: unknown }
  | { readonly op: "unset"; readonly path: ReadonlyArray<string> }

/** The manifest fields `--set` and `--unset` may change (PUT's mutable fields). */
export const MUTABLE = ["description", "version_alias", "metadata", "framework", "environment"] as const

const FIXED = new Set(["source", "step", "run_id"])
const IDENTITY = new Set(["type", "name", "ml_repo", "version"])

const usage = (flag: string, given: string, message: string) =>
  new Failure.UsageError({ message: `${flag} ${given}: ${message}` })

/** Reads a JSON string key starting at `text[start]` (a `"`); returns the key and the index after it. */
const quotedKey = (text: string, start: number): { readonly key: string; readonly end: number } | undefined => {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++
    else if (text[i] === "\"") {
      try {
        return { key: JSON.parse(text.slice(start, i + 1)) as string, end: i + 1 }
      } catch {
        return undefined
      }
    }
  }
  return undefined
}

/** Splits `a.b."c.d"` (up to a `=` outside quotes when `untilEquals`) into keys; `rest` is what follows the `=`. */
const splitPath = (
  text: string,
  untilEquals: boolean
): Either.Either<{ readonly path: ReadonlyArray<string>; readonly rest: string | undefined }, string> => {
  const path: Array<string> = []
  let i = 0
  for (;;) {
    let key: string
    if (text[i] === "\"") {
      const quoted = quotedKey(text, i)
      if (quoted === undefined) return Either.left(`key ${text.slice(i)} is not a complete JSON string`)
      key = quoted.key
      i = quoted.end
    } else {
      let end = i
      while (end < text.length && text[end] !== "." && !(untilEquals && text[end] === "=")) end++
      key = text.slice(i, end)
      i = end
    }
    if (key.length === 0) return Either.left("a key of the path is empty")
    path.push(key)
    if (i >= text.length) return Either.right({ path, rest: undefined })
    if (text[i] === "=" && untilEquals) return Either.right({ path, rest: text.slice(i + 1) })
    if (text[i] !== ".") return Either.left(`expected "." or "=" after key ${JSON.stringify(key)}`)
    i++
  }
}

const checkRoot = (flag: string, given: string, root: string): Either.Either<void, Failure.UsageError> => {
  if ((MUTABLE as ReadonlyArray<string>).includes(root)) return Either.void
  if (FIXED.has(root)) {
    return Either.left(usage(flag, given, `${root} is fixed when the version is created and cannot be changed (create a new version instead)`))
  }
  if (IDENTITY.has(root)) {
    return Either.left(usage(flag, given, `${root} says which model version this is and cannot be changed (create a new version instead)`))
  }
  return Either.left(usage(flag, given, `${JSON.stringify(root)} is not a field an update can change: ${MUTABLE.join(", ")}`))
}

/** The value of `--set PATH=VALUE`: JSON when it is valid JSON, else the text. */
export const parseValue = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Parses one `--set PATH=VALUE`. Fails with `UsageError` (exit 2) naming the flag, the argument and the rule. */
export const parseSet = (given: string): Either.Either<Edit, Failure.UsageError> =>
  Either.flatMap(
    Either.mapLeft(splitPath(given, true), (message) => usage("--set", given, `${message}; write PATH=VALUE, such as metadata.accuracy=0.93`)),
    ({ path, rest }) =>
      rest === undefined
        ? Either.left(usage("--set", given, "no \"=\": write PATH=VALUE, such as metadata.accuracy=0.93"))
        : Either.map(checkRoot("--set", given, path[0]!), (): Edit => ({ op: "set", path, value: parseValue(rest) }))
  )

/** Parses one `--unset PATH`. Fails with `UsageError` (exit 2) naming the flag, the argument and the rule. */
export const parseUnset = (given: string): Either.Either<Edit, Failure.UsageError> =>
  Either.flatMap(
    Either.mapLeft(splitPath(given, false), (message) => usage("--unset", given, `${message}; write a path such as metadata.accuracy`)),
    ({ path }) => Either.map(checkRoot("--unset", given, path[0]!), (): Edit => ({ op: "unset", path }))
  )

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Sets an own, enumerable data property (as `JSON.parse` makes), even for a key such as `__proto__`. */
const define = (node: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true })

const shown = (path: ReadonlyArray<string>): string =>
  path.map((key) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key))).join(".")

/**
 * Applies the edits to a copy of `manifest` (the wire JSON of a stored manifest): unsets first, then sets, each in
 * the order given. Fails with `UsageError` when a path goes through a value that is not an object.
 */
export const apply = (
  manifest: Record<string, unknown>,
  edits: ReadonlyArray<Edit>
): Either.Either<Record<string, unknown>, Failure.UsageError> => {
  const result = structuredClone(manifest)
  const ordered: ReadonlyArray<Edit> = [...edits.filter((edit) => edit.op === "unset"), ...edits.filter((edit) => edit.op === "set")]
  edits: for (const edit of ordered) {
    let node: Record<string, unknown> = result
    for (let depth = 0; depth < edit.path.length - 1; depth++) {
      const key = edit.path[depth]!
      // Own keys only, written as data properties: `__proto__`, `constructor`, … are keys like any other, never a
      // way into the prototype (which JSON would not show, and which a later key could read back).
      const next = Object.hasOwn(node, key) ? node[key] : undefined
      if (next === undefined && edit.op === "unset") continue edits
      if (next === undefined) define(node, key, {})
      else if (!isRecord(next)) {
        const flag = edit.op === "set" ? "--set" : "--unset"
        return Either.left(
          usage(flag, shown(edit.path), `${shown(edit.path.slice(0, depth + 1))} is ${JSON.stringify(next)}, not an object: set it whole`)
        )
      }
      node = node[key] as Record<string, unknown>
    }
    const last = edit.path[edit.path.length - 1]!
    if (edit.op === "set") define(node, last, edit.value)
    else if (Object.hasOwn(node, last)) delete node[last]
  }
  return Either.right(result)
}
