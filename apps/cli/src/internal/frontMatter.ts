/**
 * The YAML front matter of a model card (`README.md`), for `ModelFolder`.
 * @internal
 */
import { Either } from "effect"
import { parse as parseYaml } from "yaml"

/**
 * The YAML front matter of a Markdown file (between a first line `---` and the next `---` or `...` line):
 * `Right(undefined)` when there is none, `Left(reason)` when it is not a YAML mapping.
 * @since 0.1.0
 * @category parsing
 */
export const frontMatter = (markdown: string): Either.Either<Readonly<Record<string, unknown>> | undefined, string> => {
  const match = /^\ufeff?---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(markdown)
  if (match === null) return Either.right(undefined)
  let value: unknown
  try {
    value = parseYaml(match[1] ?? "", { prettyErrors: false })
  } catch (error) {
    return Either.left(`is not valid YAML (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`)
  }
  if (value === null || value === undefined) return Either.right({})
  if (typeof value !== "object" || Array.isArray(value)) return Either.left("is not a YAML mapping")
  return Either.right(value as Record<string, unknown>)
}
