// Pages as a person meets them: accessible (axe, WCAG 2.1 AA), usable from the keyboard and
// without JavaScript, with honest errors and a sign-out that really signs out.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { describeViolations, seriousViolations } from '../lib/axe.mjs';
import { e2eSkip, ROLES, screenshotDir } from '../lib/env.mjs';
import { isPath } from '../lib/server.mjs';
import { useServerAndBrowser } from '../lib/suite.mjs';

const TEST_TIMEOUT_MS = 60_000;

describe('pages', { skip: e2eSkip() }, () => {
  const suite = useServerAndBrowser();
  const { withPage } = suite;

  before(() => mkdir(screenshotDir, { recursive: true }));

  async function checkAndPhotograph(page, name) {
    const violations = await seriousViolations(page);
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
    assert.equal(
      violations.length,
      0,
      `${name} (${page.url()}): ${violations.length} serious/critical accessibility violation(s):\n${describeViolations(violations)}`,
    );
  }

  it('the sign-in page is accessible', { timeout: TEST_TIMEOUT_MS }, () =>
    withPage(async (page) => {
      const response = await page.goto('/sign-in');
      assert.equal(response.status(), 200);
      await checkAndPhotograph(page, 'sign-in');
    }));

  for (const role of ROLES) {
    it(`the ${role} home page is accessible`, { timeout: TEST_TIMEOUT_MS }, () =>
      withPage(async (page) => {
        await suite.server().signIn(page, role);
        assert.ok(isPath(page.url(), '/home'), `expected /home, got ${page.url()}`);
        await checkAndPhotograph(page, `home-${role}`);
      }));
  }

  // Every page a role can reach from its navigation, plus the pages one click
  // deeper that matter most (a class with its roster, an organisation, a person).
  for (const role of ROLES) {
    it(`every page the ${role} navigates to is accessible`, { timeout: 4 * TEST_TIMEOUT_MS }, () =>
      withPage(async (page) => {
        await suite.server().signIn(page, role);
        const hrefs = await page.$$eval('nav.mainnav a', (links) => links.map((a) => a.getAttribute('href')));
        const deeper = await page.$$eval('main a[href^="/classes/"], main a[href^="/orgs/"], main a[href^="/people/"]',
          (links) => links.map((a) => a.getAttribute('href')));
        const kinds = new Set();
        for (const href of deeper) {
          const kind = href.split('/')[1];
          if (!kinds.has(kind)) {
            kinds.add(kind);
            hrefs.push(href);
          }
        }
        for (const href of hrefs) {
          const response = await page.goto(href);
          assert.equal(response.status(), 200, `${role} ${href} answered ${response.status()}`);
          const name = `${role}${href.replace(/[^a-z0-9]+/gi, '-')}`;
          await checkAndPhotograph(page, name);
          // A section's own tabs (the administrator's pages) are visited too.
          for (const tab of await page.$$eval('nav.subnav a', (links) => links.map((a) => a.getAttribute('href')))) {
            if (!hrefs.includes(tab)) hrefs.push(tab);
          }
        }
      }));
  }

  it('signs in with the keyboard alone', { timeout: TEST_TIMEOUT_MS }, () =>
    withPage(async (page) => {
      const who = suite.server().signIns.get('educator');
      await page.goto('/sign-in');
      const focusedName = () => page.evaluate(() => document.activeElement?.getAttribute('name') ?? null);
      let presses = 0;
      while ((await focusedName()) !== 'username') {
        presses += 1;
        assert.ok(presses <= 25, 'Tab never reached the username field');
        await page.keyboard.press('Tab');
      }
      await page.keyboard.type(who.username);
      await page.keyboard.press('Tab');
      assert.equal(await focusedName(), 'password', 'Tab from the username field should reach the password field');
      await page.keyboard.type(who.password);
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/home'),
        page.keyboard.press('Enter'),
      ]);
    }));

  it('signs in with JavaScript disabled', { timeout: TEST_TIMEOUT_MS }, () =>
    withPage(async (page) => {
      await suite.server().signIn(page, 'educator');
      assert.ok(isPath(page.url(), '/home'));
      assert.ok((await page.locator('main').count()) > 0, 'the home page has a <main>');
    }, { javaScriptEnabled: false }));

  it('a wrong password keeps you on the sign-in page with an error', { timeout: TEST_TIMEOUT_MS }, () =>
    withPage(async (page) => {
      const who = suite.server().signIns.get('educator');
      await page.goto('/sign-in');
      await page.fill('input[name=username]', who.username);
      await page.fill('input[name=password]', `${who.password}-wrong`);
      await Promise.all([page.waitForEvent('load'), page.click('button[type=submit]')]);
      assert.ok(isPath(page.url(), '/sign-in'), `expected to stay on /sign-in, got ${page.url()}`);
      const alert = page.locator('[role=alert]');
      assert.ok((await alert.count()) > 0, 'no role="alert" element after a failed sign-in');
      assert.ok(await alert.first().isVisible(), 'the role="alert" element is not visible');
      assert.notEqual((await alert.first().innerText()).trim(), '', 'the alert is empty');
      const cookies = await page.context().cookies();
      const home = await page.goto('/home');
      assert.ok(isPath(page.url(), '/sign-in'), `a failed sign-in must not sign in (got ${page.url()}, ${home.status()}; cookies ${cookies.map((c) => c.name).join(', ')})`);
    }));

  it('signing out ends the session', { timeout: TEST_TIMEOUT_MS }, () =>
    withPage(async (page) => {
      await suite.server().signIn(page, 'principal');
      const signOut = page.getByRole('banner').getByRole('button', { name: 'Sign out' });
      assert.equal(await signOut.count(), 1, 'expected one "Sign out" button in the page header');
      await Promise.all([page.waitForEvent('load'), signOut.click()]);
      assert.ok(!isPath(page.url(), '/home'), `still on /home after signing out`);
      await page.goto('/home');
      assert.ok(isPath(page.url(), '/sign-in'), `/home after sign-out should lead to /sign-in, got ${page.url()}`);
    }));
});
