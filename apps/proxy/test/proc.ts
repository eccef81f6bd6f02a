/**
 * The built `mreg-proxy` binary as a child process, for the process tests: start it with flags and environment
 * (nothing inherited but `PATH`), collect its stdout lines, wait for its `listening` line.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const app = fileURLToPath(new URL("..", import.meta.url))
export const root = join(app, "..", "..")
export const bin = join(app, "dist", "bin.js")

export interface Proc {
  readonly child: ChildProcessWithoutNullStreams
  readonly stdout: Array<string>
  readonly stderr: Array<string>
  readonly exit: Promise<number | null>
}

/** Starts the binary in `home` (also `HOME`, and `MREG_HOME` at `home/store` unless `env` says otherwise). */
export const start = (home: string, args: ReadonlyArray<string>, env: Record<string, string>): Proc => {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: home,
    env: { PATH: process.env.PATH ?? "", HOME: home, MREG_HOME: join(home, "store"), ...env }
  })
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  let pending = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk
    const lines = pending.split("\n")
    pending = lines.pop()!
    stdout.push(...lines)
  })
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk))
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, stdout, stderr, exit }
}

export const waitFor = async <A>(what: string, probe: () => A | undefined, ms = 20_000): Promise<A> => {
  const until = Date.now() + ms
  for (;;) {
    const found = probe()
    if (found !== undefined) return found
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export const listeningUrl = (proc: Proc) =>
  waitFor("the listening line", () => {
    for (const line of proc.stdout) {
      const entry = JSON.parse(line)
      if (entry.msg === "listening") return entry.url as string
    }
    return undefined
  })

/** Stops the process with SIGTERM and waits for its exit code. */
export const stop = (proc: Proc): Promise<number | null> => {
  proc.child.kill("SIGTERM")
  return proc.exit
}
