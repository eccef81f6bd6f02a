/**
 * `mreg schema`: prints the JSON Schema of manifest files (`@mreg/core`'s `ManifestJsonSchema`, generated from the
 * `ModelManifest` schema), for editors: `mreg schema > model-manifest.json`, then
 * `# yaml-language-server: $schema=./model-manifest.json` at the top of a YAML manifest.
 * @internal
 */
import { Command } from "@effect/cli"
import { ManifestJsonSchema } from "@mreg/core"
import { describe } from "../help.js"
import { print } from "./shared.js"

export const schema = Command.make("schema", {}, () => print(JSON.stringify(ManifestJsonSchema.make(), null, 2))).pipe(
  Command.withDescription(describe({
    summary: "Print the JSON Schema of manifest files, for editors and CI",
    details: "The schema (draft-07) is generated from the manifest rules mreg validate checks. The same file ships in " +
      "@mreg/core (schemas/model-manifest.json) and mreg-proxy serves it at /schemas/model-manifest.json. Point an " +
      "editor at it with a first line # yaml-language-server: $schema=./model-manifest.json in a YAML manifest.",
    examples: [
      { what: "write the schema next to your manifests", command: "mreg schema > model-manifest.json" }
    ]
  }))
)
