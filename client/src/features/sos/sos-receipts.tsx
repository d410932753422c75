// The raiser's view of their SOS, live: for each member of the group how far
// they got (delivered, seen, acknowledged, with the time), how often it was
// sent again while nobody answered, and the way to resolve it.
import type { Sos, SosReceipt } from "@convoy/shared";
import { clockTime } from "../../ui/time.ts";
import { useUser } from "../../ui/use-app.ts";

const STEP_TEXT: Record<SosReceipt["state"], string> = {
  delivered: "delivered",
  seen: "seen",
  acknowledged: "acknowledged: coming",
};

export function SosReceipts({ alert }: { alert: Sos }) {
  const { sos, groups, presence, userId } = useUser();
  const group = groups.list.value.find((g) => g.id === alert.groupId)?.name ?? "your group";
  const receipts = new Map(alert.receipts.map((r) => [r.userId, r]));
  // Every member, also those the alert has not reached yet.
  const members = new Map(
    Object.values(presence.byGroup.value[alert.groupId] ?? {}).map((m) => [m.userId, m.username]),
  );
  for (const r of alert.receipts) members.set(r.userId, r.username);
  members.delete(userId);
  const rows = [...members].sort(([, a], [, b]) => a.localeCompare(b));
  const answered = alert.receipts.some((r) => r.state === "acknowledged");
  const latest = alert.receipts.at(-1);
  const titleId = `sos-receipts-${alert.id}`;

  return (
    <section class="sos-receipts" aria-labelledby={titleId} data-sos={alert.id}>
      <h2 id={titleId}>Your SOS in {group}</h2>
      <p>
        Raised at {clockTime(alert.raisedAt)}.{alert.note && ` “${alert.note}”`}
        {!answered &&
          alert.sentCount > 1 &&
          ` Nobody has answered yet: sent again ${alert.sentCount - 1} ${alert.sentCount === 2 ? "time" : "times"}.`}
      </p>
      <ul>
        {rows.map(([memberId, username]) => {
          const receipt = receipts.get(memberId);
          return (
            <li key={memberId} data-member={username} data-state={receipt?.state ?? "none"}>
              <span class="name">{username}</span>
              <span class="step">
                {receipt ? `${STEP_TEXT[receipt.state]} at ${clockTime(receipt.at)}` : "not reached yet"}
              </span>
            </li>
          );
        })}
      </ul>
      {/* Each step as it comes, told to a screen reader once. */}
      <p class="visually-hidden" role="status">
        {latest ? `${latest.username}: ${STEP_TEXT[latest.state]}` : ""}
      </p>
      <button type="button" onClick={() => void sos.resolve(alert.id)}>
        Resolve: I am safe
      </button>
    </section>
  );
}
