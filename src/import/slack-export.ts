import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import yauzl from "yauzl";

/** Largest single JSON file of an export read into memory (a day of one channel, users.json). */
export const MAX_EXPORT_FILE_BYTES = 256 * 1024 * 1024;

/** The files of a Slack export, by their path inside it ("users.json", "general/2024-01-31.json"). */
export interface SlackExport {
  /** Every file's path, with "/" between folders, relative to the export's top. */
  readonly paths: readonly string[];
  read(path: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** The export cannot be read: not a Slack export, a broken zip, a file too large. */
export class SlackExportError extends Error {}

/** Opens an export as Slack gives it (a .zip) or unpacked into a folder. */
export async function openSlackExport(location: string): Promise<SlackExport> {
  const info = await stat(location).catch(() => undefined);
  if (!info) throw new SlackExportError(`${location} does not exist`);
  const opened = info.isDirectory() ? await openFolder(location) : await openZip(location);
  return withTopFolderRemoved(opened);
}

async function openFolder(root: string): Promise<SlackExport> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join("/"));
  const known = new Set(paths);
  return {
    paths,
    async read(path) {
      if (!known.has(path)) throw new SlackExportError(`the export has no file ${path}`);
      const file = join(root, ...path.split("/"));
      const { size } = await stat(file);
      if (size > MAX_EXPORT_FILE_BYTES) throw tooLarge(path, size);
      return readFile(file);
    },
    async close() {},
  };
}

function tooLarge(path: string, size: number): SlackExportError {
  return new SlackExportError(
    `${path} is ${size} bytes; files of an export are read up to ${MAX_EXPORT_FILE_BYTES} bytes`,
  );
}

/**
 * A zip read in place (yauzl, decision 0045): the central directory is indexed once and each
 * file is inflated when asked for, so an export of years is never held in memory whole. yauzl
 * refuses entries with absolute paths or "..".
 */
async function openZip(file: string): Promise<SlackExport> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: false }, (error, opened) =>
      error
        ? reject(new SlackExportError(`${file} is not a readable zip: ${error.message}`))
        : resolve(opened),
    ),
  );
  const entries = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith("/")) entries.set(entry.fileName.replace(/\\/g, "/"), entry);
      zip.readEntry();
    });
    zip.once("end", resolve);
    zip.once("error", (error: Error) => reject(new SlackExportError(`${file}: ${error.message}`)));
    zip.readEntry();
  });
  return {
    paths: [...entries.keys()],
    async read(path) {
      const entry = entries.get(path);
      if (!entry) throw new SlackExportError(`the export has no file ${path}`);
      if (entry.uncompressedSize > MAX_EXPORT_FILE_BYTES) throw tooLarge(path, entry.uncompressedSize);
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        zip.openReadStream(entry, (error, opened) => (error ? reject(error) : resolve(opened))),
      );
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    async close() {
      zip.close();
    },
  };
}

/** A zip made of the export's folder has everything one level down: read it as if it did not. */
function withTopFolderRemoved(opened: SlackExport): SlackExport {
  const top = opened.paths.find((path) => /(^|\/)(users|channels)\.json$/.test(path));
  if (top === undefined) {
    throw new SlackExportError("this is not a Slack export: it has neither users.json nor channels.json");
  }
  const prefix = top.slice(0, top.lastIndexOf("/") + 1);
  if (prefix === "") return opened;
  return {
    paths: opened.paths.filter((path) => path.startsWith(prefix)).map((path) => path.slice(prefix.length)),
    read: (path) => opened.read(prefix + path),
    close: () => opened.close(),
  };
}
