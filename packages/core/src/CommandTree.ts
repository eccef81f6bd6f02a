/**
 * A command tree read from `@effect/cli`'s command descriptors: names, options, arguments, descriptions and examples,
 * for `mreg`'s help renderer and for the command-line check of `mreg` and `mreg-proxy` (`CommandLine`).
 *
 * `@effect/cli` 0.77 does not export a way to list a command's options; this reads the descriptor instructions
 * (`Standard`, `Subcommands`, `Map`; options `Single`, `WithDefault`, `Both`, …; args the same), which are plain
 * objects with a `_tag`. `@effect/cli` is an optional peer dependency of `@mreg/core`, used for its types only; the
 * apps pin its version, and `mreg`'s `test/Help.test.ts` covers every command.
 *
 * @since 0.2.0
 */
import type { Command } from "@effect/cli"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import { integerRule, type IntegerRange } from "./MregConfig.js"

/**
 * The header of a description's examples: the description list after it holds them (command → what).
 * @since 0.2.0
 * @category constants
 */
export const EXAMPLES = "EXAMPLES"

/** An example of a command: what it does and the command line. @since 0.2.0 @category models */
export interface Example {
  readonly what: string
  readonly command: string
}

/**
 * An option of a command. `values` lists a choice's values; `flag` is a boolean option that takes no value;
 * `integer` is an integer option's range and the name its messages give it (default `--name`).
 * @since 0.2.0
 * @category models
 */
export interface OptionInfo {
  readonly name: string
  readonly aliases: ReadonlyArray<string>
  readonly placeholder: string
  readonly kind: "flag" | "integer" | "number" | "choice" | "text"
  readonly values: ReadonlyArray<string>
  readonly description: string
  readonly required: boolean
  readonly repeatable: boolean
  readonly takes: string
  readonly integer?: Integer | undefined
}

/** The rule of an integer option: its range, and the name its messages give it (default `--name`). @since 0.2.0 @category models */
export interface Integer extends IntegerRange {
  readonly label?: string | undefined
}

/** A positional argument of a command: `min`/`max` occurrences (`max` undefined: any number). @since 0.2.0 @category models */
export interface ArgInfo {
  readonly name: string
  readonly description: string
  readonly values: ReadonlyArray<string>
  readonly min: number
  readonly max: number | undefined
}

/** A command of the tree. @since 0.2.0 @category models */
export interface CommandInfo {
  readonly name: string
  readonly summary: string
  readonly details: ReadonlyArray<string>
  readonly examples: ReadonlyArray<Example>
  readonly options: ReadonlyArray<OptionInfo>
  readonly args: ReadonlyArray<ArgInfo>
  readonly subcommands: ReadonlyArray<CommandInfo>
}

/**
 * How to read a tree: `integers` gives the range of an integer option by long name (`undefined`: any safe integer);
 * `builtIns` adds `@effect/cli`'s own options to every command (`--version`, `--wizard`, `--completions SHELL`,
 * `--log-level LEVEL`) for a program that lets `@effect/cli` answer them.
 * @since 0.2.0
 * @category models
 */
export interface ReadOptions {
  readonly integers?: ((name: string) => Integer | undefined) | undefined
  readonly builtIns?: boolean | undefined
}

type Node = { readonly _tag: string; readonly [key: string]: any }

/** The plain text of a span. @since 0.2.0 @category help documents */
export const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    case "Text":
    case "URI":
      return span.value
    case "Strong":
    case "Weak":
    case "Highlight":
      return spanText(span.value)
  }
}

/** The blocks of a document, in order (sequences flattened). @since 0.2.0 @category help documents */
export const blocksOf = (doc: HelpDoc.HelpDoc): ReadonlyArray<HelpDoc.HelpDoc> =>
  doc._tag === "Sequence" ? [...blocksOf(doc.left), ...blocksOf(doc.right)] : doc._tag === "Empty" ? [] : [doc]

const paragraphs = (doc: HelpDoc.HelpDoc): ReadonlyArray<string> =>
  blocksOf(doc).flatMap((block) => (block._tag === "Paragraph" ? [spanText(block.value)] : []))

const primitiveOf = (primitive: Node): Pick<OptionInfo, "kind" | "values"> => {
  switch (primitive._tag) {
    case "Bool":
      return { kind: "flag", values: [] }
    case "Integer":
      return { kind: "integer", values: [] }
    case "Float":
      return { kind: "number", values: [] }
    case "Choice":
      return { kind: "choice", values: (primitive.alternatives as ReadonlyArray<readonly [string, unknown]>).map(([value]) => value) }
    default:
      return { kind: "text", values: [] }
  }
}

const placeholderOf = (single: Node, kind: OptionInfo["kind"], values: ReadonlyArray<string>): string =>
  single.pseudoName?._tag === "Some"
    ? String(single.pseudoName.value)
    : kind === "choice"
    ? values.join("|")
    : kind === "integer"
    ? "N"
    : kind === "number"
    ? "NUMBER"
    : "VALUE"

const ANY_INTEGER: Integer = { min: Number.MIN_SAFE_INTEGER, rule: "an integer" }

const takesText = (kind: OptionInfo["kind"], values: ReadonlyArray<string>, placeholder: string, integer: Integer): string =>
  kind === "integer" ? integerRule(integer) : kind === "number" ? "a number" : kind === "choice" ? `one of ${values.join(", ")}` : `a ${placeholder}`

const optionsOf = (options: Node, how: ReadOptions, required: boolean, repeatable = false): ReadonlyArray<OptionInfo> => {
  switch (options._tag) {
    case "Single": {
      const { kind, values } = primitiveOf(options.primitiveType)
      const placeholder = placeholderOf(options, kind, values)
      const integer = kind === "integer" ? how.integers?.(options.name) ?? ANY_INTEGER : undefined
      return [{
        name: options.name,
        aliases: options.aliases,
        placeholder,
        kind,
        values,
        description: paragraphs(options.description).join(" "),
        required: required && kind !== "flag",
        repeatable,
        takes: takesText(kind, values, placeholder, integer ?? ANY_INTEGER),
        integer
      }]
    }
    case "Both":
    case "OrElse":
      return [...optionsOf(options.left, how, required, repeatable), ...optionsOf(options.right, how, required, repeatable)]
    case "Map":
      return optionsOf(options.options, how, required, repeatable)
    case "WithDefault":
    case "WithFallback":
      return optionsOf(options.options, how, false, repeatable)
    case "Variadic":
      // `Options.repeated` (no minimum) may be left out; `atLeast(n)` may not.
      return optionsOf(options.argumentOption, how, required && options.min?._tag === "Some" && options.min.value > 0, true)
    case "KeyValueMap":
      return optionsOf(options.argumentOption, how, required, true)
    default:
      return []
  }
}

const argsOf = (args: Node, min: number, max: number | undefined): ReadonlyArray<ArgInfo> => {
  switch (args._tag) {
    case "Single": {
      const primitive = primitiveOf(args.primitiveType)
      const name = args.pseudoName?._tag === "Some" ? String(args.pseudoName.value) : String(args.name)
      return [{ name, description: paragraphs(args.description).join(" "), values: primitive.values, min, max }]
    }
    case "Both":
      return [...argsOf(args.left, min, max), ...argsOf(args.right, min, max)]
    case "Map":
      return argsOf(args.args, min, max)
    case "Variadic":
      return argsOf(args.args, args.min?._tag === "Some" ? args.min.value : 0, args.max?._tag === "Some" ? args.max.value : undefined)
    case "WithDefault":
    case "WithFallbackConfig":
      return argsOf(args.args, 0, max)
    default:
      return []
  }
}

const examplesOf = (blocks: ReadonlyArray<HelpDoc.HelpDoc>): ReadonlyArray<Example> =>
  blocks.flatMap((block) =>
    block._tag === "DescriptionList"
      ? block.definitions.map(([command, what]) => ({ command: spanText(command), what: paragraphs(what).join(" ") }))
      : []
  )

/** `@effect/cli`'s own options (`BuiltInOptions`), answered by `Command.run`. */
const builtIn = (name: string, kind: "flag" | "text", placeholder = "VALUE"): OptionInfo =>
  ({ name, aliases: [], placeholder, kind, values: [], description: "", required: false, repeatable: false, takes: `a ${placeholder}` })

const BUILT_INS = [builtIn("version", "flag"), builtIn("wizard", "flag"), builtIn("completions", "text", "SHELL"), builtIn("log-level", "text", "LEVEL")]

const infoOf = (descriptor: Node, how: ReadOptions): CommandInfo => {
  switch (descriptor._tag) {
    case "Map":
      return infoOf(descriptor.command, how)
    case "Subcommands":
      return { ...infoOf(descriptor.parent, how), subcommands: (descriptor.children as ReadonlyArray<Node>).map((child) => infoOf(child, how)) }
    default: {
      const blocks = blocksOf(descriptor.description)
      const split = blocks.findIndex((block) => block._tag === "Header" && spanText(block.value) === EXAMPLES)
      const text = (split < 0 ? blocks : blocks.slice(0, split)).flatMap((block) => block._tag === "Paragraph" ? [spanText(block.value)] : [])
      const options = optionsOf(descriptor.options, how, true)
      return {
        name: descriptor.name,
        summary: text[0] ?? "",
        details: text.slice(1),
        examples: split < 0 ? [] : examplesOf(blocks.slice(split + 1)),
        options: how.builtIns === true ? [...options, ...BUILT_INS] : options,
        args: argsOf(descriptor.args, 1, 1),
        subcommands: []
      }
    }
  }
}

/**
 * The tree of a command and its subcommands.
 * @since 0.2.0
 * @category constructors
 */
export const read = (command: Command.Command<any, any, any, any>, options: ReadOptions = {}): CommandInfo =>
  infoOf(command.descriptor as unknown as Node, options)
