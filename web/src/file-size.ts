import { useCallback } from "react";
import { useIntl } from "react-intl";

/** "840 B", "12 KB", "3.4 MB" in the reader's language (1 KB = 1,024 bytes, as file managers show). */
export function useFileSize(): (bytes: number) => string {
  const intl = useIntl();
  return useCallback(
    (bytes: number) => {
      const [value, unit] =
        bytes < 1024
          ? [bytes, "byte"]
          : bytes < 1024 * 1024
            ? [bytes / 1024, "kilobyte"]
            : bytes < 1024 * 1024 * 1024
              ? [bytes / (1024 * 1024), "megabyte"]
              : [bytes / (1024 * 1024 * 1024), "gigabyte"];
      return intl.formatNumber(value, {
        style: "unit",
        unit,
        unitDisplay: "short",
        maximumFractionDigits: 1,
      });
    },
    [intl],
  );
}
