/** Numbers as people read them: thousands separated, small values to three significant digits. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString("en");
  if (magnitude === 0) return "0";
  return Number(value.toPrecision(3)).toString();
}

/** Parley's value over the baseline's: >1 means Parley's number is bigger (better or worse per metric). */
export function formatRatio(parley: number | null | undefined, baseline: number | null | undefined): string {
  if (
    parley === null ||
    parley === undefined ||
    baseline === null ||
    baseline === undefined ||
    baseline === 0
  )
    return "–";
  return `${(parley / baseline).toFixed(2)}×`;
}

export function padTable(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("   "),
  );
}
