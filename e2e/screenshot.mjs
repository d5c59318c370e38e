#!/usr/bin/env node
// Full-page screenshots of a running Waypoint, for people reviewing pages.
//
//   node e2e/screenshot.mjs --base http://127.0.0.1:8080 --role principal \
//        --sign-ins sign-ins.json /home /people
//
// Without --role the pages are taken signed out. Files go to e2e/screenshots/ (or --out) as
// <role>-<path>.png, and their paths are printed.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, newContext } from './lib/browser.mjs';
import { screenshotDir } from './lib/env.mjs';
import { readSignIns, signIn } from './lib/server.mjs';

const USAGE = `usage: node e2e/screenshot.mjs [--base URL] [--role ROLE --sign-ins FILE]
                               [--out DIR] [--width PX] [--height PX] PATH...`;

function fail(message) {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function slug(urlPath) {
  const cleaned = urlPath.replace(/^\/+|\/+$/g, '').replace(/[^A-Za-z0-9._-]+/g, '_');
  return cleaned === '' ? 'root' : cleaned;
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      base: { type: 'string', default: 'http://127.0.0.1:8080' },
      role: { type: 'string' },
      'sign-ins': { type: 'string' },
      out: { type: 'string', default: screenshotDir },
      width: { type: 'string', default: '1280' },
      height: { type: 'string', default: '800' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (error) {
  fail(error.message);
}
const { values: options, positionals: paths } = parsed;
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
if (paths.length === 0) fail('give at least one path, such as /home');
if (options.role && !options['sign-ins']) fail('--role needs --sign-ins (the file `waypoint demo --sign-ins-json` writes)');
const viewport = { width: Number(options.width), height: Number(options.height) };
if (!(viewport.width > 0 && viewport.height > 0)) fail('--width and --height must be positive numbers');

const outDir = path.resolve(options.out);
await mkdir(outDir, { recursive: true });
const browser = await launchBrowser();
let failed = false;
try {
  const context = await newContext(browser, options.base, { viewport });
  const page = await context.newPage();
  const who = options.role ?? 'anonymous';
  if (options.role) {
    const signIns = await readSignIns(path.resolve(options['sign-ins']));
    await signIn(page, options.role, signIns);
  }
  for (const urlPath of paths) {
    const response = await page.goto(urlPath);
    const status = response?.status() ?? 0;
    const file = path.join(outDir, `${who}-${slug(urlPath)}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`${file}  (${urlPath} -> ${status} ${new URL(page.url()).pathname})`);
    if (status >= 400) failed = true;
  }
} finally {
  await browser.close();
}
process.exitCode = failed ? 1 : 0;
