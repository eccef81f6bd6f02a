/**
 * What the main thread and the dispatcher's worker thread tell each other (`workerHost.ts` ↔ `worker.ts`).
 *
 * - Start (`workerData`): the webhooks configuration as its file value, the store to open, and the wake-up word
 *   (an `Int32Array` on a `SharedArrayBuffer`, 0 or 1).
 * - Main → worker: `wake` (rows may be due; sent only when the word goes from 0 to 1, so at most one is pending — the
 *   worker sets it back to 0 right before each claim), `stop` (hand back the claimed rows and exit), and on SQLite
 *   the answers to its store requests.
 * - Worker → main: outcome counts and the queue depth (for the main thread's metrics), log entries (logged by the
 *   main thread's logger, so they have the process's log format), and on SQLite its store requests (`queue.ts`: one
 *   write per cycle, run on the main thread's connection).
 * @internal
 */
import type { LogLevel } from "effect"
import type { Counts } from "./dispatcher.js"
import type { Claim, Finished } from "./queue.js"
import type { WebhooksFile } from "./subscriptions.js"

/**
 * The store: SQLite through the main thread's connection, or PostgreSQL with the worker's own pool at `url` (kept in
 * memory only).
 */
export type StoreAddress = { readonly _tag: "Main" } | { readonly _tag: "Pg"; readonly url: string }

/** A `Queue` call of the worker, run by the main thread. */
export type StoreRequest =
  | { readonly op: "cycle"; readonly finished: ReadonlyArray<Finished>; readonly claim: Claim }
  | { readonly op: "release"; readonly token: string; readonly now: string }
  | { readonly op: "releaseAll"; readonly now: string }
  | { readonly op: "depth"; readonly subscriptions: ReadonlyArray<string> }

export interface WorkerData {
  readonly file: typeof WebhooksFile.Encoded
  readonly store: StoreAddress
  readonly wake: SharedArrayBuffer
}

export type ToWorker =
  | { readonly _tag: "wake" }
  | { readonly _tag: "stop" }
  | { readonly _tag: "stored"; readonly id: number; readonly ok: boolean; readonly result: unknown }

/** A log entry: level, message, annotations, and the error as the proxy's log line shows it (`Name: message`). */
export interface LogEntry {
  readonly _tag: "log"
  readonly level: LogLevel.Literal
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
  readonly error: { readonly name: string; readonly message: string } | string | undefined
}

export type FromWorker =
  | { readonly _tag: "counted"; readonly counts: Counts }
  | { readonly _tag: "depth"; readonly depth: number }
  | { readonly _tag: "store"; readonly id: number; readonly request: StoreRequest }
  | LogEntry
