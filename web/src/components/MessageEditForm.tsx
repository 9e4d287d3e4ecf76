import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { useText } from "../i18n/use-text.js";
import { ImeEnterGuard } from "./ime-enter.js";

/** Editing a message in place: Enter saves (not while an IME is composing), Escape cancels. */
export function MessageEditForm({
  body,
  onSave,
  onCancel,
}: {
  body: string;
  onSave(text: string): void;
  onCancel(): void;
}) {
  const t = useText();
  const [text, setText] = useState(body);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [ime] = useState(() => new ImeEnterGuard());

  useEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const fromIme = ime.isImeKeydown(event);
    if (event.key === "Escape" && !fromIme) {
      event.preventDefault();
      onCancel();
      return;
    }
    if (event.key !== "Enter" || event.shiftKey || fromIme) return;
    event.preventDefault();
    onSave(text);
  };

  return (
    <div className="message-edit" data-testid="message-edit">
      <textarea
        ref={inputRef}
        className="composer-input message-edit-input"
        data-testid="edit-input"
        aria-label={t("messages.editLabel")}
        value={text}
        rows={Math.min(8, Math.max(1, text.split("\n").length))}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        onCompositionStart={ime.onCompositionStart}
        onCompositionEnd={ime.onCompositionEnd}
      />
      <div className="message-edit-row">
        <span className="muted message-edit-hint">{t("messages.editHint")}</span>
        <button type="button" className="button" data-testid="edit-cancel" onClick={onCancel}>
          {t("messages.cancel")}
        </button>
        <button
          type="button"
          className="button button-primary"
          data-testid="edit-save"
          onClick={() => onSave(text)}
        >
          {t("messages.save")}
        </button>
      </div>
    </div>
  );
}
