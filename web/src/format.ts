// undefined locale: times follow the browser's language and regional settings.
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayAndTime = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
});
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });

/** Short label for the message list: just the time today, the date as well before that. */
export function shortTime(ms: number, now: Date = new Date()): string {
  const date = new Date(ms);
  const sameDay = date.toDateString() === now.toDateString();
  return (sameDay ? timeOnly : dayAndTime).format(date);
}

export function fullTime(ms: number): string {
  return full.format(new Date(ms));
}
