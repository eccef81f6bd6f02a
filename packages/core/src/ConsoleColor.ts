/**
 * Colour on a terminal, never elsewhere, for the `mreg` and `mreg-proxy` commands: a stream gets ANSI escape codes
 * only when it is a terminal and `NO_COLOR` is unset or empty (https://no-color.org). `@effect/cli` always renders
 * its help, version and error documents with escape codes; {@link terminalConsole} removes them where colour is off.
 *
 * @since 0.2.0
 */
import { Config, type Console, Effect, Option } from "effect"

/**
 * Whether stdout and stderr get colour.
 * @since 0.2.0
 * @category models
 */
export interface ColorSupport {
  readonly stdout: boolean
  readonly stderr: boolean
}

/**
 * Whether to colour a stream: it is a terminal and `NO_COLOR` is unset or empty.
 * @since 0.2.0
 * @category predicates
 */
export const useColor = (isTTY: boolean | undefined, noColor: string | undefined): boolean =>
  isTTY === true && (noColor === undefined || noColor === "")

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g

/**
 * `text` without ANSI escape sequences (SGR colours, cursor moves, OSC titles).
 * @since 0.2.0
 * @category text
 */
export const strip = (text: string): string => text.replace(ANSI, "")

/**
 * The colour support of this process's stdout and stderr ({@link useColor}, `NO_COLOR` read through `Config`).
 * @since 0.2.0
 * @category constructors
 */
export const colorSupport: Effect.Effect<ColorSupport> = Effect.gen(function*() {
  const noColor = yield* Config.option(Config.string("NO_COLOR")).pipe(Effect.orElseSucceed(() => Option.none<string>()))
  return {
    stdout: useColor(process.stdout.isTTY, Option.getOrUndefined(noColor)),
    stderr: useColor(process.stderr.isTTY, Option.getOrUndefined(noColor))
  }
})

const cleanText = (color: boolean) => (arg: unknown): unknown => {
  if (typeof arg !== "string") return arg
  const text = arg.replace(/\n+$/, "")
  return color ? text : strip(text)
}

/**
 * A `Console` that writes through `base`, with ANSI escape codes removed from text bound for a stream that gets no
 * colour (`log`, `info` and `debug` go to stdout, `error` and `warn` to stderr), and trailing newlines removed from
 * every text (each call prints exactly one newline). Used around `@effect/cli`, whose help, version and error
 * documents are always rendered with escape codes and end with a blank line.
 * @since 0.2.0
 * @category constructors
 */
export const terminalConsole = (base: Console.Console, support: ColorSupport): Console.Console => {
  const out = cleanText(support.stdout)
  const err = cleanText(support.stderr)
  return {
    ...base,
    log: (...args) => base.log(...args.map(out)),
    info: (...args) => base.info(...args.map(out)),
    error: (...args) => base.error(...args.map(err)),
    warn: (...args) => base.warn(...args.map(err)),
    debug: (...args) => base.debug(...args.map(out))
  }
}
