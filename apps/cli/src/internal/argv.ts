/**
 * The check of a `mreg` command line before `@effect/cli` parses it: help and version requests, and every usage
 * error with a message that names the flag or argument and what it takes, with "did you mean" for near misses.
 * @internal
 */
import * as Spelling from "@mreg/core/Spelling"
import { Either } from "effect"
import type { ArgInfo, CommandInfo, OptionInfo } from "./descriptor.js"
import * as IntegerFlags from "./integerFlags.js"

/** What a command line asks for: help on a command (`path` from the root), the version, or a run. */
export type Route =
  | { readonly _tag: "Help"; readonly path: ReadonlyArray<CommandInfo> }
  | { readonly _tag: "Version" }
  | { readonly _tag: "Run" }

/** A usage error: the message (after `error: `) and the command whose help to point to. */
export interface Problem {
  readonly message: string
  readonly path: ReadonlyArray<CommandInfo>
}

const HELP = ["-h", "--help"]
const VERSION = ["-v", "--version"]

const hint = (suggestion: string | undefined): string => suggestion === undefined ? "" : `; did you mean "${suggestion}"?`

const quote = (value: string): string => JSON.stringify(value)

/** `-o/--output` or `--dry-run`. */
export const flagName = (option: OptionInfo): string =>
  [...option.aliases.map((alias) => `-${alias}`), `--${option.name}`].join("/")

const valueProblem = (option: OptionInfo, value: string): string | undefined => {
  const wrong = `--${option.name} takes ${option.takes} (received ${quote(value)})`
  switch (option.kind) {
    case "integer":
      return IntegerFlags.problem(option.name, value)
    case "number":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? undefined : wrong
    case "choice":
      return option.values.includes(value) ? undefined : `${wrong}${hint(Spelling.didYouMean(value, option.values))}`
    default:
      return undefined
  }
}

const findOption = (command: CommandInfo, token: string): OptionInfo | undefined =>
  token.startsWith("--")
    ? command.options.find((option) => `--${option.name}` === token)
    : command.options.find((option) => option.aliases.some((alias) => `-${alias}` === token))

const unknownOption = (command: CommandInfo, token: string, path: string): string => {
  const names = command.options.flatMap((option) => [`--${option.name}`, ...option.aliases.map((alias) => `-${alias}`)])
  return `unknown flag ${token} for "${path}"${hint(Spelling.didYouMean(token, [...names, "--help"]))}`
}

const argsProblem = (args: ReadonlyArray<ArgInfo>, given: ReadonlyArray<string>, path: string): string | undefined => {
  let rest = [...given]
  for (const arg of args) {
    const taken = arg.max === undefined ? rest : rest.slice(0, arg.max)
    if (taken.length < arg.min) {
      return `"${path}" needs ${arg.min > 1 ? `at least ${arg.min} ` : ""}${arg.name}` +
        (arg.values.length > 0 ? `: one of ${arg.values.join(", ")}` : arg.description === "" ? "" : ` (${arg.description})`)
    }
    for (const value of taken) {
      if (arg.values.length > 0 && !arg.values.includes(value)) {
        return `${arg.name} is one of ${arg.values.join(", ")} (received ${quote(value)})${hint(Spelling.didYouMean(value, arg.values))}`
      }
    }
    rest = rest.slice(taken.length)
  }
  return rest.length === 0 ? undefined : `unexpected argument ${quote(rest[0]!)} for "${path}"`
}

const checkLeaf = (path: ReadonlyArray<CommandInfo>, tokens: ReadonlyArray<string>): Either.Either<Route, Problem> => {
  const command = path[path.length - 1]!
  const name = path.map((info) => info.name).join(" ")
  const fail = (message: string) => Either.left<Problem>({ message, path })
  if (tokens.some((token, i) => HELP.includes(token) && !tokens.slice(0, i).includes("--"))) return Either.right({ _tag: "Help", path })
  const positional: Array<string> = []
  const seen = new Set<string>()
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token === "--") {
      positional.push(...tokens.slice(i + 1))
      break
    }
    if (!token.startsWith("-") || token === "-") {
      positional.push(token)
      continue
    }
    const eq = token.startsWith("--") ? token.indexOf("=") : -1
    const flag = eq < 0 ? token : token.slice(0, eq)
    const option = findOption(command, flag)
    if (option === undefined) return fail(unknownOption(command, flag, name))
    if (seen.has(option.name) && !option.repeatable) return fail(`${flagName(option)} is given more than once: give it once`)
    seen.add(option.name)
    if (option.kind === "flag") {
      if (eq >= 0) return fail(`--${option.name} takes no value (received ${quote(token.slice(eq + 1))})`)
      continue
    }
    const value = eq >= 0 ? token.slice(eq + 1) : tokens[i + 1]
    if (value === undefined || (eq < 0 && value.startsWith("--"))) {
      return fail(`${flagName(option)} takes ${option.takes} (received nothing)`)
    }
    if (eq < 0) i++
    const problem = valueProblem(option, value)
    if (problem !== undefined) {
      // `mreg init -o FILE` wrote a file before -o meant the output format everywhere.
      const writesFiles = option.name === "output" && command.options.some((other) => other.name === "out-file")
      return fail(writesFiles ? `${problem}; to write a file, use --out-file ${value}` : problem)
    }
  }
  const missing = command.options.find((option) => option.required && !seen.has(option.name))
  if (missing !== undefined) {
    return fail(`"${name}" needs ${flagName(missing)} ${missing.placeholder}` + (missing.description === "" ? "" : ` (${missing.description})`))
  }
  const problem = argsProblem(command.args, positional, name)
  return problem === undefined ? Either.right({ _tag: "Run" }) : fail(problem)
}

const checkFrom = (path: ReadonlyArray<CommandInfo>, tokens: ReadonlyArray<string>): Either.Either<Route, Problem> => {
  const command = path[path.length - 1]!
  if (command.subcommands.length === 0) return checkLeaf(path, tokens)
  const [head, ...rest] = tokens
  const name = path.map((info) => info.name).join(" ")
  const runsAlone = path.length > 1 && (command.args.length > 0 || command.options.length > 0)
  // `mreg tag` alone runs, and says what to give; `mreg` and `mreg models` alone print their help.
  if (head === undefined && runsAlone) return checkLeaf(path, tokens)
  if (head === undefined || HELP.includes(head)) return Either.right({ _tag: "Help", path })
  if (path.length === 1 && VERSION.includes(head)) return Either.right({ _tag: "Version" })
  if (path.length === 1 && head === "help") {
    const target: Array<CommandInfo> = [command]
    for (const word of rest) {
      const child = target[target.length - 1]!.subcommands.find((sub) => sub.name === word)
      if (child === undefined) {
        const names = target[target.length - 1]!.subcommands.map((sub) => sub.name)
        return Either.left({ message: `unknown command ${quote(word)} for "mreg help"${hint(Spelling.didYouMean(word, names))}`, path: target })
      }
      target.push(child)
    }
    return Either.right({ _tag: "Help", path: target })
  }
  const child = command.subcommands.find((sub) => sub.name === head)
  if (child !== undefined) return checkFrom([...path, child], rest)
  const names = command.subcommands.map((sub) => sub.name)
  // A command with subcommands that also runs by itself (`mreg tag ID TAG…` beside `mreg tag add …`), unless its
  // first word is a near miss of a subcommand (`mreg tag ad`): an id or an FQN never is.
  const nearMiss = head.startsWith("-") ? undefined : Spelling.didYouMean(head, names)
  if (runsAlone && nearMiss === undefined) return checkLeaf(path, tokens)
  return Either.left({
    message: head.startsWith("-")
      ? `unknown flag ${head} for "${name}"${hint(Spelling.didYouMean(head, path.length === 1 ? [...HELP, ...VERSION] : HELP))}`
      : `unknown command ${quote(head)} for "${name}"${hint(nearMiss)}`,
    path
  })
}

/** The commands that `tokens` name from the root, as far as they name one (for errors found after the check). */
export const commandPath = (root: CommandInfo, tokens: ReadonlyArray<string>): ReadonlyArray<CommandInfo> => {
  const path = [root]
  for (const token of tokens) {
    const child = path[path.length - 1]!.subcommands.find((sub) => sub.name === token)
    if (child === undefined) break
    path.push(child)
  }
  return path
}

/** Checks the arguments after the executable (`process.argv.slice(2)`) against the command tree `root`. */
export const check = (root: CommandInfo, tokens: ReadonlyArray<string>): Either.Either<Route, Problem> => checkFrom([root], tokens)
