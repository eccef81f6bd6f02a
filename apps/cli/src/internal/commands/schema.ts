/**
 * `mreg schema`: prints the JSON Schema of manifest files (`@mreg/core`'s `ManifestJsonSchema`, generated from the
 * `ModelManifest` schema), for editors: `mreg schema > model-manifest.json`, then
 * `# yaml-language-server: $schema=./model-manifest.json` at the top of a YAML manifest.
 * @internal
 */
import { Command } from "@effect/cli"
import { ManifestJsonSchema } from "@mreg/core"
import { print } from "./shared.js"

export const schema = Command.make("schema", {}, () => print(JSON.stringify(ManifestJsonSchema.make(), null, 2))).pipe(
  Command.withDescription(
    "Print the JSON Schema (draft-07) of manifest files, for editors and CI: mreg schema > model-manifest.json. The " +
      "same file ships in @mreg/core (schemas/model-manifest.json) and mreg-proxy serves it at /schemas/model-manifest.json."
  )
)
