import { createHash, randomBytes, randomFillSync } from "node:crypto";
import { connect, type Socket } from "node:net";

/**
 * A minimal WebSocket client (RFC 6455) for the load generator: text frames, ping/pong and
 * close, no extensions. It exists because the load CPU, not the server, was the scarcer one:
 * `ws`'s receive path (a Writable stream per socket, a Buffer and an event per frame, then a
 * string per frame) cost the load process more per delivery than the server spent sending it
 * (see docs/decisions/0007-lean-load-client.md). Here a TCP read is scanned in place and each
 * text frame reaches the handler as a latin1 string of its payload: our frames are ASCII.
 */

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const HEADER_END = Buffer.from("\r\n\r\n");
/** Where every connection of the process reads into; each read is parsed before the next. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

enum Opcode {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xa,
}

export interface LeanWebSocketOptions {
  url: string;
  headers: Record<string, string>;
  localAddress: string;
  localPort: number;
  timeoutMs: number;
}

export interface LeanWebSocketHandlers {
  /** A whole text message, decoded as latin1 (ASCII-safe, and the cheapest decode). */
  onText(text: string): void;
  /** The connection is gone, whoever ended it; called once. */
  onClose(): void;
}

export class LeanWebSocket {
  private pending: Buffer | undefined;
  private fragments: Buffer[] | undefined;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly handlers: LeanWebSocketHandlers,
  ) {}

  /** Opens the TCP connection and completes the upgrade; rejects on anything but a 101 with the right accept key. */
  static open(options: LeanWebSocketOptions, handlers: LeanWebSocketHandlers): Promise<LeanWebSocket> {
    const url = new URL(options.url);
    const key = randomBytes(16).toString("base64");
    const expectedAccept = createHash("sha1")
      .update(key + GUID)
      .digest("base64");
    const request = [
      `GET ${url.pathname}${url.search} HTTP/1.1`,
      `Host: ${url.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
      ...Object.entries(options.headers).map(([name, value]) => `${name}: ${value}`),
      "",
      "",
    ].join("\r\n");

    return new Promise((resolve, reject) => {
      let head: Buffer = Buffer.alloc(0);
      let client: LeanWebSocket | undefined;
      const onHandshakeBytes = (chunk: Buffer) => {
        // The shared read buffer is overwritten by the next read: keep a copy.
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf(HEADER_END);
        if (end < 0) return;
        const lines = head.toString("latin1", 0, end).split("\r\n");
        const status = Number(lines[0]?.split(" ")[1]);
        if (status !== 101) return fail(new Error(`upgrade refused: ${status}`));
        const accept = lines.find((line) => line.toLowerCase().startsWith("sec-websocket-accept:"));
        if (accept?.slice(accept.indexOf(":") + 1).trim() !== expectedAccept) {
          return fail(new Error("bad Sec-WebSocket-Accept"));
        }
        clearTimeout(timer);
        socket.removeListener("error", fail);
        socket.removeListener("close", closedEarly);
        const upgraded = new LeanWebSocket(socket, handlers);
        client = upgraded;
        socket.on("error", () => upgraded.gone());
        socket.on("close", () => upgraded.gone());
        resolve(upgraded);
        const rest = head.subarray(end + HEADER_END.length);
        if (rest.length > 0) upgraded.receive(rest);
      };
      const socket = connect({
        host: url.hostname,
        port: Number(url.port || 80),
        localAddress: options.localAddress,
        localPort: options.localPort,
        // Reads land in one buffer shared by every connection and are parsed at once: no stream
        // machinery, 'data' event or Buffer per read.
        onread: {
          buffer: READ_BUFFER,
          callback: (bytes) => {
            const chunk = READ_BUFFER.subarray(0, bytes);
            if (client) client.receive(chunk);
            else onHandshakeBytes(chunk);
            return true;
          },
        },
      });
      socket.setNoDelay(true);
      // Written once connected (net.Socket holds writes until then).
      socket.write(request);
      const timer = setTimeout(
        () => fail(new Error(`no upgrade within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const closedEarly = () => fail(new Error("closed during the upgrade"));
      socket.on("error", fail);
      socket.on("close", closedEarly);
    });
  }

  get open(): boolean {
    return !this.closed;
  }

  sendText(text: string): void {
    this.sendFrame(Opcode.text, Buffer.from(text));
  }

  /** Drops the connection without the close handshake: tearing down thousands must be quick. */
  terminate(): void {
    this.socket.destroy();
    this.gone();
  }

  private gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose();
  }

  /** Client frames are masked (RFC 6455 §5.3); the mask is random per frame, as the RFC asks. */
  private sendFrame(opcode: Opcode, payload: Buffer): void {
    if (this.closed) return;
    const length = payload.length;
    const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
    const frame = Buffer.allocUnsafe(2 + lengthBytes + 4 + length);
    frame[0] = 0x80 | opcode;
    if (length < 126) frame[1] = 0x80 | length;
    else if (length < 65_536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const maskAt = 2 + lengthBytes;
    randomFillSync(frame, maskAt, 4);
    const dataAt = maskAt + 4;
    for (let i = 0; i < length; i++) frame[dataAt + i] = (payload[i] ?? 0) ^ (frame[maskAt + (i & 3)] ?? 0);
    this.socket.write(frame);
  }

  /**
   * Parses every whole frame in what has arrived; copies a partial one for the next read (the
   * chunk lives in the shared read buffer).
   */
  private receive(chunk: Buffer): void {
    let data = chunk;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let at = 0;
    while (!this.closed && data.length - at >= 2) {
      const first = data[at] ?? 0;
      const second = data[at + 1] ?? 0;
      // Servers never mask (RFC 6455 §5.1).
      if (second & 0x80) {
        this.protocolError();
        return;
      }
      let length = second & 0x7f;
      let headerLength = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        headerLength = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        headerLength = 10;
      }
      const end = at + headerLength + length;
      if (end > data.length) break;
      this.frame(first & 0x80, first & 0x0f, data, at + headerLength, end);
      at = end;
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }

  private frame(fin: number, opcode: number, data: Buffer, start: number, end: number): void {
    switch (opcode) {
      case Opcode.text:
        if (fin) this.handlers.onText(data.toString("latin1", start, end));
        else this.fragments = [Buffer.from(data.subarray(start, end))];
        return;
      case Opcode.continuation: {
        if (!this.fragments) {
          this.protocolError();
          return;
        }
        this.fragments.push(Buffer.from(data.subarray(start, end)));
        if (!fin) return;
        const whole = Buffer.concat(this.fragments);
        this.fragments = undefined;
        this.handlers.onText(whole.toString("latin1"));
        return;
      }
      case Opcode.ping:
        this.sendFrame(Opcode.pong, data.subarray(start, end));
        return;
      case Opcode.pong:
      case Opcode.binary:
        return;
      case Opcode.close:
        this.sendFrame(Opcode.close, data.subarray(start, Math.min(end, start + 2)));
        this.socket.end();
        this.gone();
        return;
      default:
        this.protocolError();
    }
  }

  private protocolError(): void {
    this.terminate();
  }
}
