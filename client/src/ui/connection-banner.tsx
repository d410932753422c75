// Connection status: quiet while online, never in the way of typing (messages
// wait in the outbox), and tells offline, reconnecting and failed apart. What
// waits in the outboxes is counted here at all times while there is any. While
// what is shown was kept from an earlier visit, it says so, and how old it is.
import { ago, clockTime } from "./time.ts";
import { useApp } from "./use-app.ts";

const TEXT = {
  connecting: "Connecting…",
  reconnecting: "Connection lost. Reconnecting… Messages you send now go out when it is back.",
  offline: "You are offline. Messages you send now go out when you are back online.",
  failed: "Cannot reach Convoy.",
} as const;

/** "3 waiting to send · 1 not sent", or null when nothing waits. */
export function outboxText({ waiting, failed }: { waiting: number; failed: number }): string | null {
  const parts = [
    waiting > 0 ? `${waiting} waiting to send` : null,
    failed > 0 ? `${failed} not sent (retry or discard ${failed === 1 ? "it" : "them"})` : null,
  ].filter((part) => part !== null);
  return parts.length ? parts.join(" · ") : null;
}

export function ConnectionBanner() {
  const { connection, user, ticker } = useApp();
  const status = connection.status.value;
  const keptAt = user.value?.lastKnown.shownFrom.value ?? null;
  const count = user.value?.outboxCount.value ?? { waiting: 0, failed: 0 };
  const outbox = outboxText(count);
  return (
    <div
      class={`connection connection-${status}${status !== "online" || outbox ? " connection-says" : ""}`}
      role="status"
      aria-live="polite"
      data-status={status}
      data-waiting={count.waiting}
      data-failed={count.failed}
    >
      {status === "online" ? (
        outbox ? (
          <span class="outbox-count">{outbox}</span>
        ) : (
          <span class="visually-hidden">Connected</span>
        )
      ) : (
        <>
          <span>
            {keptAt === null
              ? TEXT[status]
              : `Offline: showing what Convoy knew at ${clockTime(keptAt)} (${ago(keptAt, ticker.now.value)}).`}
          </span>
          {outbox && <span class="outbox-count">{outbox}</span>}
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
