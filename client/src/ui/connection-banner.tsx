// Connection status: quiet while online, never in the way of typing (messages
// wait in the outbox), and tells offline, reconnecting and failed apart. While
// what is shown was kept from an earlier visit, it says so, and how old it is.
import { ago, clockTime } from "./time.ts";
import { useApp } from "./use-app.ts";

const TEXT = {
  connecting: "Connecting…",
  reconnecting: "Connection lost. Reconnecting… Messages you send now go out when it is back.",
  offline: "You are offline. Messages you send now go out when you are back online.",
  failed: "Cannot reach Convoy.",
} as const;

export function ConnectionBanner() {
  const { connection, user, ticker } = useApp();
  const status = connection.status.value;
  const keptAt = user.value?.lastKnown.shownFrom.value ?? null;
  return (
    <div class={`connection connection-${status}`} role="status" aria-live="polite" data-status={status}>
      {status === "online" ? (
        <span class="visually-hidden">Connected</span>
      ) : (
        <>
          <span>
            {keptAt === null
              ? TEXT[status]
              : `Offline: showing what Convoy knew at ${clockTime(keptAt)} (${ago(keptAt, ticker.now.value)}).`}
          </span>
          {status === "failed" && (
            <button type="button" onClick={() => connection.connectAll()}>
              Try again
            </button>
          )}
        </>
      )}
    </div>
  );
}
