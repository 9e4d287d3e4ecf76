import { Writable } from "node:stream";

export interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

/** A pino destination that keeps every line, parsed, for assertions on what the server logged. */
export class LogLines extends Writable {
  readonly lines: LogLine[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim()) this.lines.push(JSON.parse(line) as LogLine);
    }
    done();
  }

  matching(pattern: RegExp): LogLine[] {
    return this.lines.filter((line) => pattern.test(line.msg ?? ""));
  }

  /** Lines at pino's error level or above. */
  errors(): LogLine[] {
    return this.lines.filter((line) => line.level >= 50);
  }
}
