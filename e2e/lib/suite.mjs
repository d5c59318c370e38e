// Shared set-up for a test file: one server and one browser for the file, a fresh context per test.
//
// A set-up failure (no Chromium, no binary, a server that does not start) is rethrown by every
// test, so each test is reported as failed with the reason, rather than cancelled.

import { after, before } from 'node:test';
import { launchBrowser, newContext } from './browser.mjs';
import { assertPrerequisites } from './env.mjs';
import { startServer } from './server.mjs';

/** Call inside a `describe`; returns `{ server(), browser(), withPage(body, contextOptions) }`. */
export function useServerAndBrowser() {
  let server = null;
  let browser = null;
  let setupError = null;

  before(async () => {
    try {
      assertPrerequisites();
      server = await startServer();
      browser = await launchBrowser();
    } catch (error) {
      setupError = error;
    }
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  function ready() {
    if (setupError) throw setupError;
    if (!server || !browser) throw new Error('set-up did not run');
  }

  return {
    server() {
      ready();
      return server;
    },
    browser() {
      ready();
      return browser;
    },
    /** Runs `body(page, context)` in a fresh browser context, closed whatever happens. */
    async withPage(body, options = {}) {
      ready();
      const context = await newContext(browser, server.baseURL, options);
      try {
        return await body(await context.newPage(), context);
      } finally {
        await context.close();
      }
    },
  };
}
