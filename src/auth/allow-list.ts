import type { AllowList } from "./sign-in-settings.js";

export function isOpen(allowList: AllowList): boolean {
  return allowList.domains.length === 0 && allowList.emails.length === 0;
}

/** Whether a person with this email may sign in. Only a verified email counts. */
export function isAllowed(allowList: AllowList, email: string, emailVerified: boolean): boolean {
  if (isOpen(allowList)) return true;
  if (!emailVerified) return false;
  const normalised = email.trim().toLowerCase();
  const domain = normalised.slice(normalised.lastIndexOf("@") + 1);
  return allowList.emails.includes(normalised) || allowList.domains.includes(domain);
}
