/**
 * Pieces shared by the pages: the search box (the filter language, its error tied to the input), status lines,
 * links that navigate in place, and the "more" button of paged lists.
 */
import type { ComponentChildren } from "preact"
import { useEffect, useRef, useState } from "preact/hooks"
import type { ApiError, Page } from "./api.js"
import { get } from "./api.js"
import { type Loaded, useLoad } from "./load.js"
import { onLinkClick } from "./router.js"

/** An in-page link (navigates without a reload on a plain click). */
export const Link = (props: { readonly href: string; readonly children: ComponentChildren; readonly class?: string }) => (
  <a href={props.href} onClick={onLinkClick} class={props.class}>{props.children}</a>
)

/**
 * The search box: a form with a labelled input holding a filter expression. Submitting calls `onSearch`; `error`
 * (the API's message for `filter`) is shown under the input, tied to it with `aria-describedby` and
 * `aria-invalid`, and announced.
 */
export const SearchBox = (props: {
  readonly label: string
  readonly value: string
  readonly error: string | undefined
  readonly onSearch: (filter: string) => void
}) => {
  const [text, setText] = useState(props.value)
  useEffect(() => setText(props.value), [props.value])
  const describedBy = props.error === undefined ? "filter-help" : "filter-help filter-error"
  return (
    <form
      role="search"
      class="search"
      onSubmit={(event) => {
        event.preventDefault()
        props.onSearch(text.trim())
      }}
    >
      <label for="filter">{props.label}</label>
      <div class="search-row">
        <input
          id="filter"
          name="filter"
          type="search"
          value={text}
          spellcheck={false}
          autocomplete="off"
          aria-describedby={describedBy}
          aria-invalid={props.error === undefined ? undefined : "true"}
          onInput={(event) => setText(event.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </div>
      <p id="filter-help" class="help">
        Filter language, e.g. <code>metadata.accuracy &gt;= 0.9 and tag = "prod"</code>, <code>framework.type = "transformers"</code>
      </p>
      {props.error === undefined ? null : <p id="filter-error" class="error" role="alert">{props.error}</p>}
    </form>
  )
}

/** The message of a failed load for the `filter` parameter, when the API refused it. */
export const filterError = (loaded: Loaded<unknown>): string | undefined =>
  loaded.state === "error" && loaded.error.status === 422 ? loaded.error.params.filter : undefined

/** Loading and failure lines of a load (nothing once loaded, and nothing for a refused filter: the box shows it). */
export const Status = (props: { readonly loaded: Loaded<unknown>; readonly what: string }) => {
  if (props.loaded.state === "loading") return <p class="status" role="status">Loading {props.what}…</p>
  if (props.loaded.state === "ok" || filterError(props.loaded) !== undefined) return null
  return <ErrorLine error={props.loaded.error} />
}

/**
 * A searched paged list ({@link usePage}): the search box (labelled "Search {what}") over its filter, the loading
 * and failure lines, then — once the first page is in — `children` (the table of `page.rows`) and the "more"
 * button, or "No {what} match.".
 */
export const Searched = (props: {
  readonly what: string
  readonly filter: string
  readonly page: ReturnType<typeof usePage>
  readonly onSearch: (filter: string) => void
  readonly children: ComponentChildren
}) => {
  const { loaded, rows, more } = props.page
  return (
    <>
      <SearchBox label={`Search ${props.what}`} value={props.filter} error={filterError(loaded)} onSearch={props.onSearch} />
      <Status loaded={loaded} what={props.what} />
      {loaded.state !== "ok" ? null : rows.length > 0 ? props.children : <p role="status">No {props.what} match.</p>}
      {more}
    </>
  )
}

/** An API error as a line for people. */
export const ErrorLine = (props: { readonly error: ApiError }) => (
  <p class="error" role="alert">
    {props.error.status === 401 ? "The proxy needs a token to show this." : props.error.message}
  </p>
)

/**
 * A paged list of `path` with `query`: the first page (loaded again when `inputs` change), its rows with those of
 * each "Load more", and the button ({@link useMore}).
 */
export const usePage = <A,>(path: string, query: Record<string, string | undefined>, inputs: ReadonlyArray<unknown>) => {
  const loaded = useLoad((signal) => get<Page<A>>(path, query, signal), inputs)
  return { loaded, ...useMore(loaded, path, query) }
}

/**
 * A paged list's rows: the first page from `first`, then each "Load more" click fetches `path` with the previous
 * page's `next_page_token` and appends.
 */
export const useMore = <A,>(loaded: Loaded<Page<A>>, path: string, query: Record<string, string | undefined>) => {
  const [extra, setExtra] = useState<{ readonly rows: ReadonlyArray<A>; readonly next: string | undefined }>({ rows: [], next: undefined })
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<ApiError | undefined>(undefined)
  const moreButton = useRef<HTMLButtonElement>(null)
  useEffect(() => setExtra({ rows: [], next: undefined }), [loaded])
  if (loaded.state !== "ok") return { rows: [] as ReadonlyArray<A>, more: null }
  const rows = [...loaded.data.data, ...extra.rows]
  const next = extra.rows.length > 0 ? extra.next : loaded.data.pagination.next_page_token
  const more = () => {
    setBusy(true)
    get<Page<A>>(path, { ...query, page_token: next }).then(
      (page) => {
        setExtra({ rows: [...extra.rows, ...page.data], next: page.pagination.next_page_token })
        setFailure(undefined)
      },
      (error: ApiError) => setFailure(error)
    ).finally(() => {
      setBusy(false)
      moreButton.current?.focus()
    })
  }
  return {
    rows,
    more: (
      <div class="more">
        <p role="status">Showing {rows.length} of {loaded.data.pagination.total}</p>
        {next === undefined ? null : <button type="button" ref={moreButton} onClick={more} disabled={busy}>Load more</button>}
        {failure === undefined ? null : <ErrorLine error={failure} />}
      </div>
    )
  }
}
