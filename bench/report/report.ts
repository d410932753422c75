// Placeholder replaced below.
export function writeReport(_dir: string, _run: unknown): string[] {
  return [];
}
