// How the rider's position is shared for a ride: the device's GPS, or the
// app's simulated ride (the same choice as "Simulate ride" on the map).
import type { ShareMode } from "../map/position-source.ts";

export function ShareModeChoice({
  name,
  value,
  onChange,
}: {
  /** Unique on the page: the radio group's name. */
  name: string;
  value: ShareMode;
  onChange: (mode: ShareMode) => void;
}) {
  return (
    <fieldset class="share-mode">
      <legend>Share my position from</legend>
      <label>
        <input
          type="radio"
          name={name}
          value="gps"
          checked={value === "gps"}
          onChange={() => onChange("gps")}
        />{" "}
        GPS
      </label>
      <label>
        <input
          type="radio"
          name={name}
          value="simulated"
          checked={value === "simulated"}
          onChange={() => onChange("simulated")}
        />{" "}
        Simulate ride
      </label>
    </fieldset>
  );
}
