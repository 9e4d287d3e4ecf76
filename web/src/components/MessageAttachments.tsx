import type { Attachment } from "@parley/protocol";
import { memo, useState } from "react";
import { useFileSize } from "../file-size.js";
import { useText } from "../i18n/use-text.js";
import { Modal } from "./Modal.js";

/** Largest thumbnail on screen, in CSS pixels; the size is set before it loads so nothing jumps. */
const THUMBNAIL_BOX = 240;

function thumbnailSize({ width, height }: Attachment): { width: number; height: number } | undefined {
  if (!width || !height) return undefined;
  const scale = Math.min(1, THUMBNAIL_BOX / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * A message's files: images as thumbnails (full size in a dialog on click; Escape closes it),
 * every other file as a download card with its name, size and type.
 */
export const MessageAttachments = memo(function MessageAttachments({
  attachments,
}: {
  attachments: readonly Attachment[];
}) {
  const t = useText();
  const fileSize = useFileSize();
  const [viewing, setViewing] = useState<Attachment | null>(null);
  const images = attachments.filter((attachment) => attachment.thumbnailUrl);
  const others = attachments.filter((attachment) => !attachment.thumbnailUrl);
  return (
    <div className="attachments" data-testid="attachments">
      {images.length > 0 && (
        <div className="attachment-images">
          {images.map((image) => (
            <button
              key={image.id}
              type="button"
              className="attachment-image"
              data-testid="attachment-image"
              aria-label={t("attachments.open", { name: image.name })}
              onClick={() => setViewing(image)}
            >
              <img src={image.thumbnailUrl} alt={image.name} {...thumbnailSize(image)} />
            </button>
          ))}
        </div>
      )}
      {others.map((file) => (
        <a
          key={file.id}
          className="attachment-card"
          data-testid="attachment-card"
          href={file.url}
          download={file.name}
        >
          <svg className="attachment-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M6 2h8l6 6v14H6z" fill="none" stroke="currentColor" strokeWidth="1.6" />
            <path d="M14 2v6h6" fill="none" stroke="currentColor" strokeWidth="1.6" />
          </svg>
          <span className="attachment-text">
            <span className="attachment-name" data-testid="attachment-name">
              {file.name}
            </span>
            <span className="attachment-meta" data-testid="attachment-meta">
              {fileSize(file.size)} · {file.type}
            </span>
          </span>
        </a>
      ))}
      <Modal
        open={viewing !== null}
        onClose={() => setViewing(null)}
        label={viewing?.name ?? ""}
        className="image-viewer"
        testId="image-viewer"
      >
        {viewing && (
          <figure className="image-viewer-figure">
            <img src={viewing.url} alt={viewing.name} width={viewing.width} height={viewing.height} />
            <figcaption className="image-viewer-caption">
              <span className="image-viewer-name">{viewing.name}</span>
              <a className="button" href={viewing.url} download={viewing.name}>
                {t("attachments.download")}
              </a>
              <button
                type="button"
                className="button"
                data-testid="image-viewer-close"
                onClick={() => setViewing(null)}
              >
                {t("attachments.close")}
              </button>
            </figcaption>
          </figure>
        )}
      </Modal>
    </div>
  );
});
