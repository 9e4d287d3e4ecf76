import { type Attachment, fileUrl, thumbnailUrl } from "@parley/protocol";
import type { StoredUpload } from "./upload-store.js";

/** An upload as the people reading its message see it. */
export function toAttachment(upload: StoredUpload): Attachment {
  return {
    id: upload.id,
    name: upload.name,
    size: upload.size,
    type: upload.type,
    url: fileUrl(upload.id),
    ...(upload.width !== undefined && { width: upload.width }),
    ...(upload.height !== undefined && { height: upload.height }),
    ...(upload.hasThumbnail && { thumbnailUrl: thumbnailUrl(upload.id) }),
  };
}
