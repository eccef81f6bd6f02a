/**
 * Reading a YAML or JSON configuration file (tokens file, webhooks file): the text parsed, or a message naming the
 * file and, for a syntax error, the line and column (never the file's content).
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Either } from "effect"
import { parse as parseYaml } from "yaml"

/** The value of YAML or JSON `text`; `Left(message)` for a syntax error. `source` names the file ("the tokens file x"). */
export const parseText = (text: string, source: string): Either.Either<unknown, string> => {
  try {
    return Either.right(parseYaml(text))
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0]
    return Either.left(`${source} is not valid YAML or JSON${line === undefined ? "" : ` (line ${line.line}, column ${line.col})`}`)
  }
}

/** The text of the file at `path`; `Left(message)` "cannot read the <what> <path>" when it cannot be read. */
export const readText = (path: string, what: string): Effect.Effect<string, string, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.mapError(fs.readFileString(path), () => `cannot read the ${what} ${path}`))
