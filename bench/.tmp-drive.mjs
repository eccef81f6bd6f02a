// temporary: load a running server for N seconds with the bench's upsert body
import { loadOpts, PATH } from "./http.mjs"
import { load } from "./lib.mjs"
const [url, duration = "8"] = process.argv.slice(2)
const r = await load({ ...loadOpts({ duration: Number(duration), connections: 32, warmup: 0 }), url: url + PATH })
console.log("req/s", Math.round(r.reqPerSec), "ok", r.ok)
