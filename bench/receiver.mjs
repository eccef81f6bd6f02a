// A webhook receiver for `pnpm bench` (the webhooks row): reads each POST and answers 204, on 127.0.0.1.
import { createServer } from "node:http"
import { listen } from "./lib.mjs"

listen(createServer((req, res) => {
  req.resume()
  req.on("end", () => res.writeHead(204).end())
}))
