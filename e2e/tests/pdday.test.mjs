// A PD day end to end, as the people who run and attend it meet it: the coordinator creates the
// day from a programme file and opens ranking, an educator ranks, closing runs the assignment,
// the coordinator publishes, and the educator's schedule downloads as a calendar that the
// independent Python `icalendar` package reads without errors. Every page on the way is checked
// with axe (no serious or critical violations).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { describeViolations, seriousViolations } from '../lib/axe.mjs';
import { e2eDir, e2eSkip, screenshotDir } from '../lib/env.mjs';
import { useServerAndBrowser } from '../lib/suite.mjs';

const run = promisify(execFile);
const TIMEOUT_MS = 240_000;

const PROGRAMME = `section_id,course_id,title,slot,capacity,facilitators,room,description,tags,audience,starts,ends
E1,K1,Fractions on the number line,1,40,,Room 101,Make fractions numbers students can place.,math;grades 3-5,Grades 3-5,08:30,09:15
E2,K2,Restorative circles,1,40,,Library,Circles that repair harm.,culture,,08:30,09:15
E3,K1,Fractions on the number line,2,40,,Room 101,Make fractions numbers students can place.,math;grades 3-5,Grades 3-5,09:30,10:15
E4,K3,Phonics routines,2,40,,Room 202,Daily decoding routines.,literacy;k-2,Grades K-2,09:30,10:15
`;

describe('a PD day end to end', { skip: e2eSkip() }, () => {
  const suite = useServerAndBrowser();
  before(() => mkdir(screenshotDir, { recursive: true }));

  async function check(page, name) {
    const violations = await seriousViolations(page);
    await page.screenshot({ path: path.join(screenshotDir, `pdday-${name}.png`), fullPage: true });
    assert.equal(violations.length, 0,
      `${name} (${page.url()}): ${violations.length} serious/critical violation(s):\n${describeViolations(violations)}`);
  }

  it('runs from programme file to a calendar', { timeout: TIMEOUT_MS }, async () => {
    const server = suite.server();
    const browser = suite.browser();
    const coordinator = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    const educator = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    await server.signIn(coordinator, 'district_coordinator');
    await server.signIn(educator, 'educator');

    // Create the day from the programme file.
    await coordinator.goto('/events/new');
    await check(coordinator, 'new');
    await coordinator.getByLabel('Title').fill('Winter PD day');
    await coordinator.getByLabel('Date').fill('2031-01-17');
    await coordinator.getByLabel('Sessions each educator ranks').fill('3');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'waypoint-pdday-'));
    const csv = path.join(dir, 'programme.csv');
    await writeFile(csv, PROGRAMME);
    await coordinator.getByLabel('Programme (CSV)').setInputFiles(csv);
    await coordinator.getByRole('button', { name: 'Create the day' }).click();
    await coordinator.waitForURL(/\/events\/\d+$/);
    const eventPath = new URL(coordinator.url()).pathname;
    await coordinator.getByRole('heading', { name: 'Winter PD day' }).waitFor();
    await check(coordinator, 'programme');

    // Open ranking.
    await coordinator.getByLabel('Ranking closes').fill('2030-12-20T17:00');
    await coordinator.getByRole('button', { name: 'Open ranking' }).click();
    await coordinator.getByRole('button', { name: 'Close ranking and assign seats' }).waitFor();

    // The educator ranks two sessions, with the keyboard-friendly selects.
    await educator.goto(`${eventPath}/rank`);
    await educator.getByLabel('1st choice', { exact: true }).selectOption({ label: 'Phonics routines' });
    await educator.getByLabel('2nd choice', { exact: true }).selectOption({ label: 'Fractions on the number line' });
    // The reordering enhancement swaps neighbours and says so; swap there and back.
    await educator.getByRole('button', { name: 'Move 1st choice down' }).click();
    assert.equal(await educator.locator('#choice-1 option:checked').textContent(), 'Fractions on the number line');
    await educator.getByText('Phonics routines is now your 2nd choice.').waitFor({ state: 'attached' });
    await educator.getByRole('button', { name: 'Move 2nd choice up' }).click();
    assert.equal(await educator.locator('#choice-1 option:checked').textContent(), 'Phonics routines');
    // The catalogue narrows by tag and by slot.
    await educator.getByLabel('Tag').selectOption('culture');
    assert.equal(await educator.locator('#catalogue-list li:visible').count(), 1);
    await educator.getByLabel('Tag').selectOption('');
    await educator.getByLabel('Runs in').selectOption({ index: 2 });
    assert.equal(await educator.locator('#catalogue-list li:visible').count(), 2);
    await educator.getByLabel('Runs in').selectOption('');
    await educator.getByLabel('For', { exact: true }).selectOption('Grades K-2');
    assert.deepEqual(await educator.locator('#catalogue-list li:visible h3').allTextContents(), ['Phonics routines']);
    await educator.getByLabel('For', { exact: true }).selectOption('');
    await educator.getByRole('button', { name: 'Save my choices' }).click();
    await educator.getByText('Your choices are saved').waitFor();
    await check(educator, 'rank');

    // Closing runs the engine as a background job; the page reports it, then the results.
    await coordinator.goto(eventPath);
    await check(coordinator, 'demand');
    await coordinator.getByRole('button', { name: 'Close ranking and assign seats' }).click();
    const deadline = Date.now() + 120_000;
    while (!(await coordinator.getByRole('heading', { name: 'How everyone did' }).isVisible())) {
      assert.ok(Date.now() < deadline, 'the assignment did not finish within two minutes');
      await coordinator.waitForTimeout(500);
      await coordinator.reload();
    }
    await check(coordinator, 'results');
    await coordinator.getByRole('button', { name: 'Publish schedules' }).click();
    await coordinator.getByRole('link', { name: 'My schedule' }).waitFor();

    // The educator's schedule: first choice in slot 2 (the only slot it runs), second in slot 1.
    await educator.goto(`${eventPath}/schedule`);
    await check(educator, 'schedule');
    const rows = await educator.locator('table.data tbody tr th').allTextContents();
    assert.deepEqual(rows.map((r) => r.trim()), ['Fractions on the number line', 'Phonics routines']);

    const ics = await educator.request.get(`${eventPath}/schedule.ics`);
    assert.equal(ics.status(), 200);
    assert.match(ics.headers()['content-type'], /^text\/calendar/);
    const file = path.join(dir, 'schedule.ics');
    await writeFile(file, await ics.body());
    const { stdout } = await run('python3', [path.join(e2eDir, 'tools', 'check_ics.py'), file]);
    const events = JSON.parse(stdout);
    assert.equal(events.length, 2);
    // 08:30 in America/Chicago in January is 14:30 UTC.
    assert.equal(events[0].start, '2031-01-17T14:30:00+00:00');
    assert.equal(events[0].summary, 'Fractions on the number line');
    assert.ok(events.every((e) => e.sequence === 1), 'published once');
  });
});
