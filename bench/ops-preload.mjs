// Preload for bench/ops.mjs (`node --import ./bench/ops-preload.mjs …`): counts the operations Effect's fiber runtime
// runs (each call of a `FiberRuntime` op handler: Sync, Success, OnSuccess, WithRuntime, Async, Commit, …) and
// the FiberRefs copies (each `FiberRuntime.setFiberRefs`/`setFiberRef`, which a `provideService`/`locally` makes
// twice); on SIGUSR2 it appends `{"ops":…,"refs":…}` to the file named by OPS_FILE.
import { appendFileSync } from "node:fs"

const { Effect } = await import(new URL("../apps/proxy/node_modules/effect/dist/esm/index.js", import.meta.url).href)
const fiber = Effect.runFork(Effect.void)
const proto = Object.getPrototypeOf(fiber)
const counts = { ops: 0, refs: 0 }
for (const key of Object.getOwnPropertyNames(proto)) {
  const original = Object.getOwnPropertyDescriptor(proto, key).value
  if (typeof original !== "function") continue
  if (/^[A-Z]/.test(key)) {
    proto[key] = function(op) {
      counts.ops++
      return original.call(this, op)
    }
  } else if (key === "setFiberRefs" || key === "setFiberRef") {
    proto[key] = function(...args) {
      counts.refs++
      return original.apply(this, args)
    }
  }
}
process.on("SIGUSR2", () => appendFileSync(process.env.OPS_FILE, `${JSON.stringify(counts)}\n`))
