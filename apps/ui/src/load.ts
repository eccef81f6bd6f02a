/**
 * Loading API data into a page: {@link useLoad} runs a request when its inputs change (the previous one aborted),
 * and hands a 401 to the session, which asks for a token and loads again once there is one.
 */
import { createContext } from "preact"
import { useContext, useEffect, useState } from "preact/hooks"
import { ApiError } from "./api.js"

/** The session of the tab: bumped `generation` reloads every page's data; `unauthorized` asks for a token. */
export interface Session {
  readonly generation: number
  readonly unauthorized: (error: ApiError) => void
}

/** The session (provided by the app). */
export const SessionContext = createContext<Session>({ generation: 0, unauthorized: () => {} })

/** What a load is at: loading, loaded, or failed with the API's error. */
export type Loaded<A> =
  | { readonly state: "loading" }
  | { readonly state: "ok"; readonly data: A }
  | { readonly state: "error"; readonly error: ApiError }

const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError ? error : new ApiError(0, `the proxy did not answer (${error instanceof Error ? error.message : String(error)})`)

/**
 * Runs `load` now and whenever `inputs` (or the session) change; the answer, or its error. A 401 also goes to the
 * session (the token form).
 */
export const useLoad = <A>(load: (signal: AbortSignal) => Promise<A>, inputs: ReadonlyArray<unknown>): Loaded<A> => {
  const session = useContext(SessionContext)
  const [loaded, setLoaded] = useState<Loaded<A>>({ state: "loading" })
  useEffect(() => {
    const controller = new AbortController()
    setLoaded({ state: "loading" })
    load(controller.signal).then(
      (data) => controller.signal.aborted || setLoaded({ state: "ok", data }),
      (error: unknown) => {
        if (controller.signal.aborted) return
        const apiError = asApiError(error)
        if (apiError.status === 401) session.unauthorized(apiError)
        setLoaded({ state: "error", error: apiError })
      }
    )
    return () => controller.abort()
  }, [...inputs, session.generation])
  return loaded
}
