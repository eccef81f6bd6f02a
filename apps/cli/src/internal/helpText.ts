/**
 * The text of `mreg help`, `mreg --help` and `mreg COMMAND --help`, in the shape of `gh`'s help: summary, details,
 * USAGE, COMMANDS or FLAGS and ARGUMENTS, EXAMPLES, then (at the root) ENVIRONMENT, EXIT CODES and LEARN MORE.
 * Every line fits {@link WIDTH} columns. Only the options of the command are listed, plus `-h, --help`;
 * `@effect/cli`'s built-ins (`--wizard`, `--log-level`, `--completions`) are neither listed nor accepted.
 * @internal
 */
import type { Style } from "./style.js"
import type { CommandInfo, OptionInfo } from "@mreg/core/CommandTree"

/** The widest line of the help, in columns. */
export const WIDTH = 100

/** Words of `text` wrapped into lines of at most `width` columns (a longer word stays whole on its line). */
export const wrap = (text: string, width: number): ReadonlyArray<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line === "") line = word
    else if (line.length + 1 + word.length <= width) line += ` ${word}`
    else {
      lines.push(line)
      line = word
    }
  }
  if (line !== "") lines.push(line)
  return lines
}

const INDENT = "  "

/** Two columns: `term` then `text` wrapped beside it; a term wider than `column` puts its text on the next line. */
const table = (rows: ReadonlyArray<readonly [string, string]>, maxColumn = 28): ReadonlyArray<string> => {
  const column = Math.min(maxColumn, Math.max(...rows.map(([term]) => term.length)) + 2)
  return rows.flatMap(([term, text]) => {
    const lines = wrap(text, WIDTH - INDENT.length - column)
    const pad = " ".repeat(INDENT.length + column)
    if (term.length + 2 > column) return [INDENT + term, ...lines.map((line) => pad + line)]
    return [INDENT + term.padEnd(column) + (lines[0] ?? ""), ...lines.slice(1).map((line) => pad + line)].map((l) => l.trimEnd())
  })
}

const section = (style: Style, title: string, lines: ReadonlyArray<string>): ReadonlyArray<string> =>
  lines.length === 0 ? [] : ["", style.bold(title), ...lines]

const paragraphs = (texts: ReadonlyArray<string>): ReadonlyArray<string> =>
  texts.flatMap((text, i) => [...(i === 0 ? [] : [""]), ...wrap(text, WIDTH)])

const optionTerm = (option: OptionInfo): string => {
  const short = option.aliases.length > 0 ? `${option.aliases.map((alias) => `-${alias}`).join(", ")}, ` : "    "
  return `${short}--${option.name}${option.kind === "flag" ? "" : ` ${option.placeholder}`}`
}

const HELP_FLAG: OptionInfo = {
  name: "help",
  aliases: ["h"],
  placeholder: "",
  kind: "flag",
  values: [],
  description: "show this help",
  required: false,
  repeatable: false,
  takes: ""
}

const VERSION_FLAG: OptionInfo = { ...HELP_FLAG, name: "version", aliases: ["v"], description: "print the version of mreg" }

/** The usage line of a command: `mreg upsert -f PATH [flags]`, `mreg tag <command>`. */
export const usage = (path: ReadonlyArray<CommandInfo>): string => {
  const command = path[path.length - 1]!
  const words = path.map((info) => info.name)
  if (command.subcommands.length > 0) return [...words, "<command>", "[flags]"].join(" ")
  const required = command.options.filter((option) => option.required).map((option) =>
    `${option.aliases.length > 0 ? `-${option.aliases[0]}` : `--${option.name}`} ${option.placeholder}`
  )
  const args = command.args.map((arg) => {
    const name = arg.values.length > 0 ? arg.values.join("|") : arg.name
    const repeated = arg.max === undefined || arg.max > 1 ? `${name}...` : name
    return arg.min === 0 ? `[${repeated}]` : repeated
  })
  return [...words, ...required, ...args, "[flags]"].join(" ")
}

/** Extra root sections: title → rows. */
export type Sections = ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, string]>]>

/**
 * The help of the last command of `path` (the root first). `version` heads the root's help; `rootSections` are
 * added at the end of the root's help only.
 */
export const render = (path: ReadonlyArray<CommandInfo>, style: Style, version: string, rootSections: Sections): string => {
  const command = path[path.length - 1]!
  const isRoot = path.length === 1
  const name = path.map((info) => info.name).join(" ")
  const summary = isRoot ? `mreg ${version}: ${command.summary}` : command.summary
  const lines = [
    ...paragraphs([summary, ...command.details]),
    ...section(style, "USAGE", [INDENT + usage(path)]),
    ...section(style, "COMMANDS", table(command.subcommands.map((sub) => [sub.name, sub.summary]), 14)),
    ...section(style, "FLAGS", table([...command.options, HELP_FLAG, ...(isRoot ? [VERSION_FLAG] : [])].map((option) => [optionTerm(option), option.description]))),
    ...section(
      style,
      "ARGUMENTS",
      table(command.args.map((arg) => [arg.name, arg.values.length > 0 ? `one of ${arg.values.join(", ")}` : arg.description]))
    ),
    ...section(
      style,
      "EXAMPLES",
      command.examples.flatMap((example, i) => [...(i === 0 ? [] : [""]), `${INDENT}# ${example.what}`, `${INDENT}$ ${example.command}`])
    ),
    ...(isRoot ? rootSections.flatMap(([title, rows]) => section(style, title, table(rows))) : []),
    ...section(style, "LEARN MORE", [
      command.subcommands.length > 0
        ? `${INDENT}Use "${name} <command> --help" for more about a command.`
        : `${INDENT}Use "mreg --help" for every command, the environment and the exit codes.`
    ])
  ]
  return lines.join("\n")
}
