/**
 * Hugging Face Hub repository ids, for `framework.base_model`.
 *
 * Rule source: the Hub's repo-id grammar (as enforced by `huggingface_hub.utils.validate_repo_id`): `name` or
 * `namespace/name`, characters `[A-Za-z0-9._-]`, at most 96 characters, no `--` or `..`, not starting or ending
 * with `-` or `.`. A local path (`./checkpoints/run7`, `/models/x`) is answered with a hint.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { received } from "./internal/text.js"

const PART_TEXT = "[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?"
const PART = new RegExp(`^${PART_TEXT}$`)
/** `name` or `namespace/name` with valid parts: such an id is never path-like (no `.`, `/`, `~` or `:` first). */
const PARTS = new RegExp(`^${PART_TEXT}(?:/${PART_TEXT})?$`)

/**
 * Why `id` is not a Hub repo id, or `undefined` when it is one.
 * @since 0.1.0
 * @category validation
 */
export const hubModelIdProblem = (id: string): string | undefined => {
  // The common case, valid, in one test; the checks below explain what is wrong.
  if (id.length <= 96 && PARTS.test(id) && !id.includes("--") && !id.includes("..")) return undefined
  const got = () => `(received ${received(id)})`
  if (id.length === 0) return "must not be empty: give a Hugging Face Hub repo id such as \"meta-llama/Llama-3.1-8B\""
  const parts = id.split("/")
  if (/^(\.{1,2}\/|\/|~\/|[A-Za-z]:\\)/.test(id) || id.includes("\\") || parts.length > 2) {
    return `must be a Hugging Face Hub repo id (\`name\` or \`namespace/name\`), not a file path ${got()}`
  }
  if (id.length > 96) return `must be at most 96 characters ${got()}`
  if (id.includes("--") || id.includes("..")) return `must not contain "--" or ".." ${got()}`
  if (parts.some((part) => !PART.test(part))) {
    return `must be \`name\` or \`namespace/name\` using letters, digits, ".", "_" and "-", not starting or ending with "-" or "." ${got()}`
  }
  return undefined
}

/**
 * A Hub repo id: `gpt2`, `meta-llama/Llama-3.1-8B`, `sentence-transformers/all-MiniLM-L6-v2`.
 * @since 0.1.0
 * @category schemas
 */
export const HubModelId = Schema.String.pipe(
  Schema.filter(hubModelIdProblem, {
    identifier: "HubModelId",
    description: "Hugging Face Hub repo id: name or namespace/name",
    // With `jsonSchema`, JSON Schema generation takes title, description and examples from it alone.
    jsonSchema: {
      type: "string",
      minLength: 1,
      maxLength: 96,
      pattern: "^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)?$",
      title: "Hugging Face Hub repo id",
      description: "Hugging Face Hub repo id: name or namespace/name, at most 96 characters, no \"--\" or \"..\".",
      examples: ["distilbert/distilbert-base-uncased"]
    },
    arbitrary: () => (fc) =>
      fc.constantFrom("gpt2", "meta-llama/Llama-3.1-8B", "sentence-transformers/all-MiniLM-L6-v2", "org_1/model.v2")
  })
)
