/**
 * `mreg completion`.
 * @internal
 */
import { Args, Command } from "@effect/cli"
import { Effect } from "effect"
import { print } from "./shared.js"

export const SHELLS = ["bash", "zsh", "fish"] as const

export type Shell = (typeof SHELLS)[number]

/** `script` gives the completion script of the whole command tree (a thunk: the tree contains this command). */
export const completion = (script: () => (shell: Shell) => Effect.Effect<Array<string>>) =>
  Command.make(
    "completion",
    { shell: Args.choice(SHELLS.map((shell) => [shell, shell] as [string, Shell]), { name: "shell" }) },
    (args) => Effect.flatMap(script()(args.shell), (lines) => print(lines.join("\n")))
  ).pipe(
    Command.withDescription(
      "Print the shell completion script: source <(mreg completion bash) in bash, source <(mreg completion zsh) in " +
        "zsh, mreg completion fish | source in fish."
    )
  )
