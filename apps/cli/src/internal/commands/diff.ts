/**
 * `mreg diff`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import * as Diff from "../../Diff.js"
import * as Failure from "../../Failure.js"
import * as ManifestFile from "../../ManifestFile.js"
import type * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import { describe } from "../help.js"
import { file, outputChoice, printPlan, withRegistry } from "./shared.js"

export const diff = (options: Registry.Layers) =>
  Command.make(
    "diff",
    {
      file,
      output: outputChoice.pipe(
        Options.withDefault("table" as Output.Format),
        Options.withDescription("output format: table, one line per change (default); json or yaml: {action, changes, problems}")
      ),
      exitCode: Options.boolean("exit-code").pipe(
        Options.withDescription("exit 1 when the upsert would change something, 0 when not (as git diff --exit-code)")
      ),
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const manifest = yield* ManifestFile.load(args.file)
        const plan = yield* withRegistry(options, args.host, (registry) => Diff.plan(registry, manifest))
        yield* printPlan(args.output, plan)
        if (args.exitCode && (plan.action === "create" || (plan.action === "update" && plan.changes.length > 0))) {
          return yield* Effect.fail(new Failure.Changed({ action: plan.action }))
        }
      })
  ).pipe(
    Command.withDescription(describe({
      summary: "Show what upserting a manifest would change, without writing",
      details: "Prints a new version, or for an existing version each field: + added, - cleared (PUT clears " +
        "description, metadata, version_alias, framework and environment absent from the manifest), ~ changed. " +
        "Changes the registry would reject (source, step or run_id of an existing version, an alias in use, a deleted " +
        "version) are marked ! and exit 3 (2 for a version beyond the next).",
      examples: [
        { what: "what would change", command: "mreg diff -f model.yaml" },
        { what: "in CI: fail when the registry is not up to date with the manifest", command: "mreg diff -f model.yaml --exit-code" }
      ]
    }))
  )
