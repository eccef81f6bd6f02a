/**
 * The web page end to end in Chromium (`playwright-core`, test/browser.ts) against a proxy on the embedded SQLite
 * registry with the test tokens file and seeded versions: the token form, search, a bad filter's message in place,
 * a model's versions, a version, its history, a scoped token, keyboard use; axe finds no serious or critical
 * violation on any page; the page asks nothing of any other host.
 *
 * `MREG_UI_SCREENSHOT=<file.png>` also writes a screenshot of the version page (README's docs/images/ui-version.png).
 */
import { Effect, ManagedRuntime } from "effect"
import type { BrowserContext, Page } from "playwright-core"
import { afterAll, assert, beforeAll, describe, expect, it } from "vitest"
import { launch, seriousViolations } from "./browser.js"
import { auth, base, call, layerServer, put, TestServer, TOKENS } from "./utils.js"

const runtime = ManagedRuntime.make(layerServer())
let url = ""
let browser: { readonly context: BrowserContext; readonly close: () => Promise<void> } | undefined
const foreign: Array<string> = []
/** Ids of the seeded versions by `name:version`. */
const ids: Record<string, string> = {}

const seed = async (mlRepo: string, name: string, version: number, fields: Record<string, unknown>) => {
  const manifest = base(mlRepo, { name, version, source: { type: "truefoundry", uri: `s3://bucket/${name}/${version}` }, ...fields })
  const answer = await Effect.runPromise(put(url, manifest, auth(TOKENS.alice)))
  assert.strictEqual(answer.status, 200, answer.text)
  ids[`${name}:${version}`] = answer.json.data.id
}

beforeAll(async () => {
  url = (await runtime.runPromise(TestServer)).url
  await seed("nlp-team", "sentiment-clf", 1, { version_alias: "v1.0.0", metadata: { accuracy: 0.85, dataset: "sst2" } })
  await seed("nlp-team", "sentiment-clf", 2, { version_alias: "v2.0.0", metadata: { accuracy: 0.93, dataset: "sst2" } })
  // An update and a tag: the history of version 2 has three events.
  await seed("nlp-team", "sentiment-clf", 2, { version_alias: "v2.0.0", metadata: { accuracy: 0.95, dataset: "sst2" } })
  const tagged = await Effect.runPromise(call(`${url}/api/ml/v1/model-versions/tags`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...auth(TOKENS.alice) },
    body: JSON.stringify({ model_version_id: ids["sentiment-clf:2"], tags: ["prod"] })
  }))
  assert.strictEqual(tagged.status, 200, tagged.text)
  await seed("vision-cams", "detector", 1, { metadata: { accuracy: 0.97 } })
  await seed("shared", "tokenizer", 1, { metadata: { accuracy: 0.5 } })
  browser = await launch()
  browser.context.setDefaultTimeout(10_000)
  // Offline: a request to any other origin is refused and noted.
  await browser.context.route("**/*", (route) => {
    if (new URL(route.request().url()).origin === url) return route.continue()
    foreign.push(route.request().url())
    return route.abort()
  })
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await runtime.dispose()
})

/** A new tab (its own sessionStorage) at `path`. */
const open = async (path: string): Promise<Page> => {
  const page = await browser!.context.newPage()
  await page.goto(`${url}${path}`)
  return page
}

/** Types `token` into the token form and submits it. */
const signIn = async (page: Page, token: string) => {
  await page.getByLabel("API token").fill(token)
  await page.getByRole("button", { name: "Use token" }).click()
}

/** The texts of the first cell of each row of the page's (first) table. */
const firstColumn = (page: Page) => page.locator("table tbody tr th").allTextContents()

/** Searches with the search box by keyboard: focus, type, Enter. */
const search = async (page: Page, label: string, filter: string) => {
  const box = page.getByRole("searchbox", { name: label })
  await box.fill(filter)
  await box.press("Enter")
}

describe("the web page in Chromium", () => {
  it("asks for a token on 401, refuses a wrong one, keeps the right one for the tab only", async () => {
    const page = await open("/ui/")
    await page.getByLabel("API token").waitFor()
    assert.deepStrictEqual(await seriousViolations(page), [])
    await signIn(page, "not-a-token-0000000000")
    await page.getByText("The proxy refused this token.").waitFor()
    assert.strictEqual(await page.getByLabel("API token").getAttribute("aria-invalid"), "true")
    await signIn(page, TOKENS.alice)
    await page.getByRole("heading", { name: "ML repos and models" }).waitFor()
    await page.locator("table tbody tr").first().waitFor()
    assert.deepStrictEqual((await firstColumn(page)).sort(), ["detector", "sentiment-clf", "tokenizer"])
    assert.deepStrictEqual(await page.evaluate(`[sessionStorage.getItem("mreg.token"), localStorage.length, document.cookie]`), [TOKENS.alice, 0, ""])
    assert.deepStrictEqual(await seriousViolations(page), [])
    // Another tab has its own session: asked again.
    const other = await open("/ui/")
    await other.getByLabel("API token").waitFor()
    // Forgetting the token asks again.
    await page.getByRole("button", { name: "Forget token" }).click()
    await page.getByLabel("API token").waitFor()
    assert.strictEqual(await page.evaluate(`sessionStorage.getItem("mreg.token")`), null)
    await Promise.all([page.close(), other.close()])
  })

  it("searches models and versions with the filter language; a bad filter shows the API's message on the input", async () => {
    const page = await open("/ui/")
    await signIn(page, TOKENS.alice)
    await page.locator("table tbody tr").first().waitFor()
    await search(page, "Search models", `ml_repo = "vision-cams"`)
    await page.waitForURL(`${url}/ui/?filter=ml_repo+%3D+%22vision-cams%22`)
    // Polled until the filtered table replaces the unfiltered one (which may still be on screen right after the URL).
    await expect.poll(() => firstColumn(page), { timeout: 15_000 }).toEqual(["detector"])

    const bad = "metadata.accuracy >>= 1"
    const expected = await Effect.runPromise(call(`${url}/api/ml/v1/models?filter=${encodeURIComponent(bad)}`, { headers: auth(TOKENS.alice) }))
    assert.strictEqual(expected.status, 422)
    const issue = expected.json.detail.find((d: { loc: Array<string> }) => d.loc.join(".") === "query.filter")
    await search(page, "Search models", bad)
    const error = page.locator("#filter-error")
    await error.waitFor()
    assert.strictEqual(await error.textContent(), issue.msg)
    const box = page.getByRole("searchbox", { name: "Search models" })
    assert.deepStrictEqual([await box.getAttribute("aria-invalid"), await box.getAttribute("aria-describedby")], ["true", "filter-help filter-error"])
    assert.deepStrictEqual(await seriousViolations(page), [])

    // The versions of a model, searched by metadata.
    await page.goto(`${url}/ui/models/${(await modelIdOf("sentiment-clf:2"))}`)
    await page.locator("table tbody tr").first().waitFor()
    assert.deepStrictEqual((await firstColumn(page)).sort(), ["1", "2"])
    await search(page, "Search versions", "metadata.accuracy >= 0.9")
    await page.waitForURL(/filter=metadata/)
    await expect.poll(() => firstColumn(page), { timeout: 15_000 }).toEqual(["2"])
    await page.close()
  })

  it("shows a model's versions and a version, by keyboard, with deep links; every page axe-clean", async () => {
    const page = await open("/ui/")
    await signIn(page, TOKENS.alice)
    await page.locator("table tbody tr").first().waitFor()
    // After a reload (the token stays in the tab), the first Tab reaches the skip link, with a visible focus ring.
    await page.reload()
    await page.locator("table tbody tr").first().waitFor()
    await page.keyboard.press("Tab")
    assert.deepStrictEqual(
      await page.evaluate("[document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]"),
      ["Skip to content", "solid"]
    )
    await page.getByRole("link", { name: "sentiment-clf" }).first().focus()
    await page.keyboard.press("Enter")
    await page.getByRole("heading", { name: "Model sentiment-clf" }).waitFor()
    const row = page.getByRole("row", { name: /^2 v2\.0\.0 prod/ })
    await row.waitFor()
    assert.deepStrictEqual((await row.locator("td").allTextContents()).filter((_, i) => i !== 2), ["v2.0.0", "prod", "Alice", "yes"])
    assert.deepStrictEqual(await seriousViolations(page), [])

    await row.getByRole("link", { name: "2" }).focus()
    await page.keyboard.press("Enter")
    await page.getByRole("heading", { name: "sentiment-clf version 2" }).waitFor()
    assert.strictEqual(page.url(), `${url}/ui/versions/${ids["sentiment-clf:2"]}`)
    const version = (await Effect.runPromise(call(`${url}/api/ml/v1/model-versions/${ids["sentiment-clf:2"]}`, { headers: auth(TOKENS.alice) }))).json.data
    assert.strictEqual(await page.locator("#fqn").textContent(), version.fqn)
    await page.getByRole("button", { name: "Copy FQN" }).click()
    await page.getByText("FQN copied").waitFor()
    assert.strictEqual(await page.evaluate("navigator.clipboard.readText()"), version.fqn)
    const metadata = page.getByRole("table", { name: "Metadata" })
    assert.deepStrictEqual(await metadata.locator("tbody tr").allInnerTexts(), ["accuracy\t0.95", "dataset\tsst2"])
    assert.deepStrictEqual(JSON.parse(await page.locator("pre").innerText()), version.manifest)
    assert.deepStrictEqual(await seriousViolations(page), [])
    // Dark mode has its own colours: contrast checked too.
    await page.emulateMedia({ colorScheme: "dark" })
    assert.deepStrictEqual(await seriousViolations(page), [])
    await page.emulateMedia({ colorScheme: "light" })

    // The deep link works in a new tab (after the token form), and back goes to the versions.
    const deep = await open(`/ui/versions/${ids["detector:1"]}`)
    await signIn(deep, TOKENS.alice)
    await deep.getByRole("heading", { name: "detector version 1" }).waitFor()
    await page.goBack()
    await page.getByRole("heading", { name: "Model sentiment-clf" }).waitFor()
    await Promise.all([page.close(), deep.close()])
  })

  it("shows a version's history, oldest first (GET …/model-versions/{id}/history)", async () => {
    const page = await open(`/ui/versions/${ids["sentiment-clf:2"]}`)
    await signIn(page, TOKENS.alice)
    await page.getByRole("heading", { name: "sentiment-clf version 2" }).waitFor()
    // History, oldest first: created, updated (accuracy 0.93 → 0.95), tags applied.
    const events = page.locator("ol.timeline > li")
    await events.first().waitFor()
    const texts = await events.allInnerTexts()
    assert.deepStrictEqual(texts.map((text) => text.split(" by ")[0]), ["created", "updated", "tags applied"])
    assert.match(texts[1]!, /metadata\.accuracy: 0\.93 → 0\.95/)
    assert.match(texts[2]!, /tags: \[\] → \["prod"\]/)
    assert.deepStrictEqual(await seriousViolations(page), [])
    if (process.env.MREG_UI_SCREENSHOT) await page.screenshot({ path: process.env.MREG_UI_SCREENSHOT, fullPage: true })
    await page.close()
  })

  it("a scoped token sees only its ML repos", async () => {
    const page = await open("/ui/")
    await signIn(page, TOKENS.bob)
    await page.locator("table tbody tr").first().waitFor()
    assert.deepStrictEqual((await firstColumn(page)).sort(), ["detector", "tokenizer"])
    assert.deepStrictEqual((await page.getByRole("navigation", { name: "ML repos on this page" }).getByRole("link").allTextContents()), ["shared", "vision-cams"])
    // Another repo's version is as missing as one that never existed.
    await page.goto(`${url}/ui/versions/${ids["sentiment-clf:1"]}`)
    await page.getByRole("alert").waitFor()
    assert.match(await page.getByRole("alert").textContent() ?? "", /not found|no model version/i)
    // A path under /ui/ the page does not know.
    await page.goto(`${url}/ui/no/such/page`)
    await page.getByRole("heading", { name: "Not found" }).waitFor()
    await page.close()
  })

  it("asked no other host for anything", () => {
    assert.deepStrictEqual(foreign, [])
  })
})

/** The model id of a seeded version. */
const modelIdOf = async (key: string): Promise<string> =>
  (await Effect.runPromise(call(`${url}/api/ml/v1/model-versions/${ids[key]}`, { headers: auth(TOKENS.alice) }))).json.data.model_id
