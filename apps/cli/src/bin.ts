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
 *
 * Traces: the standard `OTEL_*` variables (`Telemetry.layerTracing`: nothing is loaded unless an OTLP endpoint is
 * set); the run is one `mreg` span, a child of the span `TRACEPARENT` names when it holds a W3C `traceparent`. The
 * spans are flushed at exit for at most 3 s (`NodeSdk`'s shutdown timeout); the process then exits even when the
 * collector has not answered.
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Telemetry from "@mreg/core/Telemetry"
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
  Effect.withSpan("mreg", { captureStackTrace: false }),
  Telemetry.withTraceparent(process.env.TRACEPARENT),
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer, Telemetry.layerTracing({ serviceName: "mreg" }))),
  // Exits as soon as the program is done, whatever the code: the platform's teardown leaves a successful run to end
  // when the event loop is empty, and an OTLP exporter still retrying a collector that is down or silent kept it
  // alive for its whole timeout (10 s by default) after the spans' flush had given up (3 s).
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: (exit, onExit) => ExitCode.teardown(exit, (code) => {
    onExit(code)
    process.exit(code)
  }) })
)
