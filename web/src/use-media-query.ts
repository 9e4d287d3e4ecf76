import { useSyncExternalStore } from "react";

/** Whether a media query matches now, re-rendering when that changes. */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener("change", onChange);
      return () => list.removeEventListener("change", onChange);
    },
    () => window.matchMedia(query).matches,
  );
}

/** Below this width the room list is a drawer (styles.css uses the same numbers). */
export const PHONE_QUERY = "(max-width: 720px)";
/** Below this width the member list is a sheet instead of a column. */
export const NO_MEMBER_COLUMN_QUERY = "(max-width: 1099px)";
