// axe-core in the browser suites: no serious or critical violation, at a desktop and a phone width.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { screenshot } from './browser.ts';

export const AXE_WIDTHS = [1280, 390] as const;

/** Runs axe on the page as it is, at each width (screenshots as test-results/<name>-<width>.png); fails listing
 * every serious or critical violation, and logs the lesser ones. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  for (const width of AXE_WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    await screenshot(page, `${name}-${width}`);
    const lesser = results.violations.filter((v) => !serious.includes(v)).map((v) => `${v.impact} ${v.id}`);
    console.log(`[axe] ${name} at ${width} px: ${results.passes.length} rules pass; minor or moderate: ${lesser.join(', ') || 'none'}`);
    expect(
      serious.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
      `${name} at ${width} px`,
    ).toEqual([]);
  }
}
