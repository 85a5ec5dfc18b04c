// axe-core scans at the WCAG 2.2 AA rule tags, shared by the specs that prove accessibility.
import AxeBuilder from "@axe-core/playwright";
import { expect, Page } from "@playwright/test";

/** The rule tags of WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** Scans the whole page (the launcher's open shadow root and the widget's iframe included)
 * and fails with axe's own description of every violation. */
export async function expectNoViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`,
  );
  expect(found, `axe violations on ${what}`).toEqual([]);
}
