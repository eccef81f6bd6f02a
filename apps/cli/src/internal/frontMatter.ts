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

/** The model-card keys that go into `metadata`, under the same name. */
const CARD_METADATA = ["license", "tags", "datasets"] as const

const isTexts = (value: unknown): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((item) => typeof item === "string" && item.length > 0)

/**
 * The `metadata` a model card's front matter gives: `license` (a text), `tags` and `datasets` (a text or a list of
 * texts, kept as lists; an empty list is ignored), each with a note saying where it came from, and a note for each of them skipped because
 * it has another shape. `inferred(field, value)` writes the note of a kept value.
 * @since 0.2.0
 * @category parsing
 */
export const cardMetadata = (
  card: Readonly<Record<string, unknown>>,
  inferred: (field: string, value: unknown) => string,
  where: string
): { readonly metadata: Readonly<Record<string, unknown>>; readonly notes: ReadonlyArray<string> } => {
  const metadata: Record<string, unknown> = {}
  const notes: Array<string> = []
  for (const key of CARD_METADATA) {
    const value = card[key]
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue
    const kept = typeof value === "string" && value.length > 0
      ? (key === "license" ? value : [value])
      : key !== "license" && isTexts(value)
      ? value
      : undefined
    if (kept === undefined) {
      notes.push(`skipped ${where} ${key}: not ${key === "license" ? "a text" : "a text or a list of texts"}`)
      continue
    }
    metadata[key] = kept
    notes.push(inferred(`metadata.${key}`, kept))
  }
  return { metadata, notes }
}
