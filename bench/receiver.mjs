// A webhook receiver for `pnpm bench` (the webhooks row): reads each POST and answers 204, on 127.0.0.1.
// `GET /count` answers how many POSTs it has received so far (to see deliveries keep up and when the queue drained).
import { createServer } from "node:http"
import { listen } from "./lib.mjs"

let received = 0
listen(createServer((req, res) => {
  if (req.method === "GET" && req.url === "/count") return res.writeHead(200, { "content-type": "text/plain" }).end(String(received))
  req.resume()
  req.on("end", () => {
    received++
    res.writeHead(204).end()
  })
}))
