// axe-core on a Playwright page: WCAG 2.1 A and AA.
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";

/** Every WCAG 2.1 A/AA violation axe finds on the page as it is now, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return results.violations.flatMap((v) =>
    v.nodes.map((node) => `${v.id} (${v.impact}): ${node.target.join(" ")} — ${node.failureSummary ?? ""}`),
  );
}
