/**
 * A raw HTTP/1.1 client on `net.Socket` for the request-limit tests: it writes exactly what it is told (malformed
 * requests, huge headers, slow or endless bodies) and reads the raw answer until the server closes the connection.
 */
import { connect, type Socket } from "node:net"

/** A parsed raw answer. */
export interface RawAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly json: unknown
}

/** Parses the first response in `raw` (head, and a body of `Content-Length` bytes). */
export const parseAnswer = (raw: Buffer): RawAnswer => {
  const end = raw.indexOf("\r\n\r\n")
  if (end === -1) throw new Error(`no response head in ${JSON.stringify(raw.toString("latin1").slice(0, 200))}`)
  const [statusLine, ...lines] = raw.subarray(0, end).toString("latin1").split("\r\n")
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(":")
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers["content-length"] ?? "0")
  const body = raw.subarray(end + 4, end + 4 + length).toString("utf8")
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    json = undefined
  }
  return { status: Number(statusLine!.split(" ")[1]), headers, body, json }
}

/** An open connection: what it received so far, and promises for the first response head and for the close. */
export interface Connection {
  readonly socket: Socket
  readonly received: () => Buffer
  /** Resolves when a full response head (`\r\n\r\n`) has arrived. */
  readonly head: Promise<void>
  /** Resolves when the server ended the connection (end or close), with everything received. */
  readonly closed: Promise<Buffer>
  /** Writes and waits until the data is handed to the kernel; false when the socket can no longer be written. */
  readonly write: (data: string | Buffer) => Promise<boolean>
}

/** Connects to `127.0.0.1:port`. */
export const open = (port: number): Promise<Connection> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port })
    const chunks: Array<Buffer> = []
    let onHead: () => void = () => {}
    let onClosed: (b: Buffer) => void = () => {}
    const head = new Promise<void>((r) => (onHead = r))
    const closed = new Promise<Buffer>((r) => (onClosed = r))
    const received = () => Buffer.concat(chunks)
    socket.on("data", (chunk) => {
      chunks.push(chunk)
      if (received().includes("\r\n\r\n")) onHead()
    })
    socket.on("error", () => {}) // writes after the server closed: EPIPE / ECONNRESET
    socket.on("end", () => onClosed(received()))
    socket.on("close", () => {
      onHead()
      onClosed(received())
    })
    const write = (data: string | Buffer) =>
      new Promise<boolean>((done) => {
        if (socket.destroyed || !socket.writable) return done(false)
        socket.write(data, (error) => done(error == null))
      })
    socket.once("connect", () => resolve({ socket, received, head, closed, write }))
    socket.once("error", reject)
  })

/** Sends `request` and returns the raw answer once the server closes the connection. */
export const exchange = async (port: number, request: string | Buffer): Promise<Buffer> => {
  const connection = await open(port)
  await connection.write(request)
  const raw = await connection.closed
  connection.socket.destroy()
  return raw
}
