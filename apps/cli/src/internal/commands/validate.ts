/**
 * `mreg validate`.
 * @internal
 */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import * as ManifestFile from "../../ManifestFile.js"
import { describe } from "../help.js"
import { file, print } from "./shared.js"

export const validate = Command.make(
  "validate",
  { file },
  (args) =>
    Effect.gen(function*() {
      const manifest = yield* ManifestFile.load(args.file)
      yield* print(`ok: ${ManifestFile.displayName(args.file)} is a valid manifest of ${manifest.ml_repo}/${manifest.name}`)
    })
).pipe(Command.withDescription(describe({
  summary: "Check a manifest file offline",
  details: "Prints every problem with its place (exit 2), or one ok line. Never opens the registry.",
  examples: [
    { what: "check a manifest", command: "mreg validate -f model.yaml" },
    { what: "check what another program writes", command: "make-manifest | mreg validate -f -" }
  ]
})))
