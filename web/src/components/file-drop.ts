import { type DragEvent, useState } from "react";
import { useUploadDrafts } from "../use-upload-drafts.js";

function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer.types.includes("Files");
}

/**
 * Drag and drop of files onto a room: spread `handlers` on the room's element; `dragging` says
 * when to show the drop hint. Dragged text or links are left to the browser.
 */
export function useFileDrop(roomId: string) {
  const drafts = useUploadDrafts();
  // Counted, since dragenter/dragleave fire for every child the pointer crosses.
  const [depth, setDepth] = useState(0);
  return {
    dragging: depth > 0,
    handlers: {
      onDragEnter(event: DragEvent) {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        setDepth((current) => current + 1);
      },
      onDragOver(event: DragEvent) {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      },
      onDragLeave(event: DragEvent) {
        if (!carriesFiles(event)) return;
        setDepth((current) => Math.max(0, current - 1));
      },
      onDrop(event: DragEvent) {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        setDepth(0);
        drafts.add(roomId, [...event.dataTransfer.files]);
      },
    },
  };
}
