// A colour per rider of a ride, by the order they joined it: each at least
// 4.6:1 against the plain grid and light map tiles (WCAG 1.4.11 asks 3:1).
const PALETTE = ["#0b5fad", "#b00020", "#1e7b34", "#7b3fb0", "#a05a00", "#00707a", "#c0186b", "#3d4a42"];

export function trailColour(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}
