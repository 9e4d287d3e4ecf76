import { readFileSync } from "node:fs";

/**
 * Local ports the load process binds its connections to, chosen here rather than by the kernel.
 * Binding to a source address with port 0 makes Linux search its ephemeral range for a free port,
 * and that search grows with every socket on the machine: at ~70,000 connections bind() took
 * 3.5 ms and the connect rate fell to a third. An explicit port is one hash lookup. Each load
 * process has its own source address, so every process may use the whole range.
 */
export class LocalPorts {
  private next: number;

  constructor(
    private readonly first: number,
    private readonly last: number,
  ) {
    this.next = first;
  }

  /** Below the kernel's ephemeral range, so no kernel-chosen port (servers, databases) collides. */
  static belowEphemeralRange(): LocalPorts {
    const [ephemeralStart] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    const last = (ephemeralStart ?? 32_768) - 1;
    return new LocalPorts(Math.min(10_000, last - 20_000), last);
  }

  /** The next port, wrapping around; one a listener or a lingering socket holds is skipped by the caller's retry. */
  take(): number {
    const port = this.next;
    this.next = port >= this.last ? this.first : port + 1;
    return port;
  }

  get size(): number {
    return this.last - this.first + 1;
  }
}

/** Errors after which the same connection is worth trying again from another local port. */
export function isLocalPortTaken(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "EADDRINUSE" || code === "EADDRNOTAVAIL";
}
