import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { useText } from "../i18n/use-text.js";
import { QUICK_REACTIONS } from "../reactions.js";

interface MessageActionsProps {
  authorName: string;
  canEdit: boolean;
  canDelete: boolean;
  /** Open without hover (long-pressed on a phone): the toolbar and its picker show. */
  open: boolean;
  onReact(emoji: string): void;
  onReply(): void;
  onEdit(): void;
  onDelete(): void;
  onClose(): void;
}

/**
 * The toolbar of one message: react, reply, and edit and delete for whom the core's rules allow. It shows on
 * hover with a mouse, when focus is inside the message (keyboard), and when the message was
 * long-pressed on a phone; the picker is a row of common emoji, Escape closes it.
 */
export function MessageActions({
  authorName,
  canEdit,
  canDelete,
  open,
  onReact,
  onReply,
  onEdit,
  onDelete,
  onClose,
}: MessageActionsProps) {
  const t = useText();
  const [picking, setPicking] = useState(false);
  const pickerRef = useRef<HTMLDivElement>(null);
  const reactButton = useRef<HTMLButtonElement>(null);
  const showPicker = picking || open;

  // The picker opened from the keyboard or a long-press: focus goes to its first emoji.
  useEffect(() => {
    if (picking) pickerRef.current?.querySelector<HTMLButtonElement>("button")?.focus();
  }, [picking]);

  const closePicker = () => {
    setPicking(false);
    onClose();
    reactButton.current?.focus();
  };

  const onPickerKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      closePicker();
      return;
    }
    // Arrow keys move along the row, as in a toolbar.
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const buttons = [...(pickerRef.current?.querySelectorAll<HTMLButtonElement>("button") ?? [])];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[(index + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length];
    next?.focus();
    event.preventDefault();
  };

  return (
    <div
      className={open ? "message-actions open" : "message-actions"}
      data-testid="message-actions"
      role="toolbar"
      aria-label={t("messages.actions", { name: authorName })}
    >
      {showPicker && (
        // biome-ignore lint/a11y/useSemanticElements: a row of emoji buttons; fieldset would add a form legend
        <div
          className="reaction-picker"
          data-testid="reaction-picker"
          role="group"
          aria-label={t("messages.pickReaction")}
          ref={pickerRef}
          onKeyDown={onPickerKey}
        >
          {QUICK_REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              className="reaction-choice"
              aria-label={t("messages.reactWith", { emoji })}
              onClick={() => {
                onReact(emoji);
                setPicking(false);
                onClose();
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
      <button
        ref={reactButton}
        type="button"
        className="message-action"
        data-testid="action-react"
        aria-label={t("messages.react")}
        aria-expanded={showPicker}
        title={t("messages.react")}
        onClick={() => setPicking((current) => !current)}
      >
        <span aria-hidden="true">☺︎+</span>
      </button>
      <button
        type="button"
        className="message-action"
        data-testid="action-reply"
        title={t("messages.reply")}
        onClick={onReply}
      >
        {t("messages.reply")}
      </button>
      {canEdit && (
        <button
          type="button"
          className="message-action"
          data-testid="action-edit"
          title={t("messages.edit")}
          onClick={onEdit}
        >
          {t("messages.edit")}
        </button>
      )}
      {canDelete && (
        <button
          type="button"
          className="message-action danger"
          data-testid="action-delete"
          title={t("messages.delete")}
          onClick={onDelete}
        >
          {t("messages.delete")}
        </button>
      )}
    </div>
  );
}
