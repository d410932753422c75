// npm run gap-check -w bench: what one gap check costs the node that watches a
// ride (it runs every 5 s, on the event loop): 20 riders on 2,000-point trails
// along a 50 km winding road, measured against each other.
import { createGapWatch, Trail } from "@convoy/server/testing";

const RIDERS = 20;
const RUNS = 20;
/** A winding road north through the Alps, `d` metres along. */
const road = (d: number) => ({ lat: 46.5 + d / 111_195, lng: 8 + 0.01 * Math.sin(d / 400) });

const trails = new Map<string, Trail>();
for (let r = 0; r < RIDERS; r++) {
  const trail = new Trail();
  for (let d = 0; d < 50_000 - r * 100; d += 25) trail.add({ ...road(d), ts: d });
  trails.set(`rider${r}`, trail);
}
const watch = createGapWatch();
const started = performance.now();
for (let i = 0; i < RUNS; i++) watch.check(trails, 60_000);
const points = trails.get("rider0")!.points.length;
console.log(
  `${RIDERS} riders, ${points} points per trail: ${((performance.now() - started) / RUNS).toFixed(1)} ms per check`,
);
