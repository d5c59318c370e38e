// Launching Debian's Chromium through playwright-core (which never downloads a browser of its own).

import { chromium } from 'playwright-core';
import { chromiumPath } from './env.mjs';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The viewport pages are checked and photographed at: a common laptop size. */
export const VIEWPORT = { width: 1280, height: 800 };

export function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, args: ARGS });
}

/** A fresh context (own cookies) against `baseURL`; extra options pass through to newContext. */
export function newContext(browser, baseURL, options = {}) {
  return browser.newContext({ baseURL, viewport: VIEWPORT, locale: 'en-US', ...options });
}
