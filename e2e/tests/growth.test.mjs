// A growth plan in the browser: an educator drafts a goal with a focus competency and sends it to
// their coach; the coach comments on point B and agrees it; the scheduled check-in is recorded;
// the educator adds evidence with a file and claims a new level on it; the coach confirms the
// level and the educator's growth page shows it. The principal's school overview shows another
// educator's overdue check-in. Every page on the way is checked with axe.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { describeViolations, seriousViolations } from '../lib/axe.mjs';
import { e2eSkip, screenshotDir } from '../lib/env.mjs';
import { useServerAndBrowser } from '../lib/suite.mjs';

const TIMEOUT_MS = 180_000;

describe('a growth plan', { skip: e2eSkip() }, () => {
  const suite = useServerAndBrowser();
  before(() => mkdir(screenshotDir, { recursive: true }));

  async function check(page, name) {
    const violations = await seriousViolations(page);
    await page.screenshot({ path: path.join(screenshotDir, `growth-${name}.png`), fullPage: true });
    assert.equal(violations.length, 0,
      `${name} (${page.url()}): ${violations.length} serious/critical violation(s):\n${describeViolations(violations)}`);
  }

  it('goes from a draft to a confirmed level', { timeout: TIMEOUT_MS }, async () => {
    const server = suite.server();
    const browser = suite.browser();
    const educator = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    const coach = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    const principal = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    await server.signIn(educator, 'educator');
    await server.signIn(coach, 'coach');
    await server.signIn(principal, 'principal');
    const coachName = server.signIns.get('coach').description.split(',')[0];
    const educatorName = server.signIns.get('educator').description.split(',')[0];
    const inquiry = 'How can I use hinge questions so that my students show what they understand?';

    // The educator drafts and sends it for review.
    await educator.goto('/growth');
    await check(educator, 'mine');
    await educator.getByRole('link', { name: 'Draft a goal' }).click();
    await check(educator, 'form');
    await educator.getByLabel('Inquiry question').fill(inquiry);
    await educator.getByLabel('Where I start (point A)').fill('I check understanding at the end of lessons.');
    await educator.getByLabel('Success criteria (point B)').fill('Mid-lesson, every student answers a hinge question and I adjust.');
    await educator.getByLabel('Actions', { exact: true }).fill('One hinge question a day in math.');
    await educator.getByRole('checkbox', { name: /Feedback and assessment/ }).check();
    await educator.getByRole('button', { name: 'Save the draft' }).click();
    await educator.waitForURL(/\/growth\/goals\/\d+$/);
    const goalPath = new URL(educator.url()).pathname;
    await educator.getByRole('heading', { name: inquiry }).waitFor();
    await educator.getByLabel('Reviewer').selectOption({ label: `${coachName} (Coach)` });
    await educator.getByRole('button', { name: 'Send for review' }).click();
    await educator.getByText('Sent for review').waitFor();

    // The coach finds it waiting, comments on point B and agrees it.
    await coach.goto('/growth/caseload');
    await check(coach, 'caseload');
    await coach.getByRole('link', { name: inquiry }).click();
    await coach.waitForURL(`**${goalPath}`);
    await coach.getByText('Comment on “Success criteria (point B)”').click();
    await coach.getByLabel('Comment on Success criteria (point B)').fill('How will you record who answered?');
    await coach.getByRole('button', { name: 'Comment', exact: true }).first().click();
    await coach.getByText('How will you record who answered?').waitFor();
    await coach.getByRole('button', { name: 'Agree the goal' }).click();
    await coach.getByText('The first check-in is scheduled').waitFor();
    await coach.getByText('Scheduled', { exact: true }).waitFor();
    await check(coach, 'goal');

    // The check-in is held and recorded; the next one is scheduled.
    await coach.getByText('Record this check-in').click();
    await coach.getByRole('radio', { name: 'Some progress' }).check();
    await coach.getByLabel('What was discussed').fill('Two hinge questions tried; sorting answers takes too long.');
    await coach.getByRole('button', { name: 'Record the check-in' }).click();
    await coach.getByText('Check-in recorded').waitFor();
    assert.ok(await coach.getByText('Two hinge questions tried').isVisible());

    // The educator adds evidence with a file and claims a new level on it.
    await educator.goto(goalPath);
    assert.ok(await educator.getByText('How will you record who answered?').isVisible(), 'the comment is inline');
    await educator.getByText('Add evidence', { exact: true }).click();
    await educator.getByLabel('Kind').selectOption({ label: 'Student work' });
    await educator.getByLabel('Title').fill('Hinge question answers, week 2');
    await educator.getByLabel('Notes').fill('22 of 25 answered; I regrouped the three who did not.');
    await educator.getByLabel('File').setInputFiles({ name: 'answers.csv', mimeType: 'text/csv', buffer: Buffer.from('student,answer\nA,B\n') });
    await educator.getByRole('checkbox', { name: /Feedback and assessment/ }).check();
    await educator.getByRole('button', { name: 'Add the evidence' }).click();
    await educator.getByText('Evidence added').waitFor();
    await educator.getByRole('link', { name: 'answers.csv' }).waitFor();
    await educator.getByLabel('I set').selectOption({ label: 'A new level, shown by evidence' });
    await educator.getByLabel('Level', { exact: true }).selectOption({ label: 'Proficient' });
    await educator.getByRole('combobox', { name: 'Evidence', exact: true }).selectOption({ label: 'Hinge question answers, week 2' });
    await educator.getByRole('button', { name: 'Record', exact: true }).click();
    await educator.getByText('Waiting for a reviewer to confirm').waitFor();
    await check(educator, 'evidence');

    // The coach confirms the level; it shows on the educator's growth page.
    await coach.goto(goalPath);
    await coach.getByRole('button', { name: 'Confirm Proficient' }).click();
    await coach.getByText('Level confirmed').waitFor();
    await educator.goto('/growth');
    const row = educator.getByRole('row', { name: /Feedback and assessment/ });
    await row.getByText('Proficient').first().waitFor();
    assert.ok(await educator.locator('svg polyline').count() > 0, 'the growth chart is drawn');
    await check(educator, 'chart');

    // The principal's overview shows another educator's overdue check-in.
    await principal.goto('/growth/school');
    await check(principal, 'school');
    const overdue = principal.getByRole('row').filter({ hasText: 'Overdue:' });
    assert.ok(await overdue.count() > 0, 'an overdue check-in is listed');
    const names = await overdue.getByRole('rowheader').allInnerTexts();
    assert.ok(names.every((n) => !n.includes(educatorName.split(' ')[1])), `another educator: ${names}`);
  });
});
