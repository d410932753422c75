// Counts of what one fuzz target's cases got: for the report, and to check
// that the cases reached both the happy path and the refusals.
export function createTally() {
  const counts = new Map<string, number>();
  return {
    count(outcome: string): void {
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    },
    get: (outcome: string): number => counts.get(outcome) ?? 0,
    /** Cases whose outcome passes `match`. */
    sum(match: (outcome: string) => boolean): number {
      let sum = 0;
      for (const [outcome, count] of counts) if (match(outcome)) sum += count;
      return sum;
    },
    summary: (): string =>
      [...counts]
        .sort(([, a], [, b]) => b - a)
        .map(([outcome, count]) => `${outcome}: ${count}`)
        .join(", "),
  };
}
export type Tally = ReturnType<typeof createTally>;
