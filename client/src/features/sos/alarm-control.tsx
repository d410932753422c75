// Shown only while the browser holds the alarm's sound back for want of a
// tap: the tap itself is what lets it sound.
import { useUser } from "../../ui/use-app.ts";

export function AlarmControl() {
  const { sos } = useUser();
  if (!sos.alarmBlocked.value) return null;
  return (
    <button type="button" class="alarm-control" onClick={() => sos.soundAlarm()}>
      Tap to sound the alarm
    </button>
  );
}
