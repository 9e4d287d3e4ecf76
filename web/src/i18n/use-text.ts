import { useCallback } from "react";
import { useIntl } from "react-intl";
import type { MessageId } from "./messages-en.js";

export type TextValues = Record<string, string | number>;

/** `t("id", values)`: a typed shorthand for plain-string messages (ids checked by tsc). */
export function useText(): (id: MessageId, values?: TextValues) => string {
  const intl = useIntl();
  return useCallback((id, values) => intl.formatMessage({ id }, values), [intl]);
}
