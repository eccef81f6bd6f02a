/**
 * Deep links: every page has its own URL under `/ui/` (the proxy answers any of them with index.html), read from
 * `location` and changed with the History API, so links open in new tabs and the back button works.
 *
 * - `/ui/` — ML repos and models, `?filter=` the search expression;
 * - `/ui/repos/{ml_repo}` — the models of one ML repo, `?filter=`;
 * - `/ui/models/{model id}` — a model's versions, `?filter=`;
 * - `/ui/versions/{model version id}` — a model version with its history.
 */
import { useEffect, useState } from "preact/hooks"

/** The page's base path (vite's `base`). */
export const BASE = "/ui/"

/** What a URL shows. */
export type Route =
  | { readonly page: "models"; readonly mlRepo?: string | undefined; readonly filter: string }
  | { readonly page: "model"; readonly id: string; readonly filter: string }
  | { readonly page: "version"; readonly id: string }
  | { readonly page: "missing"; readonly path: string }

/** The route of a location's path and query. */
export const parse = (pathname: string, search: string): Route => {
  const filter = new URLSearchParams(search).get("filter") ?? ""
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname.replace(/^\/ui$/, "")
  const parts = rest.split("/").filter((part) => part !== "").map(decodeURIComponent)
  if (parts.length === 0) return { page: "models", filter }
  if (parts.length === 2 && parts[0] === "repos") return { page: "models", mlRepo: parts[1]!, filter }
  if (parts.length === 2 && parts[0] === "models") return { page: "model", id: parts[1]!, filter }
  if (parts.length === 2 && parts[0] === "versions") return { page: "version", id: parts[1]! }
  return { page: "missing", path: pathname }
}

/** The URL of a page (its filter in the query when not empty). */
export const href = (route: Exclude<Route, { page: "missing" }>): string => {
  const query = "filter" in route && route.filter !== "" ? `?${new URLSearchParams({ filter: route.filter })}` : ""
  switch (route.page) {
    case "models":
      return `${BASE}${route.mlRepo === undefined ? "" : `repos/${encodeURIComponent(route.mlRepo)}`}${query}`
    case "model":
      return `${BASE}models/${encodeURIComponent(route.id)}${query}`
    case "version":
      return `${BASE}versions/${encodeURIComponent(route.id)}`
  }
}

const listeners = new Set<() => void>()

/** Shows `url` (same origin) without reloading the page; a new history entry unless `replace`. */
export const navigate = (url: string, replace = false): void => {
  if (replace) history.replaceState(null, "", url)
  else history.pushState(null, "", url)
  for (const listener of listeners) listener()
}

/** The current route; re-renders on navigation and on back/forward. */
export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parse(location.pathname, location.search))
  useEffect(() => {
    const update = () => setRoute(parse(location.pathname, location.search))
    listeners.add(update)
    addEventListener("popstate", update)
    return () => {
      listeners.delete(update)
      removeEventListener("popstate", update)
    }
  }, [])
  return route
}

/**
 * Click handler of in-page links: a plain left click navigates in place; modified clicks (new tab, window) are left
 * to the browser.
 */
export const onLinkClick = (event: MouseEvent): void => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  const anchor = (event.target as Element | null)?.closest?.("a")
  if (anchor === null || anchor === undefined || anchor.target !== "" || anchor.origin !== location.origin || !anchor.pathname.startsWith(BASE)) return
  event.preventDefault()
  navigate(anchor.pathname + anchor.search)
}
