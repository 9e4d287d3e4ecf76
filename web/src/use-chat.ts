import { createContext, createElement, type ReactNode, useContext, useSyncExternalStore } from "react";
import type { ChatCore, ChatState } from "./core/index.js";

/**
 * The React side of the client: components get the core from this context (the provider is
 * created in main.tsx) and never import a store. Everything else lives in web/src/core.
 */
const ChatCoreContext = createContext<ChatCore | null>(null);

export function ChatProvider({ core, children }: { core: ChatCore; children?: ReactNode }) {
  return createElement(ChatCoreContext.Provider, { value: core }, children);
}

export function useChatCore(): ChatCore {
  const core = useContext(ChatCoreContext);
  if (!core) throw new Error("useChatCore needs a <ChatProvider> above it");
  return core;
}

/** Reads a slice of the chat state. The selector must return a value held in the state, not a new object. */
export function useChat<T>(selector: (state: ChatState) => T): T {
  const core = useChatCore();
  return useSyncExternalStore(core.subscribe, () => selector(core.getState()));
}
