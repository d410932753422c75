// Latency histograms (µs, up to 60 s, 3 significant digits), the same in
// every load process and in the merge, so that they can be added.
import { build, type Histogram } from "hdr-histogram-js";

export const latencyHistogram = (): Histogram =>
  build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
