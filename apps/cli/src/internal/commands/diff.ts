/**
 * `mreg diff`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import * as Diff from "../../Diff.js"
import * as ManifestFile from "../../ManifestFile.js"
import type * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import { file, outputChoice, printPlan, withRegistry } from "./shared.js"

export const diff = (options: Registry.Layers) =>
  Command.make(
    "diff",
    {
      file,
      output: outputChoice.pipe(
        Options.withDefault("table" as Output.Format),
        Options.withDescription("table: one line per change, for people (default); json or yaml: {action, version, changes, problems}")
      ),
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const manifest = yield* ManifestFile.load(args.file)
        const plan = yield* withRegistry(options, args.host, (registry) => Diff.plan(registry, manifest))
        yield* printPlan(args.output, plan)
      })
  ).pipe(
    Command.withDescription(
      "Show what upserting a manifest would change, field by field, without writing: a new version, or for an existing " +
        "version + added, - cleared (PUT replaces description, metadata, version_alias, framework, environment) and ~ " +
        "changed fields. Changes the registry would reject (source, step or run_id of an existing version, an alias in " +
        "use, a deleted version) are marked with ! and exit 3 (2 for a version beyond the next)."
    )
  )
