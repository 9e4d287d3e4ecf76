import { MAX_MESSAGE_LENGTH } from "@parley/protocol";
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from "react";
import { EMPTY_ROOM, type Problem } from "../core/index.js";
import { useProblemText, useRoomErrorText } from "../i18n/problem-text.js";
import { Text } from "../i18n/Text.js";
import { useText } from "../i18n/use-text.js";
import { useChat, useChatCore } from "../use-chat.js";
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
  const replyingTo = useChat((state) => (state.roomStates[roomId] ?? EMPTY_ROOM).replyingTo);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [ime] = useState(() => new ImeEnterGuard());

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

  // Reply was chosen on a message: the caret comes here to write the answer.
  useEffect(() => {
    if (replyingTo !== null) inputRef.current?.focus();
  }, [replyingTo]);

  const submit = () => {
    const refusal = chat.send(roomId, text, replyingTo?.seq);
    setLocalError(refusal);
    if (refusal === null) {
      setText("");
      chat.replyTo(roomId, null);
    }
    inputRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Checked on every key, so "the first keydown after compositionend" is exact.
    const fromIme = ime.isImeKeydown(event);
    if (event.key === "Escape" && !fromIme && replyingTo !== null) {
      event.preventDefault();
      chat.replyTo(roomId, null);
      return;
    }
    // As in Slack: Up in an empty composer edits your last message.
    if (event.key === "ArrowUp" && !fromIme && text === "" && chat.editLastOwn(roomId)) {
      event.preventDefault();
      return;
    }
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
      {replyingTo !== null && (
        <div className="composer-reply" data-testid="composer-reply">
          <span className="composer-reply-text">
            {t("composer.replyingTo", { name: replyingTo.authorName })}
          </span>
          <button
            type="button"
            className="link-button"
            data-testid="cancel-reply"
            onClick={() => chat.replyTo(roomId, null)}
          >
            {t("composer.cancelReply")}
          </button>
        </div>
      )}
      <div className="composer-row">
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
