// Ride alerts over every tab: "Bob is 2.1 km behind — regroup point on the
// map". The open group's first; a ride in another group names its group, so
// a rider who opened another group's chat still hears that someone fell back.
// One live region, always present, so that each alert is announced as it comes.
import type { RideAlert } from "@convoy/shared";
import { useApp, useUser } from "../../ui/use-app.ts";
import { alertText } from "./ride-format.ts";

export function RideAlerts({ groupId }: { groupId: string }) {
  const { rides, groups } = useUser();
  const me = useApp().session.current.value?.user.id ?? "";
  const nameOf = (id: string) => groups.list.value.find((g) => g.id === id)?.name ?? "another group";
  const byGroup = rides.alerts.value;
  const inOrder = (id: string) => Object.values(byGroup[id] ?? {}).sort((a, b) => a.raisedAt - b.raisedAt);
  const shown: { alert: RideAlert; text: string }[] = [
    ...inOrder(groupId).map((alert) => ({ alert, text: alertText(alert, me) })),
    ...Object.keys(byGroup)
      .filter((id) => id !== groupId)
      .flatMap((id) =>
        inOrder(id).map((alert) => ({ alert, text: `In ${nameOf(id)}: ${alertText(alert, me)}` })),
      ),
  ];
  return (
    <div class="ride-alerts" role="alert" data-testid="ride-alerts">
      {shown.map(({ alert, text }) => (
        <p
          key={`${alert.groupId}:${alert.userId}`}
          class="ride-alert"
          data-rider={alert.username}
          data-kind={alert.kind}
          data-group={alert.groupId}
        >
          {text}
        </p>
      ))}
    </div>
  );
}
