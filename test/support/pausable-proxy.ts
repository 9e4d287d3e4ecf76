import { connect, createServer, type Server, type Socket } from "node:net";

interface Pipe {
  client: Socket;
  upstream: Socket | undefined;
  /** Bytes held while paused, per direction. */
  toUpstream: Buffer[];
  toClient: Buffer[];
}

/**
 * A loopback TCP proxy in front of a real database that can be paused: while paused it accepts
 * and keeps every connection open but forwards nothing in either direction, which is what a
 * frozen server (SIGSTOP, a hung VM) looks like from the application. Resuming forwards what
 * was held, in order. A side that closes is passed on at once, as the kernel would.
 */
export class PausableProxy {
  private paused = false;
  private readonly pipes = new Set<Pipe>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(targetUrl: string): Promise<PausableProxy> {
    const url = new URL(targetUrl);
    const target = { host: url.hostname, port: Number(url.port) };
    let proxy: PausableProxy | undefined;
    const server = createServer((client) => proxy?.accept(client));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("proxy has no port");
    proxy = new PausableProxy(server, address.port, target);
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(this.port);
    return proxied.toString();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const pipe of this.pipes) {
      if (!pipe.upstream) this.connectUpstream(pipe);
      this.flush(pipe);
    }
  }

  async close(): Promise<void> {
    for (const pipe of this.pipes) {
      pipe.client.destroy();
      pipe.upstream?.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const pipe: Pipe = { client, upstream: undefined, toUpstream: [], toClient: [] };
    this.pipes.add(pipe);
    client.on("data", (data) => {
      if (this.paused || !pipe.upstream) pipe.toUpstream.push(data);
      else pipe.upstream.write(data);
    });
    client.on("error", () => undefined);
    client.on("close", () => {
      this.pipes.delete(pipe);
      pipe.upstream?.destroy();
    });
    // A frozen server's kernel still completes the TCP handshake; the server says nothing.
    if (!this.paused) this.connectUpstream(pipe);
  }

  private connectUpstream(pipe: Pipe): void {
    const upstream = connect(this.target.port, this.target.host);
    pipe.upstream = upstream;
    upstream.on("data", (data) => {
      if (this.paused) pipe.toClient.push(data);
      else pipe.client.write(data);
    });
    upstream.on("error", () => undefined);
    upstream.on("close", () => pipe.client.destroy());
    this.flush(pipe);
  }

  private flush(pipe: Pipe): void {
    if (this.paused) return;
    for (const data of pipe.toUpstream.splice(0)) pipe.upstream?.write(data);
    for (const data of pipe.toClient.splice(0)) pipe.client.write(data);
  }
}
