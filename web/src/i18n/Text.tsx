import type { ReactNode } from "react";
import { FormattedMessage } from "react-intl";
import type { MessageId } from "./messages-en.js";

type RichValue = string | number | ReactNode | ((chunks: ReactNode[]) => ReactNode);

/** A message as React nodes, for texts with markup such as `<kbd>` (ids checked by tsc). */
export function Text({ id, values }: { id: MessageId; values?: Record<string, RichValue> }) {
  return <FormattedMessage id={id} values={values} />;
}
