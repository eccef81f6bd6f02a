/**
 * The `mreg` executable: runs the CLI on `process.argv` and exits with the command's exit code (see `ExitCode`).
 * The only module that runs effects.
 *
 * Registries: the embedded one chosen by the environment (`ModelVersionsSql.layerConfig`: SQLite at
 * `$MREG_HOME/registry.db`, or PostgreSQL when `DATABASE_URL` is set), or a control plane over HTTP with `fetch`
 * (`--host` / `TFY_HOST`). The platform services are the three `@effect/cli` needs (file system, path, terminal)
 * rather than all of `NodeContext`, which would also bundle the command executor and worker modules.
 *
 * Both registries are imported when a command builds one (`import()`: the bundle evaluates their modules — the SQL
 * client, the migrations, the HTTP client and the contract it is derived from — only then), so `mreg validate`,
 * `mreg --help` and the other commands that need no registry never load them.
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Effect, Layer } from "effect"
import * as Cli from "./Cli.js"
import * as ExitCode from "./ExitCode.js"
import type * as Registry from "./Registry.js"

const layers: Registry.Layers = {
  embedded: Layer.unwrapEffect(Effect.promise(() => import("@mreg/registry")).pipe(Effect.map(({ ModelVersionsSql }) => ModelVersionsSql.layerConfig()))),
  remote: (options) =>
    Layer.unwrapEffect(Effect.promise(() => import("@mreg/core/ModelVersions/Http")).pipe(Effect.map((Http) => Http.layerFetch(options))))
}

Cli.run(process.argv, layers).pipe(
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: ExitCode.teardown })
)
