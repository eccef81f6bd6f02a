/**
 * Debian's Chromium for the browser tests, driven by `playwright-core` (README, "Browser tests"): the binary on PATH
 * (`command -v chromium`), the no-network flags, a fresh `--user-data-dir` per launch (removed on close), and axe's
 * serious and critical accessibility violations of a page.
 */
import AxeBuilder from "@axe-core/playwright"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type BrowserContext, chromium, type Page } from "playwright-core"

/** Chromium's flags: headless, no sandbox (CI runs as root), and none of its own network traffic (README). */
export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/** The Chromium binary on PATH; fails, saying how to install it, when there is none. */
export const chromiumPath = (): string => {
  const found = spawnSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).stdout.trim()
  if (found === "") {
    throw new Error(
      "the browser tests need Debian's Chromium on PATH (`command -v chromium` found nothing): install it with " +
        "`apt-get install -y chromium` as root (`.ci/run` does so), then run `pnpm test` again"
    )
  }
  return found
}

/** A browser context on a fresh profile, and `close()` that also removes the profile. */
export const launch = async (): Promise<{ readonly context: BrowserContext; readonly close: () => Promise<void> }> => {
  const executablePath = chromiumPath()
  const profile = mkdtempSync(join(tmpdir(), "mreg-chromium-"))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1200, height: 900 },
    locale: "en-US",
    timezoneId: "UTC"
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
}

/** axe-core's serious and critical violations on the page as it is now: `"rule-id: target, …"` lines. */
export const seriousViolations = async (page: Page): Promise<Array<string>> => {
  const { violations } = await new AxeBuilder({ page }).analyze()
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`)
}
