import { useText } from "../i18n/use-text.js";
import { useChat } from "../use-chat.js";

const NOBODY: readonly never[] = [];

/** "Aiko is typing…" under the messages; a polite live region, always present so it keeps its height. */
export function TypingLine({ roomId }: { roomId: string }) {
  const t = useText();
  const typing = useChat((state) => state.typing[roomId] ?? NOBODY);
  const [first, second] = typing;
  const text = !first
    ? ""
    : !second
      ? t("typing.one", { name: first.name })
      : typing.length === 2
        ? t("typing.two", { first: first.name, second: second.name })
        : t("typing.many");
  return (
    <div className="typing-line" data-testid="typing" aria-live="polite">
      {text}
    </div>
  );
}
