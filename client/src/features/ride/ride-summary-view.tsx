// One past ride: when, how long, why it ended, and each rider's distance
// (their trails are drawn on the map meanwhile, in the same colours).
import type { RideEndReason } from "@convoy/shared";
import { useEffect, useRef } from "preact/hooks";
import { clockTime } from "../../ui/time.ts";
import { distance, duration } from "./ride-format.ts";
import type { RideSummary } from "./rides.ts";
import { trailColour } from "./trail-colour.ts";

const REASONS: Record<RideEndReason, string> = {
  ended: "ended by a rider",
  "planned-end": "ended at its planned time",
  idle: "ended after nobody moved for a while",
};

export function RideSummaryView({ summary, onClose }: { summary: RideSummary; onClose: () => void }) {
  const { ride, trails } = summary;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [ride.id]);
  const endedAt = ride.endedAt ?? ride.startedAt;
  const titleId = `summary-${ride.id}`;
  return (
    <section class="ride-summary" aria-labelledby={titleId} data-ride-id={ride.id}>
      <h4 id={titleId} ref={heading} tabIndex={-1}>
        Summary: {ride.name}
      </h4>
      <p>
        {new Date(ride.startedAt).toLocaleDateString()}, {clockTime(ride.startedAt)} to {clockTime(endedAt)}:{" "}
        {duration(endedAt - ride.startedAt)}, {ride.endReason ? REASONS[ride.endReason] : "under way"}. Trails
        are on the map.
      </p>
      <table>
        <caption class="visually-hidden">Distance per rider</caption>
        <thead>
          <tr>
            <th scope="col">Rider</th>
            <th scope="col">Distance</th>
          </tr>
        </thead>
        <tbody>
          {ride.riders.map((rider, i) => (
            <tr key={rider.userId} data-rider={rider.username}>
              <th scope="row">
                {/* A style object goes through the CSSOM, which the Content Security Policy allows. */}
                <span class="swatch" style={{ background: trailColour(i) }} aria-hidden="true" />
                {rider.username}
              </th>
              <td>{distance(trails.find((t) => t.userId === rider.userId)?.distanceM ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onClose}>
        Close the summary
      </button>
    </section>
  );
}
