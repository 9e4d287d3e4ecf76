import { createECDH, createPublicKey, type ECDH, randomBytes, verify } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { decrypt } from "http_ece";

/** A device as the push service knows it: the keys its browser would have made. */
export interface FakeDevice {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  ecdh: ECDH;
}

export interface ReceivedPush {
  device: string;
  /** The decrypted payload (JSON text as the server sent it). */
  payload: string;
  /** The JWT's claims, after its ES256 signature was checked against the server's VAPID key. */
  claims: { aud: string; exp: number; sub: string };
  ttl: string | null;
}

/**
 * A Web Push service stand-in on loopback. For every message it checks the VAPID header (an ES256
 * JWT signed by the key the server publishes, for this origin, not expired) and decrypts the
 * payload (aes128gcm) with the device's private key, as a browser would. Devices can be made gone,
 * after which it answers 410 as real push services do.
 */
export class PushServiceStandIn {
  readonly received: ReceivedPush[] = [];
  readonly rejected: string[] = [];
  private readonly devices = new Map<string, FakeDevice>();
  private readonly gone = new Set<string>();
  private server: Server | undefined;
  private origin = "";

  constructor(private readonly vapidPublicKey: string) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const id = request.url?.split("/").at(-1) ?? "";
        const device = this.devices.get(id);
        if (!device || this.gone.has(id)) {
          response.writeHead(this.gone.has(id) ? 410 : 404).end();
          return;
        }
        try {
          const claims = this.checkVapid(request.headers.authorization ?? "");
          if (request.headers["content-encoding"] !== "aes128gcm") throw new Error("not aes128gcm");
          const payload = decrypt(Buffer.concat(chunks), {
            version: "aes128gcm",
            privateKey: device.ecdh,
            authSecret: device.keys.auth,
          }).toString("utf8");
          this.received.push({ device: id, payload, claims, ttl: request.headers.ttl?.toString() ?? null });
          response.writeHead(201).end();
        } catch (error) {
          this.rejected.push(error instanceof Error ? error.message : String(error));
          response.writeHead(403).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** A new device with its own keys, as `PushManager.subscribe` would give it. */
  device(name: string): FakeDevice {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const device = {
      endpoint: `${this.origin}/push/${name}`,
      keys: {
        p256dh: ecdh.getPublicKey().toString("base64url"),
        auth: randomBytes(16).toString("base64url"),
      },
      ecdh,
    };
    this.devices.set(name, device);
    return device;
  }

  /** From now on the push service answers 410 Gone for this device. */
  unsubscribeAtService(name: string): void {
    this.gone.add(name);
  }

  private checkVapid(authorization: string): ReceivedPush["claims"] {
    const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization);
    if (!match) throw new Error(`no VAPID authorization: ${authorization.slice(0, 20)}`);
    const [, token = "", key = ""] = match;
    if (key !== this.vapidPublicKey) throw new Error("VAPID key is not the server's");
    const [header = "", body = "", signature = ""] = token.split(".");
    const { alg, typ } = JSON.parse(Buffer.from(header, "base64url").toString()) as {
      alg: string;
      typ: string;
    };
    if (alg !== "ES256" || typ !== "JWT") throw new Error(`JWT is ${typ}/${alg}`);
    const point = Buffer.from(key, "base64url");
    const publicKey = createPublicKey({
      key: {
        kty: "EC",
        crv: "P-256",
        x: point.subarray(1, 33).toString("base64url"),
        y: point.subarray(33, 65).toString("base64url"),
      },
      format: "jwk",
    });
    const signed = verify(
      "sha256",
      Buffer.from(`${header}.${body}`),
      { key: publicKey, dsaEncoding: "ieee-p1363" },
      Buffer.from(signature, "base64url"),
    );
    if (!signed) throw new Error("VAPID signature does not verify");
    const claims = JSON.parse(Buffer.from(body, "base64url").toString()) as ReceivedPush["claims"];
    if (claims.aud !== this.origin) throw new Error(`JWT audience ${claims.aud} is not ${this.origin}`);
    if (claims.exp * 1000 < Date.now()) throw new Error("JWT expired");
    return claims;
  }
}
