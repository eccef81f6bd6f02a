/**
 * Hugging Face pipeline tags (task ids) for `framework.pipeline_tag`.
 *
 * Rule source: the task list of `@huggingface/tasks` (`PIPELINE_TYPES`), the same list the Hugging Face Hub uses.
 * An unknown tag is answered with the closest known one ("did you mean text-generation").
 *
 * @since 0.1.0
 */
import { PIPELINE_TYPES } from "@huggingface/tasks"
import { Schema } from "effect"
import { received } from "./internal/text.js"
import { didYouMean } from "./Spelling.js"

/**
 * Every pipeline tag the Hugging Face Hub knows, in the Hub's order.
 * @since 0.1.0
 * @category constants
 */
export const PIPELINE_TAGS: ReadonlyArray<string> = PIPELINE_TYPES

const known: ReadonlySet<string> = new Set(PIPELINE_TAGS)

/**
 * The message for an unknown pipeline tag: the received value, a did-you-mean when one is close, and the allowed values.
 * @since 0.1.0
 * @category validation
 */
export const unknownPipelineTagMessage = (tag: string): string => {
  const guess = didYouMean(tag, PIPELINE_TAGS)
  return `must be a Hugging Face task id${guess ? `; did you mean ${JSON.stringify(guess)}?` : ""} (received ${received(tag)}; allowed: ${PIPELINE_TAGS.join(", ")})`
}

/**
 * A Hugging Face pipeline tag such as `text-classification` or `text-generation`.
 * @since 0.1.0
 * @category schemas
 */
export const PipelineTag = Schema.String.pipe(
  Schema.filter((tag) => known.has(tag) || unknownPipelineTagMessage(tag)),
  Schema.annotations({
    identifier: "PipelineTag",
    description: "Hugging Face task id (see @huggingface/tasks)",
    // With `jsonSchema`, JSON Schema generation takes title, description and examples from it alone.
    jsonSchema: {
      type: "string",
      enum: [...PIPELINE_TAGS],
      title: "Pipeline tag",
      description: "Hugging Face task id, as on the Hub (the task list of @huggingface/tasks).",
      examples: ["text-classification"]
    },
    arbitrary: () => (fc) => fc.constantFrom(...PIPELINE_TAGS)
  })
)
