/**
 * Manifest files: reading them (a path, or `-` for stdin), parsing JSON or YAML, and decoding them into a
 * `ModelManifest` with the same error places (`manifest.framework.pipeline_tag`) as the server's 422.
 *
 * A file holds either the wire body `{"manifest": {…}}` or a bare manifest `{"type": "model-version", …}`.
 *
 * The format comes from the extension (`.json`; `.yaml`, `.yml`); otherwise (stdin, other names) from the content:
 * text starting with `{` or `[` is JSON, unless it only parses as YAML (a YAML flow mapping). JSON is parsed by
 * `@mreg/core`'s `JsonText` (the proxy's rules): errors name line, column and cause, and nesting deeper than 64 levels
 * (`JsonText.DEFAULT_MAX_DEPTH`) is refused, in YAML too. Bytes that are not UTF-8 are refused with their offset
 * (`JsonText.firstInvalidUtf8`, the proxy's rule), never replaced by U+FFFD.
 *
 * YAML keeps what the author wrote for fields that must be strings: an unquoted `python_version: 3.10` is the text
 * `"3.10"` (a YAML number would be `3.1`), likewise `name`, `ml_repo`, `version_alias`, `description`, `run_id`,
 * `source.uri`, `source.file_or_folder`, `framework.base_model`, `framework.pipeline_tag`,
 * `framework.model_filepath`, `framework.library_name` and each entry of `environment.pip_packages`. `metadata`
 * values keep their YAML types. A `null` stays `null`, and a scalar with an explicit tag (`!!float 3.10`) keeps
 * its tagged value.
 *
 * @since 0.1.0
 */
import { createReadStream } from "node:fs"
import { FileSystem } from "@effect/platform"
import { JsonText, type ModelManifest, RegistryError, Validation } from "@mreg/core"
import { Effect, Either } from "effect"
import { extname } from "node:path"
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from "yaml"
import { FileError, InvalidInput } from "./Failure.js"

/**
 * The file name meaning "read standard input".
 * @since 0.1.0
 * @category constants
 */
export const STDIN = "-"

/**
 * How a file is named in messages: its path as given, or `<stdin>`.
 * @since 0.1.0
 * @category formatting
 */
export const displayName = (file: string): string => (file === STDIN ? "<stdin>" : file)

/**
 * A manifest file's syntax.
 * @since 0.1.0
 * @category models
 */
export type Syntax = "json" | "yaml"

/**
 * The syntax a file name announces: `.json` → JSON, `.yaml`/`.yml` → YAML, anything else `undefined` (decided by
 * the content).
 * @since 0.1.0
 * @category parsing
 */
export const syntaxOf = (file: string): Syntax | undefined => {
  const ext = extname(file).toLowerCase()
  return ext === ".json" ? "json" : ext === ".yaml" || ext === ".yml" ? "yaml" : undefined
}

/**
 * Manifest fields whose values are strings, as paths inside the manifest (`"*"`: every entry of a list).
 * @since 0.1.0
 * @category constants
 */
export const STRING_FIELDS: ReadonlyArray<ReadonlyArray<string>> = [
  ["name"],
  ["ml_repo"],
  ["version_alias"],
  ["description"],
  ["run_id"],
  ["source", "uri"],
  ["source", "file_or_folder"],
  ["framework", "base_model"],
  ["framework", "pipeline_tag"],
  ["framework", "model_filepath"],
  ["framework", "library_name"],
  ["environment", "python_version"],
  ["environment", "pip_packages", "*"]
]

/** The largest manifest the CLI reads, in bytes (16 MiB): `/dev/zero` or a wrong file must not fill the memory. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024

class TooLarge extends Error {}

class NotUtf8 extends Error {
  constructor(readonly offset: number, readonly byte: number) {
    super("not UTF-8")
  }
}

/**
 * Reads a byte stream to text, stopping past {@link MAX_MANIFEST_BYTES}; bytes that are not UTF-8 are refused
 * (`JsonText.firstInvalidUtf8`, the proxy's rule) rather than replaced by U+FFFD.
 */
const readLimited = async (source: AsyncIterable<Buffer | string>): Promise<string> => {
  const chunks: Array<Buffer> = []
  let size = 0
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk
    size += bytes.length
    if (size > MAX_MANIFEST_BYTES) throw new TooLarge()
    chunks.push(bytes)
  }
  const bytes = Buffer.concat(chunks)
  const invalid = JsonText.firstInvalidUtf8(bytes)
  if (invalid >= 0) throw new NotUtf8(invalid, bytes[invalid]!)
  return bytes.toString("utf8")
}

/** The `FileError` of a failed read: too large, not UTF-8, or what the system said (`cannot read …: <reason>`). */
const readError = (file: string, what: string) => (error: unknown): FileError =>
  error instanceof TooLarge
    ? new FileError({ file, message: `${displayName(file)} is larger than ${MAX_MANIFEST_BYTES} bytes (16 MiB): not a manifest` })
    : error instanceof NotUtf8
    ? new FileError({
      file,
      message: `${displayName(file)} is not UTF-8 text: the byte at offset ${error.offset} (0x${
        error.byte.toString(16).toUpperCase().padStart(2, "0")
      }) is not part of a UTF-8 sequence; save the manifest as UTF-8`
    })
    : new FileError({ file, message: `cannot read ${what}: ${error instanceof Error ? error.message : String(error)}` })

const readStdin: Effect.Effect<string, FileError> = Effect.tryPromise({
  try: () => readLimited(process.stdin),
  catch: readError(STDIN, "the manifest from stdin")
})

const reasonText = (reason: string, fallback: string): string => {
  switch (reason) {
    case "NotFound":
      return "no such file"
    case "PermissionDenied":
      return "permission denied"
    case "BadResource":
      return "not a readable file"
    default:
      return fallback
  }
}

/**
 * Reads a manifest file as UTF-8 text (`-`: standard input). Fails with `FileError` when it cannot be read, is a
 * folder, or is a FIFO, socket or block device (refused before it is opened: opening a FIFO would wait for a writer),
 * is larger than 16 MiB, or is not UTF-8 (naming the byte offset of the first byte that is not).
 * @since 0.1.0
 * @category reading
 */
export const read = (file: string): Effect.Effect<string, FileError, FileSystem.FileSystem> =>
  file === STDIN ? readStdin : Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.stat(file).pipe(
      Effect.flatMap((info) =>
        info.type === "Directory"
          ? Effect.fail(new FileError({ file, message: `cannot read ${file}: it is a folder, not a manifest file` }))
          : info.type !== "File" && info.type !== "CharacterDevice"
          // Opening a FIFO blocks until a writer comes (and a socket or block device is no manifest): refused unopened.
          ? Effect.fail(new FileError({ file, message: `cannot read ${file}: it is not a regular file (${info.type})` }))
          : Effect.tryPromise({ try: () => readLimited(createReadStream(file)), catch: readError(file, file) })
      ),
      Effect.catchTag("SystemError", (error) =>
        Effect.fail(new FileError({ file, message: `cannot read ${file}: ${reasonText(error.reason, error.message)}` }))
      ),
      Effect.catchTag("BadArgument", (error) => Effect.fail(new FileError({ file, message: `cannot read ${file}: ${error.message}` })))
    ))

const parseJson = (text: string, file: string): Either.Either<unknown, FileError> =>
  Either.mapLeft(JsonText.parse(text), (error) =>
    new FileError({
      file,
      line: error.line,
      column: error.column,
      message: `invalid JSON in ${displayName(file)} at line ${error.line}, column ${error.column}: ${error.reason}`
    }))

/** The message of nesting beyond the proxy's limit, as `JsonText` words it for JSON. */
const TOO_DEEP = `nested deeper than ${JsonText.DEFAULT_MAX_DEPTH} levels`

/** A parser that ran out of stack: only nesting far beyond {@link TOO_DEEP} does that. */
const isStackOverflow = (message: string): boolean => message.includes("Maximum call stack size exceeded")

/** How deeply arrays and objects nest in a value (0 for a scalar, 1 for `{}`), without recursion. */
const depthOf = (value: unknown): number => {
  let deepest = 0
  const stack: Array<readonly [unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (typeof node !== "object" || node === null) continue
    deepest = Math.max(deepest, depth)
    if (deepest > JsonText.DEFAULT_MAX_DEPTH) return deepest
    for (const child of Object.values(node)) stack.push([child, depth + 1])
  }
  return deepest
}

/** Replaces, in place, each non-string scalar at a string field by the text the author wrote. */
const keepStrings = (doc: Document.Parsed): void => {
  const visit = (node: unknown, path: ReadonlyArray<string>): void => {
    const target = isAlias(node) ? node.resolve(doc) : node
    if (path.length === 0) {
      if (
        isScalar(target) && target.value !== null && typeof target.value !== "string" && target.tag === undefined &&
        typeof target.source === "string" && target.source.length > 0
      ) {
        target.value = target.source
      }
      return
    }
    const [head, ...rest] = path
    if (head === "*" && isSeq(target)) {
      for (const item of target.items) visit(item, rest)
    } else if (isMap(target)) {
      for (const pair of target.items) {
        if (isScalar(pair.key) && String(pair.key.value) === head) visit(pair.value, rest)
      }
    }
  }
  const root = doc.contents
  const wire = isMap(root) && root.items.some((pair) => isScalar(pair.key) && pair.key.value === "manifest")
  for (const path of STRING_FIELDS) visit(root, wire ? ["manifest", ...path] : path)
}

const parseYaml = (text: string, file: string): Either.Either<unknown, FileError> => {
  const doc = parseDocument(text, { prettyErrors: false })
  const [error] = doc.errors
  if (error !== undefined) {
    const { column, line } = JsonText.position(text, error.pos[0])
    const message = error.code === "MULTIPLE_DOCS"
      ? "a manifest file holds one YAML document, found another one after ---"
      : isStackOverflow(error.message)
      ? TOO_DEEP
      : error.message
    return Either.left(new FileError({
      file,
      line,
      column,
      message: `invalid YAML in ${displayName(file)} at line ${line}, column ${column}: ${message}`
    }))
  }
  keepStrings(doc)
  const invalid = (reason: string) => Either.left(new FileError({ file, message: `invalid YAML in ${displayName(file)}: ${reason}` }))
  try {
    const value: unknown = doc.toJS({ maxAliasCount: 1000 })
    return depthOf(value) > JsonText.DEFAULT_MAX_DEPTH ? invalid(TOO_DEEP) : Either.right(value)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    return invalid(isStackOverflow(reason) ? TOO_DEEP : reason)
  }
}

/**
 * Parses a manifest file's text as JSON or YAML (see the module notes). Fails with `FileError` naming the file,
 * line and column of the first syntax error, or saying the file is empty.
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string, file: string): Either.Either<unknown, FileError> => {
  if (text.trim().length === 0 || text.trim() === "\ufeff") {
    return Either.left(new FileError({ file, message: `${displayName(file)} is empty: expected a manifest` }))
  }
  const syntax = syntaxOf(file)
  if (syntax === "json") return parseJson(text, file)
  if (syntax === "yaml") return parseYaml(text, file)
  if (/^\ufeff?\s*[{[]/.test(text)) {
    const json = parseJson(text, file)
    if (Either.isRight(json)) return json
    const yaml = parseYaml(text, file)
    return Either.isRight(yaml) ? yaml : json
  }
  return parseYaml(text, file)
}

const kindOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`

/**
 * Decodes a parsed manifest file: `{"manifest": {…}}` or a bare manifest. Fails with `InvalidInput` listing every
 * problem, places rendered as `manifest.<field>` in both cases; or with `FileError` when the file holds no object.
 * @since 0.1.0
 * @category decoding
 */
export const decode = (value: unknown, file: string): Either.Either<ModelManifest.ModelManifest, InvalidInput | FileError> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return Either.left(new FileError({
      file,
      message: `${displayName(file)} must hold a manifest object ({"manifest": {…}} or {"type": "model-version", …}), not ${kindOf(value)}`
    }))
  }
  const decoded = Object.hasOwn(value, "manifest")
    ? Either.map(Validation.decodeUpsertRequest(value), (request) => request.manifest)
    : Validation.decodeManifest(value)
  return Either.mapLeft(decoded, (error: RegistryError.ValidationError) =>
    new InvalidInput({ what: `manifest ${displayName(file)}`, error }))
}

/**
 * Reads, parses and decodes a manifest file (`-`: stdin).
 * @since 0.1.0
 * @category reading
 */
export const load = (file: string): Effect.Effect<ModelManifest.ModelManifest, FileError | InvalidInput, FileSystem.FileSystem> =>
  Effect.flatMap(read(file), (text) => Either.flatMap(parse(text, file), (value) => decode(value, file)))
