/**
 * `mreg completion`.
 * @internal
 */
import { Args, Command } from "@effect/cli"
import { Effect } from "effect"
import { describe, type Example } from "../help.js"
import { print } from "./shared.js"

export const SHELLS = ["bash", "zsh", "fish"] as const

export type Shell = (typeof SHELLS)[number]

/** How each shell loads the script (the help's examples). */
const LOAD: Record<Shell, Example> = {
  bash: { what: "bash", command: "source <(mreg completion bash)" },
  zsh: { what: "zsh", command: "source <(mreg completion zsh)" },
  fish: { what: "fish", command: "mreg completion fish | source" }
}

/** `script` gives the completion script of the whole command tree (a thunk: the tree contains this command). */
export const completion = (script: () => (shell: Shell) => Effect.Effect<Array<string>>) =>
  Command.make(
    "completion",
    {
      shell: Args.choice(SHELLS.map((shell) => [shell, shell] as [string, Shell]), { name: "SHELL" }).pipe(
        Args.withDescription("the shell: bash, zsh or fish")
      )
    },
    (args) => Effect.flatMap(script()(args.shell), (lines) => print(lines.join("\n")))
  ).pipe(
    Command.withDescription(describe({
      summary: "Print the shell completion script",
      details: "Completes commands and flags. Load it in the shell's start-up file (~/.bashrc, ~/.zshrc, " +
        "~/.config/fish/config.fish) with one of the lines below.",
      examples: [LOAD.bash, LOAD.zsh, LOAD.fish]
    }))
  )
