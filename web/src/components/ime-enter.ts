import type { CompositionEvent, KeyboardEvent } from "react";

/**
 * Tells an Enter that sends from an Enter that confirms an IME candidate (Japanese, Chinese,
 * Korean input). Browsers disagree on how the confirming Enter looks:
 * - Chromium and Firefox: keydown with isComposing true (and keyCode 229);
 * - Safari: compositionend first, then a keydown Enter with isComposing already false.
 * So an Enter is not a send while composing, on keyCode 229, or when it is the first keydown
 * after a compositionend.
 */
export class ImeEnterGuard {
  private composing = false;
  private justEnded = false;

  onCompositionStart = (): void => {
    this.composing = true;
    this.justEnded = false;
  };

  onCompositionEnd = (_event?: CompositionEvent): void => {
    this.composing = false;
    this.justEnded = true;
    // Safari's keydown follows in the same task; any later Enter is the reader's own.
    setTimeout(() => {
      this.justEnded = false;
    }, 0);
  };

  /** Call on every keydown; true when this Enter belongs to the IME, not to the reader. */
  isImeKeydown(event: KeyboardEvent): boolean {
    const afterEnd = this.justEnded;
    this.justEnded = false;
    return this.composing || afterEnd || event.nativeEvent.isComposing || event.keyCode === 229;
  }
}
