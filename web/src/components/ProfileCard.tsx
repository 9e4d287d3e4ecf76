import type { Profile } from "@parley/protocol";
import { useEffect, useId, useState } from "react";
import { problemOf } from "../api.js";
import type { Problem } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Avatar } from "./Avatar.js";
import { Modal } from "./Modal.js";

/** The time now in a person's zone, in the reader's language; null when the zone is unknown here. */
function localTime(timeZone: string, locale: string | undefined): string | null {
  try {
    return new Intl.DateTimeFormat(locale, { timeZone, hour: "numeric", minute: "2-digit" }).format(
      new Date(),
    );
  } catch {
    return null;
  }
}

/** A person's card: name, picture, status, role, providers, local time; administrators manage them here. */
export function ProfileCard({ personId, onClose }: { personId: string | null; onClose(): void }) {
  const t = useText();
  const titleId = useId();
  return (
    <Modal
      open={personId !== null}
      onClose={onClose}
      labelledBy={titleId}
      className="dialog"
      testId="profile-card"
    >
      <div className="dialog-body">
        <h2 className="dialog-title" id={titleId}>
          {t("profile.title")}
        </h2>
        {personId !== null && <ProfileBody key={personId} personId={personId} onClose={onClose} />}
      </div>
    </Modal>
  );
}

function ProfileBody({ personId, onClose }: { personId: string; onClose(): void }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const me = useChat((state) => state.me);
  const administrator = useChat((state) => state.role === "administrator");
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDeactivate, setConfirmDeactivate] = useState(false);

  useEffect(() => {
    let current = true;
    chat.profile(personId).then(
      (loaded) => current && setProfile(loaded),
      (err: unknown) => current && setError(problemOf(err)),
    );
    return () => {
      current = false;
    };
  }, [chat, personId]);

  const act = async (work: () => Promise<Profile>) => {
    setBusy(true);
    setError(null);
    try {
      setProfile(await work());
      setConfirmDeactivate(false);
    } catch (err) {
      setError(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  const time = profile?.timeZone
    ? localTime(profile.timeZone, document.documentElement.lang || undefined)
    : null;
  const self = me?.id === personId;

  return (
    <div className="profile" data-testid="profile">
      {!profile && !error && <p className="muted">{t("profile.loading")}</p>}
      {profile && (
        <>
          <div className="profile-head">
            <Avatar member={profile} size={56} />
            <div className="profile-names">
              <p className="profile-name" data-testid="profile-name">
                {profile.name}
              </p>
              <p className="profile-status">
                <span className={`status-dot status-${profile.status}`} aria-hidden="true" />
                <span data-testid="profile-status">{t(`profile.status.${profile.status}`)}</span>
                {" · "}
                <span data-testid="profile-role">{t(`profile.role.${profile.role}`)}</span>
                {profile.deactivated && (
                  <>
                    {" · "}
                    <strong data-testid="profile-deactivated">{t("profile.deactivated")}</strong>
                  </>
                )}
              </p>
            </div>
          </div>
          <dl className="profile-facts">
            <dt>{t("profile.providers")}</dt>
            <dd data-testid="profile-providers">
              {profile.providers.length > 0 ? profile.providers.join(", ") : t("profile.providers.none")}
            </dd>
            <dt>{t("profile.localTime")}</dt>
            <dd data-testid="profile-local-time">
              {time && profile.timeZone
                ? t("profile.localTime.value", { time, zone: profile.timeZone })
                : t("profile.localTime.unknown")}
            </dd>
          </dl>
          {administrator && !self && (
            <div className="danger-zone">
              <button
                type="button"
                className="button"
                data-testid="profile-role-toggle"
                disabled={busy}
                onClick={() =>
                  void act(() =>
                    chat.setRole(profile.id, profile.role === "administrator" ? "member" : "administrator"),
                  )
                }
              >
                {profile.role === "administrator" ? t("profile.removeAdmin") : t("profile.makeAdmin")}
              </button>
              {profile.deactivated ? (
                <button
                  type="button"
                  className="button"
                  data-testid="profile-reactivate"
                  disabled={busy}
                  onClick={() => void act(() => chat.setDeactivated(profile.id, false))}
                >
                  {t("profile.reactivate")}
                </button>
              ) : confirmDeactivate ? (
                <>
                  <p className="field-hint">{t("profile.deactivateHint")}</p>
                  <button
                    type="button"
                    className="button button-danger"
                    data-testid="profile-deactivate-confirm"
                    disabled={busy}
                    onClick={() => void act(() => chat.setDeactivated(profile.id, true))}
                  >
                    {t("profile.deactivateConfirm", { name: profile.name })}
                  </button>
                </>
              ) : (
                <button
                  type="button"
                  className="button"
                  data-testid="profile-deactivate"
                  onClick={() => setConfirmDeactivate(true)}
                >
                  {t("profile.deactivate")}
                </button>
              )}
            </div>
          )}
        </>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="profile-error">
          {describe(error)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" data-testid="profile-close" onClick={onClose}>
          {t("profile.close")}
        </button>
      </div>
    </div>
  );
}
