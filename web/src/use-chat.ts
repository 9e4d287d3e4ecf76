import { useSyncExternalStore } from "react";
import { type ChatState, chatStore } from "./chat-store.js";

/** Reads a slice of the chat state. The selector must return a value held in the state, not a new object. */
export function useChat<T>(selector: (state: ChatState) => T): T {
  return useSyncExternalStore(chatStore.subscribe, () => selector(chatStore.getState()));
}
