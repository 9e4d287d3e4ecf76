import { MAX_MESSAGE_LENGTH } from "@parley/protocol";
import { type ClipboardEvent, type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from "react";
import { EMPTY_ROOM, type Problem } from "../core/index.js";
import { useProblemText, useRoomErrorText } from "../i18n/problem-text.js";
import { Text } from "../i18n/Text.js";
import { useText } from "../i18n/use-text.js";
import { useChat, useChatCore } from "../use-chat.js";
import { useUploadDrafts } from "../use-upload-drafts.js";
import { DraftFiles } from "./DraftFiles.js";
import { ImeEnterGuard } from "./ime-enter.js";

/** Show the counter only when the limit is close enough to matter. */
const COUNTER_FROM = MAX_MESSAGE_LENGTH - 400;
const MAX_HEIGHT_PX = 200;

export function Composer({ roomId, roomName }: { roomId: string; roomName: string }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const describeRoomError = useRoomErrorText();
  const [text, setText] = useState("");
  const [localError, setLocalError] = useState<Problem | null>(null);
  const roomError = useChat((state) => (state.roomStates[roomId] ?? EMPTY_ROOM).error);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [ime] = useState(() => new ImeEnterGuard());
  // files (issue 16):
  const drafts = useUploadDrafts();
  const fileInputRef = useRef<HTMLInputElement>(null);

  // Entering a room is a request to talk in it, as in Slack: the caret starts in the composer.
  // Not on touch screens, where focusing would throw the on-screen keyboard over the messages.
  useEffect(() => {
    if (!window.matchMedia("(pointer: coarse)").matches) inputRef.current?.focus();
  }, []);

  // Grow with the text up to a cap, then scroll inside.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the height must be re-measured whenever the rendered text changes
  useLayoutEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  const submit = () => {
    const files = drafts.ready(roomId);
    if ("problem" in files) {
      setLocalError(files.problem);
      return;
    }
    const refusal = chat.send(roomId, text, files.attachments);
    setLocalError(refusal);
    if (refusal === null) {
      setText("");
      drafts.clear(roomId);
    }
    inputRef.current?.focus();
  };

  // A pasted image (a screenshot) or file is attached; pasted text is left to the textarea.
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    drafts.add(roomId, files);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Checked on every key, so "the first keydown after compositionend" is exact.
    const fromIme = ime.isImeKeydown(event);
    if (event.key !== "Enter" || event.shiftKey || fromIme) return;
    event.preventDefault();
    submit();
  };

  // Kept as codes and worded here, so a change of language rewords what is on screen.
  const error = localError ? describe(localError) : roomError ? describeRoomError(roomError) : null;
  const length = text.trim().length;
  const label = t("composer.label", { room: roomName });

  return (
    <div className="composer">
      {error && (
        <p className="composer-error" data-testid="composer-error" role="alert">
          {error}
        </p>
      )}
      <DraftFiles roomId={roomId} onRemoved={() => inputRef.current?.focus()} />
      <div className="composer-row">
        <button
          type="button"
          className="icon-button composer-attach"
          data-testid="attach"
          aria-label={t("composer.attach")}
          title={t("composer.attach")}
          onClick={() => fileInputRef.current?.click()}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path
              d="M16.5 6.5 8.6 14.4a2 2 0 0 0 2.8 2.8l7.9-7.9a4 4 0 0 0-5.7-5.7l-7.9 7.9a6 6 0 0 0 8.5 8.5l6.4-6.4"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.8"
              strokeLinecap="round"
            />
          </svg>
        </button>
        <input
          ref={fileInputRef}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(event) => {
            const picked = [...(event.target.files ?? [])];
            event.target.value = "";
            if (picked.length > 0) drafts.add(roomId, picked);
          }}
        />
        <textarea
          ref={inputRef}
          className="composer-input"
          data-testid="composer"
          rows={1}
          placeholder={label}
          aria-label={label}
          enterKeyHint="send"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            if (localError) setLocalError(null);
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onCompositionStart={ime.onCompositionStart}
          onCompositionEnd={ime.onCompositionEnd}
        />
        <button
          type="button"
          className="button button-primary composer-send"
          data-testid="send"
          // Keeps the caret in the textarea when the button is clicked.
          onMouseDown={(event) => event.preventDefault()}
          onClick={submit}
        >
          {t("composer.send")}
        </button>
      </div>
      <div className="composer-hint">
        <span className="composer-keys">
          <Text id="composer.hint" values={{ kbd: (chunks) => <kbd>{chunks}</kbd> }} />
        </span>
        {length >= COUNTER_FROM && (
          <span className={length > MAX_MESSAGE_LENGTH ? "composer-count over" : "composer-count"}>
            {length}/{MAX_MESSAGE_LENGTH}
          </span>
        )}
      </div>
    </div>
  );
}
