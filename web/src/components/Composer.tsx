import { MAX_MESSAGE_LENGTH } from "@parley/protocol";
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from "react";
import { EMPTY_ROOM } from "../core/index.js";
import { useChat, useChatCore } from "../use-chat.js";

/** Show the counter only when the limit is close enough to matter. */
const COUNTER_FROM = MAX_MESSAGE_LENGTH - 400;
const MAX_HEIGHT_PX = 200;

export function Composer({ roomId, roomName }: { roomId: string; roomName: string }) {
  const chat = useChatCore();
  const [text, setText] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const roomError = useChat((state) => (state.roomStates[roomId] ?? EMPTY_ROOM).error);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  // Entering a room is a request to talk in it, as in Slack: the caret starts in the composer.
  useEffect(() => inputRef.current?.focus(), []);

  // Grow with the text up to a cap, then scroll inside.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the height must be re-measured whenever the rendered text changes
  useLayoutEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  const submit = () => {
    const refusal = chat.send(roomId, text);
    setLocalError(refusal);
    if (refusal === null) setText("");
    inputRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms an IME candidate (Japanese, Chinese…) is not a send.
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    submit();
  };

  const error = localError ?? roomError;
  const length = text.trim().length;

  return (
    <div className="composer">
      {error && (
        <p className="composer-error" data-testid="composer-error" role="alert">
          {error}
        </p>
      )}
      <div className="composer-row">
        <textarea
          ref={inputRef}
          className="composer-input"
          data-testid="composer"
          rows={1}
          placeholder={`Message #${roomName}`}
          aria-label={`Message #${roomName}`}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            if (localError) setLocalError(null);
          }}
          onKeyDown={onKeyDown}
        />
        <button
          type="button"
          className="button button-primary composer-send"
          // Keeps the caret in the textarea when the button is clicked.
          onMouseDown={(event) => event.preventDefault()}
          onClick={submit}
        >
          Send
        </button>
      </div>
      <div className="composer-hint">
        <span>
          <kbd>Enter</kbd> to send, <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
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
