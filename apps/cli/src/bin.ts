/**
 * The `mreg` executable: runs the CLI on `process.argv` and exits with the command's exit code (see `ExitCode`).
 * The only module that runs effects.
 *
 * Registries: the embedded one chosen by the environment (`ModelVersionsSql.layerConfig`: SQLite at
 * `$MREG_HOME/registry.db`, or PostgreSQL when `DATABASE_URL` is set), or a control plane over HTTP with `fetch`
 * (`--host` / `TFY_HOST`). The platform services are the three `@effect/cli` needs (file system, path, terminal)
 * rather than all of `NodeContext`, which would also bundle the command executor and worker modules.
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as HttpModelVersions from "@mreg/core/ModelVersions/Http"
import { ModelVersionsSql } from "@mreg/registry"
import { Effect, Layer } from "effect"
import * as Cli from "./Cli.js"
import * as ExitCode from "./ExitCode.js"

Cli.run(process.argv, { embedded: ModelVersionsSql.layerConfig(), remote: HttpModelVersions.layerFetch }).pipe(
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: ExitCode.teardown })
)
