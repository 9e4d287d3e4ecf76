import { useMemo } from "react";
import { useIntl } from "react-intl";
import { useText } from "./i18n/use-text.js";
import { sameLocalDay } from "./message-groups.js";

const DAY_MS = 24 * 60 * 60_000;

export interface TimeFormat {
  /** The time of day, for a message: the day is on the separator above it. */
  time(ms: number): string;
  /** Date and time in full, for the tooltip. */
  full(ms: number): string;
  /** A day separator: Today, Yesterday, or the date (with the year when it is not this year). */
  day(ms: number, now?: number): string;
}

/** Dates and times through Intl, in the app's language (react-intl's locale). */
export function useTimeFormat(): TimeFormat {
  const intl = useIntl();
  const t = useText();
  return useMemo<TimeFormat>(
    () => ({
      time: (ms) => intl.formatTime(ms, { hour: "numeric", minute: "2-digit" }),
      full: (ms) => intl.formatDate(ms, { dateStyle: "full", timeStyle: "medium" }),
      day(ms, now = Date.now()) {
        if (sameLocalDay(ms, now)) return t("messages.today");
        if (sameLocalDay(ms, now - DAY_MS)) return t("messages.yesterday");
        const thisYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
        return intl.formatDate(ms, {
          weekday: "long",
          month: "long",
          day: "numeric",
          ...(thisYear ? {} : { year: "numeric" }),
        });
      },
    }),
    [intl, t],
  );
}
