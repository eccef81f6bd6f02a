/**
 * The web page of mreg-proxy (`/ui/`): the route's page under a header, and the token form when the proxy answers
 * 401. Preact (small: the whole page stays far under its 200 KB gzipped budget).
 */
import { render } from "preact"
import { useEffect, useMemo, useRef, useState } from "preact/hooks"
import { type ApiError, setToken, token } from "./api.js"
import { SessionContext } from "./load.js"
import { ModelPage } from "./pages/ModelPage.js"
import { ModelsPage } from "./pages/ModelsPage.js"
import { VersionPage } from "./pages/VersionPage.js"
import { Link } from "./parts.js"
import { href, type Route, useRoute } from "./router.js"
import "./style.css"

/** The token form: the token is kept in this tab's sessionStorage; `refused` when the proxy refused the last one. */
const TokenForm = (props: { readonly refused: boolean; readonly onToken: (value: string) => void }) => {
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => input.current?.focus(), [])
  return (
    <form
      class="token"
      aria-labelledby="token-title"
      onSubmit={(event) => {
        event.preventDefault()
        const value = input.current?.value.trim() ?? ""
        if (value !== "") props.onToken(value)
      }}
    >
      <h2 id="token-title">Sign in with a token</h2>
      <label for="token">API token</label>
      <input id="token" ref={input} type="password" autocomplete="off" required aria-describedby={props.refused ? "token-help token-error" : "token-help"} aria-invalid={props.refused ? "true" : undefined} />
      <button type="submit">Use token</button>
      <p id="token-help" class="help">The proxy asks for a bearer token (its tokens file). It is kept for this tab only and sent only to this proxy.</p>
      {props.refused ? <p id="token-error" class="error" role="alert">The proxy refused this token.</p> : null}
    </form>
  )
}

const Page = (props: { readonly route: Route }) => {
  const { route } = props
  switch (route.page) {
    case "models":
      return <ModelsPage mlRepo={route.mlRepo} filter={route.filter} />
    case "model":
      return <ModelPage id={route.id} filter={route.filter} />
    case "version":
      return <VersionPage id={route.id} />
    case "missing":
      return <><h1>Not found</h1><p>No page at <code>{route.path}</code>. <Link href={href({ page: "models", filter: "" })}>ML repos and models</Link></p></>
  }
}

const App = () => {
  const route = useRoute()
  const [generation, setGeneration] = useState(0)
  const [asking, setAsking] = useState<"no" | "missing" | "refused">("no")
  const [hasToken, setHasToken] = useState(() => token() !== null)
  const session = useMemo(() => ({
    generation,
    unauthorized: (_: ApiError) => setAsking(token() === null ? "missing" : "refused")
  }), [generation])
  const useToken = (value: string) => {
    setToken(value)
    setHasToken(value !== "")
    setAsking("no")
    setGeneration((n) => n + 1)
    // The form goes away: focus moves to the page's content, not to the top of the document.
    document.getElementById("main")?.focus()
  }
  // Each page's title names it, for tabs and history.
  useEffect(() => {
    document.title = `${route.page === "models" ? (route.mlRepo ?? "ML repos and models") : route.page === "model" ? "Model" : route.page === "version" ? "Model version" : "Not found"} · mreg`
  }, [route])
  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main">Skip to content</a>
      <header>
        <Link href={href({ page: "models", filter: "" })} class="brand">mreg</Link>
        <span class="muted">model registry</span>
        {hasToken ? <button type="button" class="link" onClick={() => useToken("")}>Forget token</button> : null}
      </header>
      <main id="main" tabIndex={-1}>
        {asking === "no" ? null : <TokenForm refused={asking === "refused"} onToken={useToken} />}
        <Page route={route} />
      </main>
    </SessionContext.Provider>
  )
}

render(<App />, document.getElementById("app")!)
