// The open group's ride alerts, over every tab: "Bob is 2.1 km behind —
// regroup point on the map". One live region, always present, so that each
// alert is announced as it comes.
import { useApp, useUser } from "../../ui/use-app.ts";
import { alertText } from "./ride-format.ts";

export function RideAlerts({ groupId }: { groupId: string }) {
  const { rides } = useUser();
  const me = useApp().session.current.value?.user.id ?? "";
  const alerts = Object.values(rides.alerts.value[groupId] ?? {}).sort((a, b) => a.raisedAt - b.raisedAt);
  return (
    <div class="ride-alerts" role="alert" data-testid="ride-alerts">
      {alerts.map((alert) => (
        <p key={alert.userId} class="ride-alert" data-rider={alert.username} data-kind={alert.kind}>
          {alertText(alert, me)}
        </p>
      ))}
    </div>
  );
}
