/**
 * `mreg validate`.
 * @internal
 */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import * as ManifestFile from "../../ManifestFile.js"
import { file, print } from "./shared.js"

export const validate = Command.make(
  "validate",
  { file },
  (args) =>
    Effect.gen(function*() {
      const manifest = yield* ManifestFile.load(args.file)
      yield* print(`ok: ${ManifestFile.displayName(args.file)} is a valid manifest of ${manifest.ml_repo}/${manifest.name}`)
    })
).pipe(Command.withDescription("Check a manifest file offline, printing every problem with its place; never touches the registry."))
