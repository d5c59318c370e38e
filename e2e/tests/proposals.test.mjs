// The call for proposals in the browser: the coordinator creates a day from typed-in slots and
// opens the call, an educator proposes a session with a co-facilitator, the coordinator asks for
// a change, the educator revises, the coordinator accepts and places the session in a slot, and
// the programme grid shows it led by both, seated as its room allows. Every page on the way is
// checked with axe.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { describeViolations, seriousViolations } from '../lib/axe.mjs';
import { e2eSkip, screenshotDir } from '../lib/env.mjs';
import { useServerAndBrowser } from '../lib/suite.mjs';

const TIMEOUT_MS = 180_000;

describe('a call for proposals', { skip: e2eSkip() }, () => {
  const suite = useServerAndBrowser();
  before(() => mkdir(screenshotDir, { recursive: true }));

  async function check(page, name) {
    const violations = await seriousViolations(page);
    await page.screenshot({ path: path.join(screenshotDir, `proposals-${name}.png`), fullPage: true });
    assert.equal(violations.length, 0,
      `${name} (${page.url()}): ${violations.length} serious/critical violation(s):\n${describeViolations(violations)}`);
  }

  it('fills a programme from proposals', { timeout: TIMEOUT_MS }, async () => {
    const server = suite.server();
    const browser = suite.browser();
    const coordinator = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    const educator = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    await server.signIn(coordinator, 'district_coordinator');
    await server.signIn(educator, 'educator');
    const coach = server.signIns.get('coach').username;

    // A day with two typed-in slots and no programme file.
    await coordinator.goto('/events/new');
    await coordinator.getByLabel('Title').fill('Teacher-led learning day');
    await coordinator.getByLabel('Date').fill('2031-02-14');
    await coordinator.getByLabel('Slot 3 name').fill('');
    await coordinator.getByLabel('Slot 3 starts').fill('');
    await coordinator.getByLabel('Slot 3 ends').fill('');
    await coordinator.getByRole('button', { name: 'Create the day' }).click();
    await coordinator.waitForURL(/\/events\/\d+$/);
    const eventPath = new URL(coordinator.url()).pathname;
    await coordinator.getByRole('heading', { name: 'Teacher-led learning day' }).waitFor();
    await check(coordinator, 'setup');
    await coordinator.getByRole('button', { name: 'Open the call for proposals' }).click();
    await coordinator.getByText('Open for proposals').first().waitFor();

    // The educator proposes, naming the coach as co-facilitator and preferring slot 2.
    await educator.goto(eventPath);
    await educator.getByRole('link', { name: 'Propose a session' }).click();
    await check(educator, 'form');
    await educator.getByLabel('Title').fill('Number talks that build fluency');
    await educator.getByLabel('Description').fill('Fifteen minutes a day of mental math and mathematical conversation.');
    await educator.getByLabel('Who it is for').fill('Elementary (K–5)');
    await educator.getByLabel('Tags or competencies').fill('math; fluency');
    await educator.getByLabel('Co-facilitators').fill(coach);
    await educator.getByLabel('Slot 2').check();
    await educator.getByRole('button', { name: 'Send the proposal' }).click();
    await educator.getByText('Your proposal is sent').waitFor();
    await check(educator, 'sent');
    const proposalPath = new URL(educator.url()).pathname;

    // The coordinator asks for a change, with a note.
    await coordinator.goto(`${eventPath}/proposals`);
    await check(coordinator, 'queue');
    await coordinator.getByRole('link', { name: 'Number talks that build fluency' }).click();
    await coordinator.getByLabel('Ask for changes').check();
    await coordinator.getByLabel('Note to the proposer').fill('Which grades is it for? Say so in the title.');
    await coordinator.getByRole('button', { name: 'Save the decision' }).click();
    await coordinator.getByText('Your decision is saved').waitFor();

    // The educator sees the note and revises.
    await educator.goto(proposalPath);
    await educator.getByText('Which grades is it for?').waitFor();
    await check(educator, 'changes');
    await educator.getByRole('link', { name: 'Change the proposal' }).click();
    await educator.getByLabel('Title').fill('Number talks that build fluency, grades 3–5');
    await educator.getByRole('button', { name: 'Send it again' }).click();
    await educator.getByText('back with the coordinator').waitFor();

    // Accepted, then placed in slot 2; facilitators default to the proposers.
    await coordinator.goto(proposalPath);
    await check(coordinator, 'review');
    await coordinator.getByLabel('Accept: add it to the programme').check();
    await coordinator.getByRole('button', { name: 'Save the decision' }).click();
    await coordinator.getByRole('link', { name: 'Place it in a slot and a room' }).click();
    // The venue's library seats 28; a section placed there takes its seats.
    await coordinator.locator('#room-name').fill('Library');
    await coordinator.locator('#room-seats').fill('28');
    await coordinator.locator('#room-has').fill('projector');
    await coordinator.getByRole('button', { name: 'Add the room' }).click();
    await coordinator.locator('#rooms summary', { hasText: '1 room' }).waitFor();
    // An opening everyone attends.
    await coordinator.locator('#general details summary').click();
    await coordinator.locator('#gs-title').fill('Opening');
    await coordinator.locator('#gs-starts').fill('08:15');
    await coordinator.locator('#gs-ends').fill('08:45');
    await coordinator.locator('#gs-where').fill('Auditorium');
    await coordinator.getByRole('button', { name: 'Add', exact: true }).click();
    await coordinator.getByRole('rowheader', { name: 'Opening' }).waitFor();
    await coordinator.locator('#add-section').evaluate((d) => { d.open = true; });
    const course = await coordinator.locator('#add-course option', { hasText: 'Number talks' }).getAttribute('value');
    await coordinator.getByLabel('Session', { exact: true }).selectOption(course);
    await coordinator.getByLabel('Slot', { exact: true }).selectOption({ label: 'Slot 2' });
    await coordinator.locator('#add-room').fill('Library');
    await coordinator.getByRole('button', { name: 'Add the section' }).click();
    await coordinator.getByText('The section is added to the programme').waitFor();
    await check(coordinator, 'grid');
    const row = coordinator.locator('table.data tbody tr', { hasText: 'Number talks that build fluency, grades 3–5' });
    const cells = (await row.locator('td').allTextContents()).map((t) => t.trim());
    assert.equal(cells[0], 'Library');
    assert.equal(cells[1].split(', ').length, 2, `led by the proposer and the coach: ${cells[1]}`);
    assert.equal(cells[2], '28');
  });
});
