/**
 * How a `mreg` command describes itself: one place for the help style every command follows.
 *
 * - A command: `Command.withDescription(help.describe({ summary, details, examples }))`. `summary` is one line
 *   without a final period (it is the command's line in `mreg help`); `details` are sentences (optional);
 *   `examples` are at least one `{ what, command }`, `command` starting with `mreg`.
 * - An option: `Options.withDescription("…")`, a sentence fragment in lower case, defaults in parentheses at the end
 *   (`(default: json)`), at most ~150 characters; the renderer wraps it at 100 columns. Give value-taking options a
 *   placeholder with `Options.withPseudoName("PATH")` (`ID`, `URL`, `KEY`, `N`, …); an integer option is
 *   `integerFlags.option(name)`, its range in that module's table, so that help and usage errors say it.
 * - An argument: `Args.withDescription("…")` in the same style, with a placeholder name in upper case
 *   (`Args.text({ name: "ID|FQN" })`).
 * - A command with subcommands (`tag`, `models`): described like any command, and each subcommand too; its help
 *   lists the subcommands, and `mreg help tag add` / `mreg tag add --help` print a subcommand's.
 *
 * The help itself is rendered by `internal/helpText.ts` from the command tree `CommandTree.read` (of `@mreg/core`)
 * reads from the descriptors (see the README's "Help").
 * @internal
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import { EXAMPLES, type Example } from "@mreg/core/CommandTree"

/** One example of a command's help: what it does, then the command line (starting with `mreg`). */
export type { Example }

/** What a command's help says: its one-line summary, more sentences, and examples. */
export interface Description {
  readonly summary: string
  readonly details?: string | undefined
  readonly examples: readonly [Example, ...ReadonlyArray<Example>]
}

/**
 * The description document of a command, for `Command.withDescription`: the summary and details as paragraphs, then
 * an `EXAMPLES` header and the examples as a description list (command → what). `@effect/cli` renders it as is;
 * `internal/helpText.ts` reads it back.
 */
export const describe = (description: Description): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    HelpDoc.p(description.summary),
    ...(description.details === undefined ? [] : [HelpDoc.p(description.details)]),
    HelpDoc.h2(EXAMPLES),
    HelpDoc.descriptionList(
      description.examples.map((example): [Span.Span, HelpDoc.HelpDoc] => [Span.code(example.command), HelpDoc.p(example.what)]) as [
        [Span.Span, HelpDoc.HelpDoc],
        ...Array<[Span.Span, HelpDoc.HelpDoc]>
      ]
    )
  ])

