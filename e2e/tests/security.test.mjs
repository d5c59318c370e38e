// HTTP-level safety as a browser sees it: security headers on every response, a session cookie
// that scripts cannot read, CSRF protection on state-changing posts, and no hint that admin pages
// exist for people who may not see them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newContext } from '../lib/browser.mjs';
import { e2eSkip } from '../lib/env.mjs';
import { isPath } from '../lib/server.mjs';
import { useServerAndBrowser } from '../lib/suite.mjs';

const TEST_TIMEOUT_MS = 60_000;

/** What is wrong with one response's security headers; empty when nothing is. */
function headerProblems(headers) {
  const problems = [];
  const csp = headers['content-security-policy'];
  if (!csp) {
    problems.push('no content-security-policy');
  } else if (!/(^|;)\s*frame-ancestors\s/i.test(csp)) {
    problems.push(`content-security-policy has no frame-ancestors directive: ${csp}`);
  }
  if ((headers['x-content-type-options'] ?? '').trim().toLowerCase() !== 'nosniff') {
    problems.push(`x-content-type-options is ${JSON.stringify(headers['x-content-type-options'] ?? null)}, not nosniff`);
  }
  if (!headers['referrer-policy']) problems.push('no referrer-policy');
  return problems;
}

describe('security', { skip: e2eSkip() }, () => {
  const suite = useServerAndBrowser();
  const { withPage } = suite;

  it('every response carries the security headers', { timeout: TEST_TIMEOUT_MS }, () =>
    withPage(async (page) => {
      const seen = [];
      page.on('response', (response) => {
        if (response.url().startsWith(suite.server().baseURL)) seen.push(response);
      });
      await page.goto('/sign-in');
      await suite.server().signIn(page, 'educator');
      await page.goto('/no-such-page');
      await page.goto('/readyz');
      // Error responses are where headers set per handler go missing: a refused POST too.
      const refused = await page.request.post('/sign-out', { form: {}, maxRedirects: 0 });
      await page.goto('/home');
      const signOut = page.getByRole('banner').getByRole('button', { name: 'Sign out' });
      if ((await signOut.count()) === 1) {
        await Promise.all([page.waitForEvent('load'), signOut.click()]);
      }
      // Wait for sub-resources (styles, scripts, images) that may still be in flight.
      await page.waitForLoadState('networkidle');

      assert.ok(seen.length >= 5, `expected several responses, saw ${seen.length}`);
      const failures = [];
      for (const response of seen) {
        const problems = headerProblems(await response.allHeaders());
        if (problems.length > 0) {
          const request = response.request();
          failures.push(`${request.method()} ${response.url()} -> ${response.status()}: ${problems.join('; ')}`);
        }
      }
      const refusedProblems = headerProblems(refused.headers());
      if (refusedProblems.length > 0) {
        failures.push(`POST ${refused.url()} (no CSRF token) -> ${refused.status()}: ${refusedProblems.join('; ')}`);
      }
      assert.deepEqual(failures, [], `responses without the security headers:\n${failures.join('\n')}`);
    }));

  it('the session cookie is HttpOnly and SameSite=Lax', { timeout: TEST_TIMEOUT_MS }, () =>
    withPage(async (page, context) => {
      await page.goto('/sign-in');
      const before = new Map((await context.cookies()).map((cookie) => [cookie.name, cookie.value]));
      await suite.server().signIn(page, 'educator');
      const cookies = await context.cookies();
      const fresh = cookies.filter((cookie) => before.get(cookie.name) !== cookie.value);
      assert.ok(fresh.length > 0, 'signing in set no new cookie');

      // The session cookie is the one that, alone, keeps you signed in.
      let session = null;
      for (const candidate of fresh) {
        const probe = await newContext(suite.browser(), suite.server().baseURL);
        try {
          await probe.addCookies([candidate]);
          const probePage = await probe.newPage();
          await probePage.goto('/home');
          if (isPath(probePage.url(), '/home')) session = candidate;
        } finally {
          await probe.close();
        }
        if (session) break;
      }
      assert.ok(session, `none of the cookies set at sign-in (${fresh.map((c) => c.name).join(', ')}) carries the session`);
      assert.equal(session.httpOnly, true, `session cookie ${session.name} is not HttpOnly`);
      assert.equal(session.sameSite, 'Lax', `session cookie ${session.name} is SameSite=${session.sameSite}`);
      assert.equal(session.path, '/', `session cookie ${session.name} has Path=${session.path}`);
      if (before.has(session.name)) {
        assert.notEqual(before.get(session.name), session.value, 'the session id did not change at sign-in');
      }
    }));

  it('a sign-out without the CSRF token is refused', { timeout: TEST_TIMEOUT_MS }, () =>
    withPage(async (page) => {
      await suite.server().signIn(page, 'educator');
      const response = await page.request.post('/sign-out', { form: {}, maxRedirects: 0 });
      assert.equal(response.status(), 403, `POST /sign-out without a token answered ${response.status()}`);
      await page.goto('/home');
      assert.ok(isPath(page.url(), '/home'), 'the refused sign-out still ended the session');
    }));

  it('an educator cannot see that /admin/imports exists', { timeout: TEST_TIMEOUT_MS }, async () => {
    // The administrator's 200 shows the page is there, so the educator's 404 is the policy at work.
    await withPage(async (page) => {
      await suite.server().signIn(page, 'administrator');
      const response = await page.goto('/admin/imports');
      assert.equal(response.status(), 200, `administrator got ${response.status()} for /admin/imports`);
    });
    await withPage(async (page) => {
      await suite.server().signIn(page, 'educator');
      const response = await page.goto('/admin/imports');
      assert.equal(response.status(), 404, `educator got ${response.status()} for /admin/imports`);
    });
  });
});
