import sharp, { type Metadata } from "sharp";

/** Longest side of a thumbnail, in CSS pixels at 2x: sharp on phones, small on the wire. */
export const THUMBNAIL_SIZE = 400;

export type ImageOutcome =
  | {
      kind: "image";
      /** As shown: orientation applied; one frame's height for animations. */
      width: number;
      height: number;
      /** Re-encoded in the same format without EXIF, XMP or other metadata. */
      cleanPath: string;
      thumbnailPath: string;
    }
  | { kind: "too_large"; width: number; height: number; frames: number }
  | { kind: "unreadable" };

const FORMATS = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
} as const;

/**
 * Makes an uploaded raster image safe to show inline: the pixel count is read from the header
 * first, and an image claiming more than `maxPixels` (all frames together) is never decoded
 * (sharp's limitInputPixels guards the decode too). The image is re-encoded with orientation
 * applied and every metadata block (EXIF with its GPS position, XMP, comments) dropped, which is
 * sharp's default; and a WebP thumbnail is made from it.
 */
export async function processImage(
  sourcePath: string,
  type: keyof typeof FORMATS,
  output: { cleanPath: string; thumbnailPath: string },
  maxPixels: number,
): Promise<ImageOutcome> {
  let metadata: Metadata;
  try {
    metadata = await sharp(sourcePath, { limitInputPixels: false }).metadata();
  } catch {
    return { kind: "unreadable" };
  }
  const { width, height } = metadata;
  if (!width || !height) return { kind: "unreadable" };
  const frames = metadata.pages ?? 1;
  const frameHeight = metadata.pageHeight ?? height;
  if (width * frameHeight * frames > maxPixels) {
    return { kind: "too_large", width, height: frameHeight, frames };
  }
  const animated = frames > 1;
  try {
    const image = sharp(sourcePath, { limitInputPixels: maxPixels, animated });
    // Animations carry no orientation; rotating one would fail on its frame stack.
    const oriented = animated ? image : image.autoOrient();
    const format = FORMATS[type];
    const written = await (format === "jpeg"
      ? oriented.jpeg({ quality: 90 })
      : oriented.toFormat(format)
    ).toFile(output.cleanPath);
    await sharp(output.cleanPath, { limitInputPixels: maxPixels })
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toFile(output.thumbnailPath);
    return {
      kind: "image",
      width: written.width,
      height: animated ? frameHeight : written.height,
      cleanPath: output.cleanPath,
      thumbnailPath: output.thumbnailPath,
    };
  } catch {
    return { kind: "unreadable" };
  }
}

export function isInlineImageType(type: string): type is keyof typeof FORMATS {
  return Object.hasOwn(FORMATS, type);
}
