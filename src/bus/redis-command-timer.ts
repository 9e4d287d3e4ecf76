import type { Redis } from "ioredis";

/** Told how long one Redis command took, in seconds, whether it succeeded or not. */
export type RedisCommandTimer = (command: string, seconds: number) => void;

/**
 * Times every command a connection sends, from the call to its reply (or failure): the wait in
 * ioredis's offline queue counts, as the caller waits it too. Pipelined and MULTI commands pass
 * here one by one. A command ioredis sends again after a reconnect is timed once, from its
 * first call. (ioredis's own diagnostics channel is process-wide and builds argument strings
 * for every command; this is per connection and reads only the command's name.)
 */
export function timeRedisCommands(connection: Redis, timed: RedisCommandTimer): void {
  const seen = new WeakSet<object>();
  const send = connection.sendCommand.bind(connection);
  connection.sendCommand = (command, stream) => {
    if (!seen.has(command)) {
      seen.add(command);
      const started = performance.now();
      const done = () => timed(command.name, (performance.now() - started) / 1000);
      command.promise.then(done, done);
    }
    return send(command, stream);
  };
}
