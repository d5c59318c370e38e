// Accessibility checks with axe-core, limited to WCAG 2.1 A and AA rules.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);

let axeSource;

async function injectAxe(page) {
  if (await page.evaluate(() => typeof window.axe === 'object')) return;
  try {
    await page.addScriptTag({ path: AXE_PATH });
  } catch {
    // A strict Content-Security-Policy (no inline scripts) refuses the script tag. Evaluating
    // through the DevTools protocol is not subject to the page's CSP, and keeps the policy in
    // force for the page itself, so the check sees what a user's browser sees.
  }
  if (await page.evaluate(() => typeof window.axe === 'object')) return;
  axeSource ??= await readFile(AXE_PATH, 'utf8');
  await page.evaluate(`${axeSource}\n;void 0`);
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    throw new Error('could not load axe-core into the page');
  }
}

/** Runs axe on the current page; returns the violations of serious or critical impact. */
export async function seriousViolations(page) {
  await injectAxe(page);
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    TAGS,
  );
  return results.violations.filter((violation) => BLOCKING.has(violation.impact));
}

/** A readable account of violations: rule, impact, help, and each offending element. */
export function describeViolations(violations) {
  return violations
    .map((violation) => {
      const nodes = violation.nodes
        .map((node) => `    at ${node.target.join(' ')}\n      ${(node.failureSummary ?? '').replaceAll('\n', '\n      ')}`)
        .join('\n');
      return `  ${violation.id} [${violation.impact}] ${violation.help} (${violation.helpUrl})\n${nodes}`;
    })
    .join('\n');
}
