import { createContext, createElement, type ReactNode, useContext, useSyncExternalStore } from "react";
import type { DraftFile, UploadDrafts } from "./core/index.js";

/** The files of each room's next message (web/src/core/upload-drafts.ts), for the composer and the drop zone. */
const UploadDraftsContext = createContext<UploadDrafts<File> | null>(null);

export function UploadDraftsProvider({
  drafts,
  children,
}: {
  drafts: UploadDrafts<File>;
  children?: ReactNode;
}) {
  return createElement(UploadDraftsContext.Provider, { value: drafts }, children);
}

export function useUploadDrafts(): UploadDrafts<File> {
  const drafts = useContext(UploadDraftsContext);
  if (!drafts) throw new Error("useUploadDrafts needs an <UploadDraftsProvider> above it");
  return drafts;
}

/** The draft files of one room, re-rendering as they upload. */
export function useDraftFiles(roomId: string): readonly DraftFile[] {
  const drafts = useUploadDrafts();
  return useSyncExternalStore(drafts.subscribe, () => drafts.list(roomId));
}
