/**
 * The check of a command line before `@effect/cli` parses it, for `mreg` and `mreg-proxy`: help and version requests,
 * and every usage error with a message that names the flag or argument and what it takes, with "did you mean" for
 * near misses (`Spelling`) — where `@effect/cli` answers "Invalid subcommand for mreg-proxy - use 'webhooks'" or
 * "Received unknown argument". Integer values follow `MregConfig.integerSetting`. The tree comes from
 * `CommandTree.read`.
 *
 * @since 0.2.0
 */
import { Either } from "effect"
import type { ArgInfo, CommandInfo, OptionInfo } from "./CommandTree.js"
import { integerSetting } from "./MregConfig.js"
import * as Spelling from "./Spelling.js"

/**
 * What a command line asks for: help on a command (`path` from the root), the version, or a run of the command at
 * the end of `path` with the long names of the options `given` to it.
 * @since 0.2.0
 * @category models
 */
export type Route =
  | { readonly _tag: "Help"; readonly path: ReadonlyArray<CommandInfo> }
  | { readonly _tag: "Version" }
  | { readonly _tag: "Run"; readonly path: ReadonlyArray<CommandInfo>; readonly given: ReadonlySet<string> }

/**
 * A usage error: the message, the command whose help to point to, and what it is about — an unknown `flag` or
 * `command` (`token`, with the closest known `suggestion`), an `argument` too many, a `value` an option does not take
 * (`token` the option's long name, `value` the text), or another `usage` error (a missing value or argument, a
 * repeated flag).
 * @since 0.2.0
 * @category models
 */
export interface Problem {
  readonly message: string
  readonly path: ReadonlyArray<CommandInfo>
  readonly kind: "flag" | "command" | "argument" | "value" | "usage"
  readonly token?: string | undefined
  readonly suggestion?: string | undefined
  readonly value?: string | undefined
}

/**
 * The program's conventions: whether `PROGRAM help [COMMAND]` is the help (default true), and the flags that ask for
 * the version as the first word (default `-v`, `--version`).
 * @since 0.2.0
 * @category models
 */
export interface CheckOptions {
  readonly helpCommand?: boolean | undefined
  readonly version?: ReadonlyArray<string> | undefined
}

const HELP = ["-h", "--help"]

const hint = (suggestion: string | undefined): string => suggestion === undefined ? "" : `; did you mean "${suggestion}"?`

const quote = (value: string): string => JSON.stringify(value)

const pathName = (path: ReadonlyArray<CommandInfo>): string => path.map((info) => info.name).join(" ")

/**
 * `-o/--output` or `--dry-run`.
 * @since 0.2.0
 * @category formatting
 */
export const flagName = (option: OptionInfo): string =>
  [...option.aliases.map((alias) => `-${alias}`), `--${option.name}`].join("/")

const valueProblem = (option: OptionInfo, value: string): string | undefined => {
  const wrong = `--${option.name} takes ${option.takes} (received ${quote(value)})`
  switch (option.kind) {
    case "integer": {
      const integer = option.integer ?? { min: Number.MIN_SAFE_INTEGER, rule: "an integer" }
      return Either.match(integerSetting(value, integer.label ?? `--${option.name}`, integer), { onLeft: (error) => error.message, onRight: () => undefined })
    }
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

const unknownFlag = (path: ReadonlyArray<CommandInfo>, token: string, names: ReadonlyArray<string>): Problem => {
  const suggestion = Spelling.didYouMean(token, names)
  return { message: `unknown flag ${token} for "${pathName(path)}"${hint(suggestion)}`, path, kind: "flag", token, suggestion }
}

const unknownCommand = (path: ReadonlyArray<CommandInfo>, token: string, suggestion: string | undefined): Problem =>
  ({ message: `unknown command ${quote(token)} for "${pathName(path)}"${hint(suggestion)}`, path, kind: "command", token, suggestion })

const argsProblem = (args: ReadonlyArray<ArgInfo>, given: ReadonlyArray<string>, path: string): Omit<Problem, "path"> | undefined => {
  let rest = [...given]
  for (const arg of args) {
    const taken = arg.max === undefined ? rest : rest.slice(0, arg.max)
    if (taken.length < arg.min) {
      const message = `"${path}" needs ${arg.min > 1 ? `at least ${arg.min} ` : ""}${arg.name}` +
        (arg.values.length > 0 ? `: one of ${arg.values.join(", ")}` : arg.description === "" ? "" : ` (${arg.description})`)
      return { message, kind: "usage" }
    }
    for (const value of taken) {
      if (arg.values.length > 0 && !arg.values.includes(value)) {
        const message = `${arg.name} is one of ${arg.values.join(", ")} (received ${quote(value)})${hint(Spelling.didYouMean(value, arg.values))}`
        return { message, kind: "value", token: arg.name, value }
      }
    }
    rest = rest.slice(taken.length)
  }
  return rest.length === 0 ? undefined : { message: `unexpected argument ${quote(rest[0]!)} for "${path}"`, kind: "argument", token: rest[0] }
}

const checkLeaf = (path: ReadonlyArray<CommandInfo>, tokens: ReadonlyArray<string>, how: CheckOptions): Either.Either<Route, Problem> => {
  const command = path[path.length - 1]!
  const name = pathName(path)
  const fail = (message: string, kind: Problem["kind"] = "usage") => Either.left<Problem>({ message, path, kind })
  // Its own tokens: for a command that runs by itself beside its subcommands, those before a subcommand's name
  // (`mreg-proxy --port 0 webhooks -h` asks for the help of `webhooks`).
  const subcommand = command.args.length === 0 ? tokens.findIndex((token) => command.subcommands.some((sub) => sub.name === token)) : -1
  const own = subcommand < 0 ? tokens : tokens.slice(0, subcommand)
  if (own.some((token, i) => HELP.includes(token) && !own.slice(0, i).includes("--"))) return Either.right({ _tag: "Help", path })
  const positional: Array<string> = []
  const seen = new Set<string>()
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token === "--") {
      positional.push(...tokens.slice(i + 1))
      break
    }
    if (!token.startsWith("-") || token === "-") {
      // A command with subcommands and no arguments of its own that also runs by itself (`mreg-proxy [flags]` beside
      // `mreg-proxy webhooks …`): a word after its flags is one of its subcommands.
      if (command.subcommands.length > 0 && command.args.length === 0) {
        const child = command.subcommands.find((sub) => sub.name === token)
        if (child !== undefined) return checkFrom([...path, child], tokens.slice(i + 1), how)
        return Either.left(unknownCommand(path, token, Spelling.didYouMean(token, command.subcommands.map((sub) => sub.name))))
      }
      positional.push(token)
      continue
    }
    const eq = token.startsWith("--") ? token.indexOf("=") : -1
    const flag = eq < 0 ? token : token.slice(0, eq)
    const option = findOption(command, flag)
    if (option === undefined) {
      const names = command.options.flatMap((option) => [`--${option.name}`, ...option.aliases.map((alias) => `-${alias}`)])
      return Either.left(unknownFlag(path, flag, [...names, "--help"]))
    }
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
    // `--name=` with nothing after the `=`: `@effect/cli` would take it for an unknown argument.
    const problem = valueProblem(option, value) ?? (eq >= 0 && value === "" ? `--${option.name} takes ${option.takes} (received "")` : undefined)
    if (problem !== undefined) return Either.left({ message: problem, path, kind: "value", token: option.name, value })
  }
  const missing = command.options.find((option) => option.required && !seen.has(option.name))
  if (missing !== undefined) {
    return fail(`"${name}" needs ${flagName(missing)} ${missing.placeholder}` + (missing.description === "" ? "" : ` (${missing.description})`))
  }
  const problem = argsProblem(command.args, positional, name)
  return problem === undefined ? Either.right({ _tag: "Run", path, given: seen }) : Either.left({ ...problem, path })
}

const checkFrom = (path: ReadonlyArray<CommandInfo>, tokens: ReadonlyArray<string>, how: CheckOptions): Either.Either<Route, Problem> => {
  const command = path[path.length - 1]!
  if (command.subcommands.length === 0) return checkLeaf(path, tokens, how)
  const [head, ...rest] = tokens
  const root = path.length === 1
  const version = how.version ?? ["-v", "--version"]
  const runsAlone = command.args.length > 0 || command.options.length > 0
  // `mreg tag` alone runs, and says what to give; `mreg` and `mreg models` alone print their help.
  if (head === undefined && runsAlone) return checkLeaf(path, tokens, how)
  if (head === undefined || HELP.includes(head)) return Either.right({ _tag: "Help", path })
  if (root && version.includes(head)) return Either.right({ _tag: "Version" })
  if (root && head === "help" && how.helpCommand !== false) {
    const target: Array<CommandInfo> = [command]
    for (const word of rest) {
      const child = target[target.length - 1]!.subcommands.find((sub) => sub.name === word)
      if (child === undefined) {
        const suggestion = Spelling.didYouMean(word, target[target.length - 1]!.subcommands.map((sub) => sub.name))
        const message = `unknown command ${quote(word)} for "${command.name} help"${hint(suggestion)}`
        return Either.left({ message, path: target, kind: "command", token: word, suggestion })
      }
      target.push(child)
    }
    return Either.right({ _tag: "Help", path: target })
  }
  const child = command.subcommands.find((sub) => sub.name === head)
  if (child !== undefined) return checkFrom([...path, child], rest, how)
  const names = command.subcommands.map((sub) => sub.name)
  // A command with subcommands that also runs by itself (`mreg tag ID TAG…` beside `mreg tag add …`), unless its
  // first word is a near miss of a subcommand (`mreg tag ad`): an id or an FQN never is.
  const nearMiss = head.startsWith("-") ? undefined : Spelling.didYouMean(head, names)
  if (runsAlone && nearMiss === undefined) return checkLeaf(path, tokens, how)
  return Either.left(
    head.startsWith("-") ? unknownFlag(path, head, root ? [...HELP, ...version] : HELP) : unknownCommand(path, head, nearMiss)
  )
}

/**
 * The commands that `tokens` name from the root, as far as they name one (for errors found after the check).
 * @since 0.2.0
 * @category checking
 */
export const commandPath = (root: CommandInfo, tokens: ReadonlyArray<string>): ReadonlyArray<CommandInfo> => {
  const path = [root]
  for (const token of tokens) {
    const child = path[path.length - 1]!.subcommands.find((sub) => sub.name === token)
    if (child === undefined) break
    path.push(child)
  }
  return path
}

/**
 * Checks the arguments after the executable (`process.argv.slice(2)`) against the command tree `root`
 * (`CommandTree.read`): the route, or the first usage error.
 * @since 0.2.0
 * @category checking
 */
export const check = (root: CommandInfo, tokens: ReadonlyArray<string>, options: CheckOptions = {}): Either.Either<Route, Problem> =>
  checkFrom([root], tokens, options)
