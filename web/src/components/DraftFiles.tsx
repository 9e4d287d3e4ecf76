import { useFileSize } from "../file-size.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { useDraftFiles, useUploadDrafts } from "../use-upload-drafts.js";

/**
 * The files of the next message above the composer: each with its upload progress or its problem.
 * `onRemoved`: where focus goes once a file's remove button is gone (the message field).
 */
export function DraftFiles({ roomId, onRemoved }: { roomId: string; onRemoved(): void }) {
  const drafts = useUploadDrafts();
  const files = useDraftFiles(roomId);
  const t = useText();
  const describe = useProblemText();
  const fileSize = useFileSize();
  if (files.length === 0) return null;
  return (
    <ul className="draft-files" aria-label={t("composer.files")} data-testid="draft-files">
      {files.map((file) => (
        <li key={file.key} className="draft-file" data-testid="draft-file" data-state={file.state}>
          <span className="draft-file-name" title={file.name}>
            {file.name}
          </span>
          <span className="draft-file-size">{fileSize(file.size)}</span>
          {file.state === "uploading" && (
            <progress
              className="draft-file-progress"
              data-testid="upload-progress"
              max={1}
              value={file.progress}
              aria-label={t("composer.uploading", { name: file.name })}
            />
          )}
          {file.state === "failed" && file.problem && (
            <span className="draft-file-problem" role="alert">
              {t("composer.uploadFailed", { name: file.name, reason: describe(file.problem) })}
            </span>
          )}
          <button
            type="button"
            className="icon-button draft-file-remove"
            aria-label={t("composer.removeFile", { name: file.name })}
            onClick={() => {
              drafts.remove(roomId, file.key);
              onRemoved();
            }}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
