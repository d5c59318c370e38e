// Student information in the browser: a teacher opens their class from Students, reads where the
// class is strong and where it needs support, sorts the students by band and opens one student's
// profile; the principal reads the school's counts (small cells hidden) and opens a class from
// them and reads how the school's goal is moving; the district coordinator reads the schools side
// by side; the educator's goal shows its targeted students at the start and now, the educator
// joins a PLC and opens its shared view of the members' students; the educator's suggestions say
// why. Every page is checked with axe.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { describeViolations, seriousViolations } from '../lib/axe.mjs';
import { e2eSkip, screenshotDir } from '../lib/env.mjs';
import { useServerAndBrowser } from '../lib/suite.mjs';

const TIMEOUT_MS = 180_000;

describe('student information', { skip: e2eSkip() }, () => {
  const suite = useServerAndBrowser();
  before(() => mkdir(screenshotDir, { recursive: true }));

  async function check(page, name) {
    const violations = await seriousViolations(page);
    await page.screenshot({ path: path.join(screenshotDir, `students-${name}.png`), fullPage: true });
    assert.equal(violations.length, 0,
      `${name} (${page.url()}): ${violations.length} serious/critical violation(s):\n${describeViolations(violations)}`);
  }

  it('guides a teacher, a principal and a district by role', { timeout: TIMEOUT_MS }, async () => {
    const server = suite.server();
    const browser = suite.browser();
    const teacher = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    const principal = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    const district = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    await server.signIn(teacher, 'educator');
    await server.signIn(principal, 'principal');
    await server.signIn(district, 'district_coordinator');

    await teacher.getByRole('link', { name: 'Students', exact: true }).click();
    await check(teacher, 'landing');
    await teacher.locator('a[href^="/students/classes/"]').first().click();
    await teacher.getByRole('heading', { name: 'Where the class is strong' }).waitFor();
    await teacher.getByRole('heading', { name: 'What students say' }).waitFor();
    assert.ok(await teacher.getByText('recorded in the audit log').isVisible());
    await check(teacher, 'class');
    // The students table sorts by band from the keyboard.
    await teacher.getByRole('button', { name: /^Band/ }).focus();
    await teacher.keyboard.press('Enter');
    const first = await teacher.locator('table.sortable').last().locator('tbody tr').first().innerText();
    assert.match(first, /On track/);
    await teacher.locator('table.sortable').last().locator('tbody a').first().click();
    await teacher.getByText('Every result as imported').waitFor();
    await check(teacher, 'student');

    await principal.goto('/students');
    await principal.locator('a[href^="/students/orgs/"]').first().click();
    await principal.getByRole('heading', { name: 'By grade' }).waitFor();
    await principal.getByRole('heading', { name: 'By class' }).waitFor();
    await principal.getByRole('heading', { name: 'What students say' }).waitFor();
    await principal.getByRole('table', { name: /goal's measure, window by window/ }).first().waitFor();
    await check(principal, 'school');
    await principal.locator('a[href^="/students/classes/"]').first().click();
    await principal.getByRole('heading', { name: /By domain/ }).waitFor();

    await district.goto('/students');
    await district.locator('a[href^="/students/orgs/"]').first().click();
    await district.getByRole('heading', { name: 'By school' }).waitFor();
    await district.getByRole('heading', { name: 'Where needs concentrate' }).waitFor();
    assert.equal(await district.locator('a[href^="/students/classes/"]').count(), 0);
    await check(district, 'district');

    // The educator's goal targets the readers of their class not on track at the start.
    await teacher.goto('/growth');
    await teacher.locator('h3 a[href^="/growth/goals/"]').first().click();
    await teacher.getByRole('heading', { name: 'The students it is for' }).waitFor();
    await teacher.getByText('On track at the start', { exact: true }).waitFor();
    await check(teacher, 'goal-students');

    // Joining the PLC opens the team's shared view of its members' students.
    await teacher.goto('/groups');
    await teacher.locator('a[href^="/groups/"]', { hasText: 'PLC' }).first().click();
    const join = teacher.getByRole('button', { name: 'Join' });
    if (await join.count()) await join.click();
    await teacher.getByRole('link', { name: 'Open our students' }).click();
    await teacher.getByRole('heading', { name: 'Class by class' }).waitFor();
    assert.ok(await teacher.getByText('recorded in the audit log').isVisible());
    await check(teacher, 'team');

    await teacher.goto('/growth/recommendations');
    await teacher.getByRole('heading', { name: 'Suggested for you' }).waitFor();
    await check(teacher, 'suggestions');
  });
});
