// Where things are, and whether the browser tests should run at all.
//
// The suite runs when WAYPOINT_E2E or CI is set. Without either it is skipped, so that a plain
// `node --test e2e/tests/` on a laptop without Chromium says "skipped" rather than failing. Once it
// runs, a missing Chromium or a missing server binary is a failure, never a silent skip.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const e2eDir = path.join(repoRoot, 'e2e');
export const screenshotDir = path.join(e2eDir, 'screenshots');

export const chromiumPath = process.env.WAYPOINT_CHROMIUM || '/usr/bin/chromium';
export const waypointBin = process.env.WAYPOINT_BIN
  ? path.resolve(repoRoot, process.env.WAYPOINT_BIN)
  : path.join(repoRoot, 'target', 'debug', 'waypoint');

/** The roles the demo writes sign-ins for, in the order pages are checked. */
export const ROLES = [
  'educator',
  'coach',
  'principal',
  'district_coordinator',
  'regional_coordinator',
  'administrator',
];

function flag(name) {
  const value = process.env[name];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * `skip` for node:test: false when the suite should run, otherwise the reason it is skipped.
 */
export function e2eSkip() {
  if (flag('WAYPOINT_E2E') || flag('CI')) return false;
  return 'browser tests are off: set WAYPOINT_E2E=1 to run them';
}

/** Throws with a useful message when the suite is meant to run but cannot. */
export function assertPrerequisites() {
  const missing = [];
  if (!existsSync(chromiumPath)) {
    missing.push(`Chromium not found at ${chromiumPath} (apt-get install chromium, or set WAYPOINT_CHROMIUM)`);
  }
  if (!existsSync(waypointBin)) {
    missing.push(`server binary not found at ${waypointBin} (cargo build -p waypoint, or set WAYPOINT_BIN)`);
  }
  if (missing.length > 0) {
    throw new Error(`browser tests cannot run:\n  - ${missing.join('\n  - ')}`);
  }
}
