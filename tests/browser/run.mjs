// Guichet's citizen pages in a real browser: headless Chromium (Debian's /usr/bin/chromium)
// driven by playwright-core, accessibility checked by axe-core.
//
//   GUICHET_URL=http://127.0.0.1:PORT GUICHET_DATA_DIR=DIR node run.mjs [FILTER...]
//
// GUICHET_URL is a running `guichet serve` (run.sh starts one); GUICHET_DATA_DIR its data
// folder (the iframe tests rewrite tenants/demoville/settings.toml's frame_ancestors). FILTERs
// keep the tests whose name contains one of them. Prints `PASS name` or `FAIL name: why` (with
// indented details) per test, then a last line `N passed, M failed`; exits 1 if any failed.
//
// For the https test: GUICHET_TLS_URL (https://127.0.0.1:PORT2, a second server with
// --tls-cert/--tls-key), GUICHET_TLS_SPKI (base64 SHA-256 of its key's SubjectPublicKeyInfo) and
// GUICHET_REDIRECT_URL (its --redirect-http listener), all set by run.sh.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { execFileSync, spawn } from 'node:child_process';
import { smtpSink } from '../lib/smtp-sink.mjs';
const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_VERSION = require('axe-core/package.json').version;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const BASE = (process.env.GUICHET_URL || '').replace(/\/+$/, '');
// The HTTPS server run.sh starts beside it, the base64 SHA-256 of its key's SubjectPublicKeyInfo,
// and its plain HTTP port that redirects (the https test only).
const TLS_BASE = (process.env.GUICHET_TLS_URL || '').replace(/\/+$/, '');
const TLS_SPKI = process.env.GUICHET_TLS_SPKI || '';
const TLS_REDIRECT = (process.env.GUICHET_REDIRECT_URL || '').replace(/\/+$/, '');
const DATA_DIR = process.env.GUICHET_DATA_DIR || '';
const TENANT = 'demoville';
const T = `${BASE}/${TENANT}`;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const TEST_TIMEOUT_MS = 45_000;
const SERVICES = ['birth-certificate', 'school-enrolment', 'road-incident', 'room-booking', 'change-of-address', 'association-directory'];
const MAX_PAGE_WEIGHT = 30 * 1024; // HTML + CSS of a form page, bytes

// The two hostile strings of the escaping test.
const XSS_SCRIPT = '</script><script>window.__pwned=1</script>';
const XSS_ATTR = '"><img src=x onerror=window.__pwned=1>';

if (!BASE) {
  console.error('GUICHET_URL is not set (run.sh sets it)');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// A tiny test runner.

const tests = [];
function test(name, fn, timeout = TEST_TIMEOUT_MS) { tests.push({ name, fn, timeout }); }

class Failure extends Error {
  constructor(message, details = []) { super(message); this.details = details; }
}
function assert(cond, message, details) { if (!cond) throw new Failure(message, details); }
function assertEq(actual, expected, what) {
  if (actual !== expected) throw new Failure(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Collects several problems, then fails once with all of them. */
class Problems {
  constructor() { this.list = []; }
  add(p) { this.list.push(p); }
  check(cond, p) { if (!cond) this.add(p); return cond; }
  throwIfAny(summary) {
    if (!this.list.length) return;
    if (this.list.length === 1 && !summary) throw new Failure(this.list[0]);
    throw new Failure(`${summary || this.list[0]}${this.list.length > 1 ? ` (${this.list.length} problems)` : ''}`, this.list);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

const pad = (n) => String(n).padStart(2, '0');
/** A local date `days` from today, as YYYY-MM-DD. */
function isoDay(days = 0) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const REQUESTER = { firstName: 'Zoé', lastName: 'Lefèvre', email: 'zoe@example.fr' };

/** Valid answers for each service: field path → value (a string, or an array for checkboxes). */
// A room is booked once per slot: each booking of the suite its own day.
let bookings = 0;

function validAnswers(code) {
  const common = {
    'requester.firstName': REQUESTER.firstName,
    'requester.lastName': REQUESTER.lastName,
    'requester.email': REQUESTER.email,
  };
  const byService = {
    'birth-certificate': {
      actType: 'extract-with-filiation', requesterRelation: 'self', personLastName: 'Lefèvre',
      personFirstNames: 'Zoé Marie', birthDate: '1990-05-17', birthPlace: 'Démoville', copies: '1',
      deliveryMode: 'post',
    },
    'school-enrolment': {
      childLastName: 'Lefèvre', childFirstName: 'Léo', childBirthDate: '2020-03-02',
      schoolYear: '2026-2027', level: 'cp', periscolarServices: ['canteen'],
    },
    'road-incident': {
      category: 'pothole', 'location.street': '12 rue de la République', 'location.postalCode': '75002',
      'location.town': 'Démoville', description: 'Nid-de-poule de 30 cm devant la boulangerie',
      observedOn: isoDay(-1),
    },
    'room-booking': {
      room: 'salle-polyvalente', eventType: 'meeting', eventDate: isoDay(code === 'room-booking' ? 14 + bookings++ : 14), startTime: '18:00',
      endTime: '20:00', attendees: '30', equipment: ['chairs', 'projector'],
    },
    'change-of-address': {
      'previousAddress.street': '3 place du Marché', 'previousAddress.postalCode': '75002',
      'previousAddress.town': 'Démoville', 'newAddress.street': '8 allée des Tilleuls',
      'newAddress.postalCode': '75003', 'newAddress.town': 'Démoville', moveDate: isoDay(-10),
      householdSize: '2',
    },
    'association-directory': {
      associationName: 'Les Amis du Vieux Démoville', rnaNumber: 'W595012345', creationDate: '03/1912',
      category: 'culture', purpose: 'Sauvegarde du patrimoine de la commune.', headOfficeCountry: 'FR',
      siren: '732 829 320', siret: '732 829 320 00074', membershipFee: '12,50', ownsPremises: 'true',
      premisesParcel: 'AB 123', subsidies: 'true', iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'BNPAFRPP',
    },
  };
  return { ...common, ...byService[code] };
}

const fieldId = (name) => `f-${name.replace(/\./g, '-')}`;

/** Fills a form (in a page or a frame) with playwright's fill/check/selectOption. */
async function fillForm(frame, answers) {
  for (const [name, value] of Object.entries(answers)) {
    const values = Array.isArray(value) ? value : [value];
    const select = frame.locator(`select[name="${name}"]`);
    if (await select.count()) { await select.selectOption(values); continue; }
    const choice = frame.locator(`input[name="${name}"][type=radio], input[name="${name}"][type=checkbox]`);
    if (await choice.count()) {
      for (const v of values) await frame.locator(`input[name="${name}"][value="${v}"]`).check();
      continue;
    }
    // A file field's example is its content in base64; its kind comes from the content.
    const file = frame.locator(`input[name="${name}"][type=file]`);
    if (await file.count()) {
      await file.setInputFiles(values.map((v, i) => ({ name: `exemple-${i + 1}`, mimeType: 'application/octet-stream', buffer: Buffer.from(v, 'base64') })));
      continue;
    }
    await frame.locator(`[name="${name}"]`).fill(values[0]);
  }
}

/** Clicks the submit button and waits for the next document of `frame` (a Page or a Frame). */
async function submit(frame) {
  const nav = frame.waitForNavigation({ waitUntil: 'load' });
  await frame.locator('form#form button[type=submit]').click();
  return nav; // the last response of the navigation (after the 303, the receipt's)
}

/** Records console messages, page errors and CSP violation events of every page of a context. */
async function instrument(context) {
  const log = { console: [], errors: [], csp: [] };
  await context.exposeBinding('__guichetTestCsp', ({ frame }, v) => { log.csp.push({ url: frame.url(), ...v }); });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__guichetTestCsp({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, line: e.lineNumber });
    });
  });
  context.on('console', (m) => log.console.push({ type: m.type(), text: m.text(), url: m.page() ? m.page().url() : '' }));
  context.on('weberror', (e) => log.errors.push(String(e.error())));
  return log;
}

let browser;
async function newContext(options = {}) {
  const c = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1024, height: 768 }, ...options });
  c.setDefaultTimeout(8_000); // a missing element fails fast
  c.setDefaultNavigationTimeout(15_000);
  return c;
}

/** Runs axe-core on the page's main document; returns the violations. */
async function axe(page) {
  // page.evaluate is not subject to the page's CSP (an injected <script> would be).
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
    }));
  }, AXE_TAGS);
}

function formatViolations(violations) {
  const lines = [];
  for (const v of violations) {
    lines.push(`[${v.id}] (${v.impact}) ${v.help} — ${v.helpUrl}`);
    for (const n of v.nodes) {
      lines.push(`    node ${n.target}: ${n.html}`);
      for (const s of (n.summary || '').split('\n')) if (s.trim()) lines.push(`      ${s.trim()}`);
    }
  }
  return lines;
}

async function assertNoViolations(page, what) {
  const violations = await axe(page);
  if (violations.length) {
    throw new Failure(`${violations.length} axe violation(s) on ${what} (${page.url()}): ${violations.map((v) => v.id).join(', ')}`,
      formatViolations(violations));
  }
}

/** Fills and submits a service form; returns the receipt's fields. */
async function submitValid(page, code, extra = {}) {
  await page.goto(`${T}/services/${code}`);
  await fillForm(page, { ...validAnswers(code), ...extra });
  const resp = await submit(page);
  assert(/\/receipt\/[^/]+$/.test(page.url()), `submitting a valid ${code} did not land on the acknowledgement but on ${page.url()} (HTTP ${resp && resp.status()})`,
    await errorSummaryLines(page));
  return readReceipt(page);
}

async function errorSummaryLines(frame) {
  const s = frame.locator('#error-summary');
  return (await s.count()) ? [`error summary: ${(await s.innerText()).replace(/\s+/g, ' ')}`] : [];
}

async function readReceipt(frame) {
  const text = async (sel) => ((await frame.locator(sel).count()) ? (await frame.locator(sel).innerText()).trim() : '');
  const r = {
    url: frame.url(),
    reference: await text('#reference'),
    dueDate: await text('#due-date'),
    trackingCode: await text('#tracking-code'),
    trackingHref: (await frame.locator('#tracking-link').count()) ? await frame.locator('#tracking-link').getAttribute('href') : null,
  };
  const p = new Problems();
  p.check(/^\d{4}-\d{6}$/.test(r.reference), `#reference is ${JSON.stringify(r.reference)}, expected like 2026-000001`);
  p.check(r.dueDate !== '', '#due-date is empty or missing');
  p.check(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/.test(r.trackingCode), `#tracking-code is ${JSON.stringify(r.trackingCode)}, expected like 7K3Q-M9XD-2HBT-W4NE`);
  p.check(r.trackingHref && r.trackingHref.includes(`/${TENANT}/track/`), `#tracking-link href is ${JSON.stringify(r.trackingHref)}, expected …/${TENANT}/track/CODE`);
  p.throwIfAny(`the acknowledgement at ${r.url} is incomplete`);
  return r;
}

/** Checks a tracking page (in a page or frame): state and at least one done step. */
async function checkTrackingPage(frame, trackingCode) {
  const p = new Problems();
  p.check(frame.url().includes(`/${TENANT}/track/${trackingCode}`), `tracking page URL is ${frame.url()}, expected …/track/${trackingCode}`);
  const steps = await frame.locator('ol.steps > li').count();
  p.check(steps >= 2, `ol.steps has ${steps} steps, expected the service's workflow (2 or more)`);
  const done = await frame.locator('ol.steps > li.done').count();
  p.check(done >= 1, 'no step is marked done (the first one, "received", should be)');
  const current = await frame.locator('ol.steps > li[aria-current=step]').count();
  p.check(current === 1, `${current} steps have aria-current=step, expected 1`);
  const state = (await frame.locator('#state').count()) ? (await frame.locator('#state').innerText()).trim() : '';
  p.check(state !== '', '#state is empty or missing');
  p.throwIfAny(`the tracking page is wrong`);
  return { steps, state };
}

// Static host pages for the iframe tests, on other loopback ports.
function hostPageHtml(src, script) {
  return `<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Site de la ville (hôte)</title><link rel="icon" href="data:,"></head>
<body style="margin:0;font-family:sans-serif">
<h1>Site de la ville de Démoville</h1>
<iframe src="${src}" title="Réservation" style="width:100%;border:0"></iframe>
<script src="${script}" async></script>
<p id="after">Pied de page du site de la ville.</p>
</body></html>`;
}

async function startHostServer(html) {
  const server = http.createServer((req, res) => {
    if (req.url === '/' || req.url.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
  const port = server.address().port;
  // "localhost" may resolve to ::1 first: listen there too when the machine has IPv6.
  const server6 = http.createServer(server.listeners('request')[0]);
  await new Promise((resolve) => { server6.once('error', () => resolve()); server6.listen(port, '::1', resolve); });
  return {
    port,
    close: () => Promise.all([server, server6].map((s) => new Promise((r) => (s.listening ? s.close(() => r()) : r())))),
  };
}

const settingsPath = () => path.join(DATA_DIR, 'tenants', TENANT, 'settings.toml');

/** Rewrites frame_ancestors in the tenant's settings (keeping the rest), waits for the reload. */
async function allowFrameAncestors(origins) {
  assert(DATA_DIR, 'GUICHET_DATA_DIR is not set: cannot change the tenant\'s frame_ancestors');
  const file = settingsPath();
  const text = fs.readFileSync(file, 'utf8');
  const line = `frame_ancestors = [${origins.map((o) => JSON.stringify(o)).join(', ')}]`;
  assert(/^frame_ancestors\s*=.*$/m.test(text), `${file} has no frame_ancestors line`);
  fs.writeFileSync(file, text.replace(/^frame_ancestors\s*=.*$/m, line));
  const deadline = Date.now() + 10_000;
  let csp = '';
  while (Date.now() < deadline) {
    const r = await fetch(`${T}/services/room-booking`);
    csp = r.headers.get('content-security-policy') || '';
    await r.arrayBuffer();
    if (origins.every((o) => csp.includes(o))) return csp;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Failure(`the server did not pick up frame_ancestors = ${JSON.stringify(origins)} within 10 s; CSP: ${csp}`);
}

/** The focused element of a page or frame, and whether its focus indicator shows. */
function focusInfo(frame) {
  return frame.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { id: '', tag: el ? el.tagName : '', desc: '(body)', visible: false, why: 'nothing focused' };
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
    const shadow = cs.boxShadow && cs.boxShadow !== 'none';
    const r = el.getBoundingClientRect();
    const onScreen = r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth + 1;
    const desc = `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${el.type ? ` type="${el.type}"` : ''}>`
      + (el.tagName === 'A' || el.tagName === 'BUTTON' ? ` "${el.textContent.trim().slice(0, 40)}"` : '');
    return {
      id: el.id, tag: el.tagName, type: el.type || '', desc, focusVisible: el.matches(':focus-visible'),
      outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`, visible: (outline || shadow) && onScreen,
      why: !onScreen ? `off screen (${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)})` : 'no outline nor box-shadow',
    };
  });
}

// ---------------------------------------------------------------------------------------------
// 0. The browser's own POST of a form is accepted (everything after a submission depends on it).

test('submit: a form sent by the browser is accepted (anti-forgery check)', async () => {
  const page = await (await newContext()).newPage();
  await page.goto(`${T}/services/road-incident`);
  const sent = [];
  page.on('request', async (r) => { if (r.method() === 'POST') sent.push(await r.allHeaders()); });
  const resp = await submit(page);
  const status = resp.status();
  if (status === 422) return 'an empty form is refused with 422 and its errors, as it should';
  const h = sent[0] || {};
  throw new Failure(`the browser's POST of the form (empty, so 422 expected) got HTTP ${status}`, [
    `request headers: Origin: ${h.origin}, Sec-Fetch-Site: ${h['sec-fetch-site']}, Referer: ${h.referer || '(none)'}`,
    `the form page was served with Referrer-Policy: ${(await page.request.get(`${T}/services/road-incident`)).headers()['referrer-policy']}`,
    `response: ${(await page.locator('body').innerText()).slice(0, 200)}`,
  ]);
});

// ---------------------------------------------------------------------------------------------
// 1. Accessibility: axe-core, WCAG 2.0/2.1 A and AA, zero violations.

test('axe: catalogue', async () => {
  const page = await (await newContext()).newPage();
  await page.goto(`${T}/`);
  assert((await page.locator('main h1').count()) === 1, 'the catalogue has no h1 in main');
  await assertNoViolations(page, 'the catalogue');
  await page.getByLabel('Rechercher une démarche').fill('etat civil');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Rechercher' }).click()]);
  assertEq(await page.locator('li.service').count(), 6, 'the search keeps the six civil-status services');
  assert((await page.locator('.search-result').textContent()).includes('6 démarches correspondent'), 'the result is said');
  await assertNoViolations(page, 'the catalogue searched');
});

// Every service of the library, by its form page (axe), the services with
// repeating groups and conditional fields among them.
const LIBRARY = await (async () => {
  const xml = await (await fetch(`${T}/?format=xml`)).text();
  return [...xml.matchAll(/<service [^>]*code="([a-z0-9-]+)"/g)].map((m) => m[1]);
})();

test('axe: the form of each service of the library', async () => {
  assert(LIBRARY.length >= 40, `the whole catalogue: ${LIBRARY.length}`);
  const page = await (await newContext()).newPage();
  for (const code of LIBRARY) {
    const resp = await page.goto(`${T}/services/${code}`);
    assertEq(resp.status(), 200, `GET /services/${code} status`);
    await assertNoViolations(page, `the ${code} form`);
  }
  return `${LIBRARY.length} forms`;
});

for (const code of SERVICES) {
  test(`axe: form ${code}`, async () => {
    const page = await (await newContext()).newPage();
    const resp = await page.goto(`${T}/services/${code}`);
    assertEq(resp.status(), 200, `GET /services/${code} status`);
    await assertNoViolations(page, `the ${code} form`);
  });
}

for (const code of SERVICES) {
  test(`axe: form ${code} submitted empty (errors)`, async () => {
    const page = await (await newContext()).newPage();
    await page.goto(`${T}/services/${code}`);
    const resp = await submit(page);
    assertEq(resp.status(), 422, 'status of an empty submission');
    assert(await page.locator('#error-summary').isVisible(), 'no visible #error-summary');
    await assertNoViolations(page, `the ${code} form with errors`);
  });
}

test('axe: form road-incident in English (?lang=en)', async () => {
  const page = await (await newContext({ locale: 'en-GB' })).newPage();
  await page.goto(`${T}/services/road-incident?lang=en`);
  await assertNoViolations(page, 'the English road-incident form');
});

test('axe: a service\'s documentation for webmasters', async () => {
  const page = await (await newContext()).newPage();
  await page.goto(`${T}/services/road-incident/doc`);
  await assertNoViolations(page, 'the documentation of road-incident');
});

test('axe: acknowledgement', async () => {
  const page = await (await newContext()).newPage();
  await submitValid(page, 'birth-certificate');
  await assertNoViolations(page, 'the acknowledgement');
});

test('axe: tracking lookup with an error', async () => {
  const page = await (await newContext()).newPage();
  await page.goto(`${T}/track`);
  await assertNoViolations(page, 'the tracking lookup');
  for (const [code, what] of [['pas-un-code', 'a malformed code'], ['AAAA-BBBB-CCCC-DDDD', 'an unknown code']]) {
    await page.fill('#code', code);
    await Promise.all([page.waitForNavigation(), page.locator('form.lookup button[type=submit]').click()]);
    assert(await page.locator('#code-error').isVisible(), `no #code-error after ${what} (${page.url()})`);
    assertEq(await page.getAttribute('#code', 'aria-invalid'), 'true', `#code aria-invalid after ${what}`);
    await assertNoViolations(page, `the tracking lookup with ${what}`);
  }
});

test('axe: tracking page', async () => {
  const page = await (await newContext()).newPage();
  const r = await submitValid(page, 'school-enrolment');
  await page.goto(new URL(r.trackingHref, page.url()).href);
  await checkTrackingPage(page, r.trackingCode);
  await assertNoViolations(page, 'the tracking page');
});

// ---------------------------------------------------------------------------------------------
// 2. Keyboard only: the road-incident form, filled and sent with page.keyboard alone.

test('keyboard only: road-incident form → acknowledgement → tracking', async () => {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${T}/services/road-incident`);
  const stops = [];
  async function tabTo(id, max = 80) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const f = await focusInfo(page);
      stops.push({ ...f, url: page.url() });
      if (f.id === id) return f;
    }
    throw new Failure(`#${id} not reached after ${max} presses of Tab`, stops.slice(-10).map((s) => `stop: ${s.desc}`));
  }
  const kb = page.keyboard;
  const value = (sel) => page.locator(sel).inputValue();

  // First stop: the skip link.
  await kb.press('Tab');
  const first = await focusInfo(page);
  stops.push({ ...first, url: page.url() });
  assert(first.tag === 'A' && /contenu/i.test(first.desc), `the first Tab stop is ${first.desc}, expected the skip link`);

  await tabTo('f-requester-civility-Mme');
  await kb.press('ArrowDown'); // moves to, and checks, "Monsieur"
  await tabTo('f-requester-firstName');
  await kb.type(REQUESTER.firstName);
  await tabTo('f-requester-lastName');
  await kb.type(REQUESTER.lastName);
  await tabTo('f-requester-email');
  await kb.type(REQUESTER.email);
  await tabTo('f-category');
  await kb.press('ArrowDown'); // first real option: pothole
  await tabTo('f-location-street');
  await kb.type('12 rue de la République');
  await tabTo('f-location-postalCode');
  await kb.type('75002');
  await tabTo('f-location-town');
  await kb.type('Démoville');
  await tabTo('f-description');
  await kb.type('Nid-de-poule de 30 cm devant la boulangerie');
  await tabTo('f-observedOn');
  // Whatever the order of the date's parts (locale), ArrowUp on an empty part sets it to its
  // first value (month 01, day 01) or the current year: the date becomes 1 January this year.
  for (const k of ['ArrowUp', 'ArrowRight', 'ArrowUp', 'ArrowRight', 'ArrowUp']) await kb.press(k);
  await tabTo('f-immediateDanger');
  await kb.press('Space');

  const p = new Problems();
  p.check(await page.locator('#f-requester-civility-M').isChecked(), 'ArrowDown in the civility radios did not check "Monsieur"');
  p.check(await value('#f-requester-firstName') === REQUESTER.firstName, `first name is ${JSON.stringify(await value('#f-requester-firstName'))}`);
  p.check(await value('#f-category') === 'pothole', `ArrowDown on the category select gave ${JSON.stringify(await value('#f-category'))}, expected "pothole"`);
  p.check(await value('#f-observedOn') === `${new Date().getFullYear()}-01-01`, `the date typed with arrows is ${JSON.stringify(await value('#f-observedOn'))}`);
  p.check(await page.locator('#f-immediateDanger').isChecked(), 'Space did not check "danger immédiat"');
  p.throwIfAny('the keyboard did not fill the form as expected');

  // The photos' file input is the next stop (left empty: optional), then the submit button.
  await kb.press('Tab');
  const photo = await focusInfo(page);
  stops.push({ ...photo, url: page.url() });
  assert(photo.desc.includes('f-photo'), `after the checkbox, focus is on ${photo.desc}, expected the photos' file input`);
  await kb.press('Tab');
  const button = await focusInfo(page);
  stops.push({ ...button, url: page.url() });
  assert(button.tag === 'BUTTON' && button.type === 'submit', `after the last field, focus is on ${button.desc}, expected the submit button`);
  const posted = page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 10_000 }).catch(() => null);
  await Promise.all([page.waitForNavigation().catch(() => {}), kb.press('Enter')]);
  const postResp = await posted;
  assert(/\/receipt\//.test(page.url()), `Enter on the submit button did not lead to the acknowledgement but to ${page.url()} (${postResp ? `HTTP ${postResp.status()}` : 'no POST was sent'})`, await errorSummaryLines(page));
  const receipt = await readReceipt(page);

  await tabTo('tracking-link');
  await Promise.all([page.waitForNavigation().catch(() => {}), kb.press('Enter')]);
  await checkTrackingPage(page, receipt.trackingCode);

  // Focus must be visible on every stop (WCAG 2.4.7): an outline or a box-shadow, on screen.
  const seen = new Set();
  const invisible = [];
  for (const s of stops) {
    const key = `${s.url} ${s.desc}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!s.visible) invisible.push(`${s.desc} on ${s.url}: ${s.why} (outline: ${s.outline}, :focus-visible ${s.focusVisible})`);
  }
  assert(seen.size >= 10, `only ${seen.size} distinct tab stops were checked`);
  assert(invisible.length === 0, `focus is not visible on ${invisible.length} of ${seen.size} tab stops`, invisible);
  return `${seen.size} tab stops, focus visible on all; reference ${receipt.reference}`;
});

// ---------------------------------------------------------------------------------------------
// 3. Errors: summary focused, links to fields, aria-invalid, aria-describedby, values kept.

test('errors: bad e-mail and postal code on road-incident', async () => {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${T}/services/road-incident`);
  const answers = {
    ...validAnswers('road-incident'),
    'requester.civility': 'Mme', 'requester.email': 'pas-un-email', 'location.postalCode': '7500',
    locationDetails: 'Côté pair, près de l\'abribus', immediateDanger: 'true',
  };
  await fillForm(page, answers);
  const resp = await submit(page);
  assertEq(resp.status(), 422, 'status of the refused submission');

  const p = new Problems();
  // The summary gets the focus (frame.js) and is announced.
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'error-summary', null, { timeout: 3000 })
    .catch(() => {});
  const focused = await focusInfo(page);
  p.check(focused.id === 'error-summary', `after the refused submission, focus is on ${focused.desc}, expected #error-summary`);
  p.check(await page.getAttribute('#error-summary', 'role') === 'alert', '#error-summary has no role=alert');

  const links = await page.locator('#error-summary a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
  const targets = links.map((l) => l.href).sort();
  const expected = ['#f-location-postalCode', '#f-requester-email'];
  p.check(JSON.stringify(targets) === JSON.stringify(expected), `summary links ${JSON.stringify(targets)}, expected ${JSON.stringify(expected)}`);

  for (const { href, text } of links) {
    const id = href.slice(1);
    // Each link, followed with the keyboard, moves focus to its field.
    await page.locator(`#error-summary a[href="${href}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(100);
    const f = await focusInfo(page);
    p.check(f.id === id, `following the summary link ${href} put focus on ${f.desc}, expected #${id}`);
    p.check(await page.locator(`#${id}`).isVisible(), `#${id} is not visible`);
    // The field: aria-invalid and a description that is the message.
    const field = page.locator(`#${id}`);
    p.check(await field.getAttribute('aria-invalid') === 'true', `#${id} has aria-invalid=${await field.getAttribute('aria-invalid')}`);
    const describedBy = ((await field.getAttribute('aria-describedby')) || '').split(/\s+/).filter(Boolean);
    const descriptions = [];
    for (const d of describedBy) {
      const el = page.locator(`[id="${d}"]`);
      if (await el.count()) descriptions.push({ id: d, text: (await el.innerText()).trim(), cls: await el.getAttribute('class') });
      else p.add(`#${id} aria-describedby names #${d}, which does not exist`);
    }
    const msg = descriptions.find((d) => d.text === text);
    p.check(msg, `#${id}: no element of aria-describedby="${describedBy.join(' ')}" has the summary's text ${JSON.stringify(text)} (have ${JSON.stringify(descriptions.map((d) => d.text))})`);
    p.check(!msg || /\berror-message\b/.test(msg.cls || ''), `#${id}: its message is not an .error-message`);
    if (msg) p.check(await page.locator(`[id="${msg.id}"]`).isVisible(), `#${id}: the message #${msg.id} is not visible`);
  }
  // Fields without an error are not marked invalid.
  const invalid = await page.locator('[aria-invalid=true]').evaluateAll((els) => els.map((e) => e.id).sort());
  p.check(JSON.stringify(invalid) === JSON.stringify(['f-location-postalCode', 'f-requester-email']), `aria-invalid=true on ${JSON.stringify(invalid)}`);

  // What was typed is kept.
  for (const [name, v] of Object.entries(answers)) {
    const id = fieldId(name);
    let got;
    const choice = page.locator(`input[name="${name}"][value="${v}"]`);
    if (['requester.civility', 'immediateDanger'].includes(name)) got = (await choice.isChecked()) ? v : '(unchecked)';
    else got = await page.locator(`#${id}`).inputValue();
    p.check(got === v, `${name} was ${JSON.stringify(v)}, re-rendered as ${JSON.stringify(got)}`);
  }
  p.throwIfAny('the error page is not as it should be');

  // Corrected, the same form goes through.
  await page.fill('#f-requester-email', REQUESTER.email);
  await page.fill('#f-location-postalCode', '75002');
  await submit(page);
  assert(/\/receipt\//.test(page.url()), `the corrected form did not go through (${page.url()})`, await errorSummaryLines(page));
});

// ---------------------------------------------------------------------------------------------
// 4. JavaScript off.

test('javascript off: form, errors, acknowledgement, tracking link and lookup', async () => {
  const context = await newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${T}/services/change-of-address`);
  // An error round trip first.
  await fillForm(page, { ...validAnswers('change-of-address'), householdSize: '0' });
  let resp = await submit(page);
  assertEq(resp.status(), 422, 'status with householdSize 0');
  assert((await focusInfo(page)).id !== 'error-summary', 'the error summary got the focus: JavaScript does not seem to be off');
  assert(await page.locator('#error-summary a[href="#f-householdSize"]').isVisible(), 'no visible summary link to #f-householdSize');
  assertEq(await page.inputValue('#f-newAddress-street'), validAnswers('change-of-address')['newAddress.street'], 'kept new street');
  await page.fill('#f-householdSize', '2');
  resp = await submit(page);
  assert(/\/receipt\//.test(page.url()), `no acknowledgement without JavaScript (${page.url()}, HTTP ${resp && resp.status()})`, await errorSummaryLines(page));
  const r = await readReceipt(page);
  // Proof that JavaScript is off: frame.js did not unhide the print button.
  assert(await page.locator('[data-print]').evaluate((b) => b.hidden), 'the print button lost its hidden attribute: JavaScript does not seem to be off');
  await Promise.all([page.waitForNavigation(), page.click('#tracking-link')]);
  await checkTrackingPage(page, r.trackingCode);
  // The lookup form.
  await page.goto(`${T}/track`);
  await page.fill('#code', r.trackingCode.toLowerCase());
  await Promise.all([page.waitForNavigation(), page.locator('form.lookup button[type=submit]').click()]);
  await checkTrackingPage(page, r.trackingCode);
  return `reference ${r.reference}`;
});

test('javascript on and off: the print button of the acknowledgement is shown only with JavaScript', async () => {
  const p = new Problems();
  for (const js of [true, false]) {
    const page = await (await newContext({ javaScriptEnabled: js })).newPage();
    await submitValid(page, 'room-booking');
    const button = page.locator('[data-print]');
    const state = await button.evaluate((b) => ({ hidden: b.hidden, display: getComputedStyle(b).display, html: b.outerHTML }));
    const visible = await button.isVisible();
    if (js) p.check(visible, `with JavaScript, the print button is not visible (${JSON.stringify(state)})`);
    else p.check(!visible, `without JavaScript, the print button, which only works with JavaScript, is visible: ${state.html} has the hidden attribute but its computed display is "${state.display}"`);
  }
  p.throwIfAny();
});

/** The answers of a service's documentation example (its SOAP envelope), as
 *  form inputs: nested elements become `a.b`, a repeating group's rows
 *  `group.N.field`, a repeated value (several choices) a list. Read in the page,
 *  where the form says which elements are groups. */
async function exampleAnswers(page, code) {
  const doc = await (await fetch(`${T}/services/${code}/doc?format=xml`)).text();
  const envelope = doc.match(/<example>([\s\S]*?)<\/example>/)[1]
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return page.evaluate((xml) => {
    const op = new DOMParser().parseFromString(xml, 'application/xml').getElementsByTagNameNS('*', 'Body')[0].firstElementChild;
    const out = {};
    const walk = (el, prefix) => {
      const seen = {};
      for (const c of el.children) {
        const name = c.localName;
        seen[name] = (seen[name] || 0) + 1;
        if (c.children.length) {
          const row = document.querySelector(`[name^="${prefix}${name}.1."]`) ? `${seen[name]}.` : '';
          walk(c, `${prefix}${name}.${row}`);
        } else {
          const key = prefix + name;
          out[key] = key in out ? [].concat(out[key], c.textContent) : c.textContent;
        }
      }
    };
    walk(op, '');
    return out;
  }, envelope);
}

/** Presses Tab from the top of the page until the form's send button has
 * the focus; returns the form's visible controls the focus never reached on
 * the way (a radio group counts once). */
async function tabToSend(page) {
  const mark = await page.evaluate(() => {
    const form = document.getElementById('form');
    const send = [...form.querySelectorAll('p > button.button:not(.secondary)')].pop();
    send.setAttribute('data-send', '');
    const shown = (el) => el.getClientRects().length > 0 && !el.disabled && !el.closest('[hidden]');
    const want = [];
    for (const el of form.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
      if (!shown(el)) continue;
      const key = el.type === 'radio' ? `radio:${el.name}` : (el.id || el.name || el.textContent.trim());
      if (!want.includes(key)) want.push(key);
    }
    // Tab goes on from the last control filled: start again from the
    // page's first stop, the skip link.
    document.querySelector('a[href]').focus();
    return want;
  });
  const reached = new Set();
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || !el.closest('#form')) return { outside: true };
      return { key: el.type === 'radio' ? `radio:${el.name}` : (el.id || el.name || el.textContent.trim()), send: el.hasAttribute('data-send') };
    });
    if (f.outside) continue;
    reached.add(f.key);
    if (f.send) return mark.filter((k) => !reached.has(k));
  }
  throw new Failure('the send button was not reached after 400 presses of Tab');
}

// Every service of the library, filled from its documentation's example and
// sent from Chromium: a receipt (or a simulation's results), without
// JavaScript for the first service of each theme.
test('every service: submitted in Chromium from its documentation example by the keyboard, JavaScript off for one of each theme', async () => {
  const p = new Problems();
  const catalogue = await (await fetch(`${T}/?format=xml`)).text();
  const themes = [...catalogue.matchAll(/<theme [^>]*code="([a-z0-9-]+)"|<service [^>]*code="([a-z0-9-]+)"/g)];
  const off = new Set();
  for (let i = 0; i < themes.length; i++) if (themes[i][1] && themes[i + 1] && themes[i + 1][2]) off.add(themes[i + 1][2]);
  assertEq(off.size, 8, 'one service of each theme without JavaScript');
  const contexts = { true: await newContext(), false: await newContext({ javaScriptEnabled: false }) };
  let sent = 0;
  for (const code of LIBRARY) {
    const js = !off.has(code);
    const page = await contexts[js].newPage();
    await page.goto(`${T}/services/${code}`);
    const answers = await exampleAnswers(page, code);
    if (code === 'room-booking') answers.eventDate = isoDay(90); // its own slot
    // A long form goes page by page to its summary: each page gets the
    // answers it asks, then "Continuer", until the request is sent.
    let resp;
    for (let turn = 0; turn < 8; turn++) {
      const here = {};
      for (const [name, value] of Object.entries(answers)) {
        if (await page.locator(`form#form [name="${name}"]:not([type=hidden])`).count()) here[name] = value;
      }
      await fillForm(page, here);
      if (await page.locator('.summary').count()) await assertNoViolations(page, `the summary of ${code}`);
      // Sent by the keyboard: from the top of the page, Tab reaches every
      // control of the form in order, then the send button; Enter sends.
      const missed = await tabToSend(page);
      p.check(missed.length === 0, `${code}: controls never reached by Tab: ${missed.join(', ')}`);
      const nav = page.waitForNavigation({ waitUntil: 'load' });
      await page.keyboard.press('Enter');
      resp = await nav;
      if (resp.status() !== 200 || !(await page.locator('nav.stages').count())) break;
    }
    if (code === 'family-quotient') {
      p.check(resp.status() === 200 && await page.locator('#results').isVisible(), `${code}: no results`);
    } else {
      p.check(/\/receipt\//.test(page.url()), `${code} (JavaScript ${js ? 'on' : 'off'}): no receipt (${page.url()}, HTTP ${resp && resp.status()}) ${(await errorSummaryLines(page)).join(' | ')}`);
    }
    sent++;
    await page.close();
  }
  p.throwIfAny();
  return `${sent} services, ${off.size} without JavaScript: ${[...off].join(', ')}`;
}, 180_000);

// Conditional fields and repeating groups with JavaScript: hidden until
// relevant, rows added and removed in place (named and numbered again), by
// the keyboard, and no axe violation.
test('javascript on: a conditional field shows when relevant; rows are added and removed in place', async () => {
  const page = await (await newContext()).newPage();
  await page.goto(`${T}/services/marriage-file`);
  const notary = page.locator('[data-when="marriageContract"]');
  assert(await notary.isHidden(), 'the notary field is hidden until a marriage contract is said');
  await page.locator('#f-marriageContract').focus();
  await page.keyboard.press('Space');
  assert(await notary.isVisible(), 'the notary field shows once the contract is ticked');
  const rows = page.locator('[data-rows="witnesses"] > .row');
  assertEq(await rows.count(), 2, 'two witnesses at least');
  await page.fill('[name="witnesses.2.witnessLastName"]', 'Durand');
  const add = page.locator('[data-rows="witnesses"] [data-add-row]');
  await add.focus();
  await page.keyboard.press('Enter');
  assertEq(await rows.count(), 3, 'a third row, in place');
  assertEq(new URL(page.url()).pathname, `/${TENANT}/services/marriage-file`, 'no page change');
  assertEq(await page.evaluate(() => document.activeElement.name), 'witnesses.3.witnessLastName', 'the new row has the focus');
  assertEq(await page.inputValue('[name="witnesses.3.witnessLastName"]'), '', 'the new row is empty');
  await add.click();
  assertEq(await rows.count(), 4, 'a fourth row');
  assert(await add.isHidden(), 'no fifth witness: the add button hides at the maximum');
  await assertNoViolations(page, 'the marriage file with four witnesses and the notary asked');
  await page.locator('[data-rows="witnesses"] > .row').first().locator('[data-remove-row]').click();
  assertEq(await rows.count(), 3, 'a row removed');
  assertEq(await page.inputValue('[name="witnesses.1.witnessLastName"]'), 'Durand', 'the rows move up and are numbered again');
  assert(await page.locator('#f-witnesses-1-witnessLastName').count() === 1, 'ids numbered again');
  assert(!(await add.isHidden()), 'the add button is back below the maximum');
});

// An appointment's free slots with JavaScript: shown as soon as the date is
// entered (no post-back), offered as the time field's suggestions, and a
// free one taken sends the request.
test('javascript on: an appointment form shows the free slots of the date entered', async () => {
  const page = await (await newContext()).newPage();
  await page.goto(`${T}/services/hosting-certificate`);
  const list = page.locator('[data-slots-list] li');
  assertEq(await list.count(), 0, 'no slot listed before a date');
  // A Tuesday two months ahead (the hosting certificate receives on weekdays).
  // (Not a public holiday: one with free slots.)
  const d = new Date(Date.now() + 60 * 86400000);
  let day, free, expected = [];
  for (let tries = 0; tries < 10 && !expected.length; tries++) {
    do d.setDate(d.getDate() + 1); while (d.getDay() !== 2);
    day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    free = await (await fetch(`${T}/services/hosting-certificate/slots?date=${day}`)).text();
    expected = [...free.matchAll(/<slot>([0-9:]+)<\/slot>/g)].map((m) => m[1]);
  }
  assert(expected.length > 0, `free slots on ${day}`, free);
  await page.fill('#f-appointmentDate', day);
  await page.locator('#f-appointmentDate').dispatchEvent('change');
  await page.waitForFunction((n) => document.querySelectorAll('[data-slots-list] li').length === n, expected.length, { timeout: 5000 });
  assertEq(await list.first().textContent(), expected[0], 'the first free slot');
  assertEq(await page.locator('#f-appointmentTime-slots-list option').count(), expected.length, 'offered as suggestions');
  assertEq(new URL(page.url()).pathname, `/${TENANT}/services/hosting-certificate`, 'no page change');
  assert(/Créneaux libres le mardi/.test(await page.locator('[data-slots-note]').textContent()), 'the day said');
  await assertNoViolations(page, 'an appointment form with its free slots');
});

test('files: a photo sent with the web form, a wrong file refused next to its field, the tracking page lists it — no axe violation', async () => {
  const here = path.dirname(new URL(import.meta.url).pathname);
  const fixtures = path.join(here, '..', 'fixtures');
  const page = await (await newContext()).newPage();
  await page.goto(`${T}/services/road-incident`);
  await fillForm(page, validAnswers('road-incident'));
  // A PDF named like a photo: refused by its content.
  await page.locator('#f-photo').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: fs.readFileSync(path.join(fixtures, 'piece-identite.pdf')) });
  const refused = await submit(page);
  assertEq(refused && refused.status(), 422, 'a PDF is no photo');
  assert((await page.locator('#f-photo-error').innerText()).includes('photo.jpg'), 'the file is named next to its field');
  assert((await page.locator('#f-photo').getAttribute('aria-invalid')) === 'true', 'the input is marked invalid');
  await assertNoViolations(page, 'a form with a file refused');
  await page.locator('#f-photo').setInputFiles(path.join(fixtures, 'photo-gps.jpg'));
  await submit(page);
  assert(/\/receipt\/[^/]+$/.test(page.url()), `sent, not ${page.url()}`, await errorSummaryLines(page));
  const receipt = await readReceipt(page);
  await page.goto(new URL(receipt.trackingHref, page.url()).toString());
  assert((await page.locator('ul.files li').innerText()).includes('photo-gps.jpg'), 'the tracking page lists the photo');
  await assertNoViolations(page, 'a tracking page with its files');
  const agent = await agentPage('paul');
  await agent.goto(`${BO}/requests/${receipt.reference}`);
  assert((await agent.locator('ul.files').innerText()).includes('photo-gps.jpg'), 'the agent sees it');
  await assertNoViolations(agent, 'a request page with its files');
  const [download] = await Promise.all([agent.waitForEvent('download'), agent.locator('ul.files a').first().click()]);
  const kept = fs.readFileSync(await download.path());
  assert(kept.includes(Buffer.from('JFIF')) && !kept.includes(Buffer.from('GPSLatitude')), 'downloaded without its location');
});

// The citizen's account without JavaScript and by the keyboard: every page
// free of axe violations, from sign-up to sign-out.
/**
 * The first column of a query's rows on the server's store, as text: its SQLite file, or its
 * PostgreSQL database when GUICHET_DATABASE is set (the suite's PostgreSQL pass). `:'a'` in `sql`
 * is `value`, bound on both.
 */
function storeColumn(sql, value) {
  if (process.env.GUICHET_DATABASE) {
    const out = execFileSync('psql', [process.env.GUICHET_DATABASE, '-qAt', '-v', `a=${value}`], { input: sql });
    return out.toString().split('\n').filter(Boolean);
  }
  const script = `import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for (t,) in c.execute(sys.argv[2], (sys.argv[3],)):
    print((t or "").replace("\\n", " "))`;
  const db = path.join(DATA_DIR, 'guichet.sqlite3');
  return execFileSync('python3', ['-c', script, db, sql.replace(":'a'", '?'), value])
    .toString().split('\n').filter(Boolean);
}

/** The link of the last account message to `address` (read from the store: this suite has no mail server). */
async function accountLink(address) {
  for (let i = 0; i < 50; i++) {
    const texts = [
      ...storeColumn("SELECT secret FROM outbox WHERE recipient = :'a' AND secret IS NOT NULL ORDER BY id DESC LIMIT 1", address),
      ...storeColumn("SELECT body FROM deliveries WHERE address = :'a' ORDER BY id DESC LIMIT 1", address),
    ];
    for (const text of texts) {
      const m = text.match(/https?:\/\/[^/\s]+(\/[^\s]*account\/[^\s]+)/);
      if (m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Failure(`no account message to ${address}`);
}

/**
 * A JavaScript-off browser driven by the keyboard: `tabTo(id or selector)` tabs until it has the
 * focus, `enter()` presses Enter and waits for the next page, `check(what)` runs axe on the page as
 * it was received (axe needs JavaScript: the same HTML is checked in a page that runs scripts, its
 * styles from the server) and lists it in `seen`.
 */
async function keyboardBrowser() {
  const page = await (await newContext({ javaScriptEnabled: false })).newPage();
  const kb = page.keyboard;
  const seen = [];
  const axePage = await (await newContext()).newPage();
  const check = async (what) => {
    const html = await page.content();
    const url = page.url();
    await axePage.route(url, (r) => r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }), { times: 1 });
    await axePage.goto(url);
    await assertNoViolations(axePage, what);
    seen.push(what);
  };
  const tabTo = async (id) => {
    const selector = /^[a-z][\w-]*$/.test(id) ? `#${id}` : id;
    for (let i = 0; i < 80; i++) {
      await kb.press('Tab');
      if (await page.evaluate((sel) => document.activeElement && document.activeElement.matches(sel), selector)) return;
    }
    throw new Failure(`${selector} not reached by Tab on ${page.url()}`);
  };
  const enter = async () => { await Promise.all([page.waitForNavigation(), kb.press('Enter')]); };
  return { page, kb, seen, check, tabTo, enter };
}

test('account: sign up, confirm, requests, profile, security, sign out — JavaScript off, keyboard only, no axe violation', async () => {
  const { page, kb, seen, check, tabTo, enter } = await keyboardBrowser();
  const email = `zoe.${Date.now()}@example.fr`;

  await page.goto(`${T}/`);
  await Promise.all([page.waitForNavigation(), page.locator('header a', { hasText: 'Mon compte' }).click()]);
  assert(/\/account\/login/.test(page.url()), `the account link leads to sign-in, not ${page.url()}`);
  await check('sign-in');
  await page.goto(`${T}/account/signup`);
  await check('sign-up');
  await tabTo('signup-email'); await kb.type(email);
  await tabTo('signup-password'); await kb.type('azertyuiop123');
  await enter();
  assert(await page.locator('#signup-password-error').count() === 1, 'a common password is refused next to its field');
  await check('sign-up refused');
  await tabTo('signup-password'); await kb.type('Lune-verte-sous-la-pluie-7');
  await enter();
  await check('sign-up sent');
  await page.goto(`${BASE}${await accountLink(email)}`);
  await check('confirmation');
  await tabTo('#confirm button');
  await enter();
  assert(/\/account\/\?welcome/.test(page.url()), `confirmed, not at the dashboard: ${page.url()}`);
  await check('dashboard, empty');

  // A request sent signed in is on the dashboard, its steps listed.
  await submitValid(page, 'road-incident');
  await page.goto(`${T}/account/`);
  assert(await page.locator('.account-request').count() === 1, 'the request is on the dashboard');
  await check('dashboard with a request');
  await Promise.all([page.waitForNavigation(), page.locator('.account-request h2 a').first().click()]);
  await check('a request');
  await page.goto(`${T}/account/archive`);
  await check('archive');
  await page.goto(`${T}/account/profile`);
  await tabTo('profile-lastName'); await kb.type('Lefèvre');
  await tabTo('profile-postalCode'); await kb.type('7500');
  await enter();
  assert(await page.locator('#profile-postalCode-error').count() === 1, 'a bad postal code is said next to it');
  await check('profile refused');
  await tabTo('profile-postalCode'); await kb.press('End'); await kb.type('2');
  await enter();
  await check('profile saved');
  const form = await (await page.context().request.get(`${T}/services/birth-certificate`)).text();
  assert(form.includes('value="Lefèvre"'), 'a form opened signed in is filled from the profile');
  await page.goto(`${T}/account/security`);
  await check('address and password');
  await page.goto(`${T}/account/forgot`);
  await check('forgotten password');
  // Signed out by the keyboard.
  await page.goto(`${T}/account/`);
  await tabTo('form.logout button');
  await enter();
  assert(/\/account\/login/.test(page.url()), `signed out to the sign-in page, not ${page.url()}`);
  await page.goto(`${T}/account/`);
  assert(/\/account\/login/.test(page.url()), 'the session is over');
  // Signed in again, the account is closed from the security page.
  await tabTo('login-email'); await kb.type(email);
  await tabTo('login-password'); await kb.type('Lune-verte-sous-la-pluie-7');
  await enter();
  await page.goto(`${T}/account/security`);
  await tabTo('close-confirmation'); await kb.type('pas le bon');
  await tabTo('#close button');
  await enter();
  assert(await page.locator('#close-confirmation-error').count() === 1, 'a wrong password is said next to its field');
  await check('closing refused');
  await tabTo('close-confirmation'); await kb.type('Lune-verte-sous-la-pluie-7');
  await tabTo('#close button');
  await enter();
  assert((await page.content()).includes('Votre compte est fermé'), `closed: ${page.url()}`);
  await check('account closed');
  await page.goto(`${T}/account/`);
  assert(/\/account\/login/.test(page.url()), 'no session after closing');
  return `${seen.length} pages: ${seen.join(', ')}`;
}, 60_000);

// ---------------------------------------------------------------------------------------------
// 5. Inside an iframe of a page of another origin, with embed.js; and refused elsewhere.

test('iframe: allowed origin, form → acknowledgement → tracking inside the frame, resized by embed.js', async () => {
  const src = `${T}/services/room-booking`;
  const host = await startHostServer(hostPageHtml(src, `${T}/assets/embed.js`));
  try {
    const hostUrl = `http://localhost:${host.port}/`;
    await allowFrameAncestors([`http://localhost:${host.port}`]);
    const context = await newContext();
    const log = await instrument(context);
    const page = await context.newPage();
    await page.goto(hostUrl);
    const iframe = page.locator('iframe');
    const frame = await (await iframe.elementHandle()).contentFrame();
    assert(frame, 'the iframe has no frame');
    await frame.waitForLoadState('load');
    assert(await frame.locator('form#form').count() === 1, `the frame does not show the form (frame URL ${frame.url()})`);

    // embed.js sizes the iframe to the page's height.
    async function sizes() {
      const box = await iframe.evaluate((el) => ({ h: el.getBoundingClientRect().height, style: el.style.height, attr: el.getAttribute('height') }));
      const inner = await frame.evaluate(() => ({ content: Math.ceil(document.documentElement.getBoundingClientRect().height), scroll: document.documentElement.scrollHeight, view: innerHeight }));
      return { ...box, ...inner };
    }
    async function waitResized(what, min) {
      let s;
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        s = await sizes();
        if (s.h > min && Math.abs(s.h - s.content) <= 16 && s.scroll <= s.view + 1) return s;
        await page.waitForTimeout(100);
      }
      throw new Failure(`embed.js did not size the iframe to the ${what}: iframe ${s.h}px (style.height ${JSON.stringify(s.style)}, height attribute ${JSON.stringify(s.attr)}), content ${s.content}px, scrollHeight ${s.scroll}px in a ${s.view}px viewport`);
    }
    const formSize = await waitResized('form', 600);

    await fillForm(frame, validAnswers('room-booking'));
    const resp = await submit(frame);
    assert(/\/receipt\//.test(frame.url()), `the form sent in the iframe did not land on the acknowledgement (${frame.url()}, HTTP ${resp && resp.status()})`, await errorSummaryLines(frame));
    assertEq(page.url(), hostUrl, 'the host page URL (the acknowledgement must stay inside the iframe)');
    const r = await readReceipt(frame);
    const receiptSize = await waitResized('acknowledgement', 200);

    await Promise.all([frame.waitForNavigation(), frame.locator('#tracking-link').click()]);
    assertEq(page.url(), hostUrl, 'the host page URL (the tracking page must stay inside the iframe)');
    const t = await checkTrackingPage(frame, r.trackingCode);
    const trackSize = await waitResized('tracking page', 200);

    const frameErrors = log.console.filter((m) => m.type === 'error');
    assert(log.csp.length === 0, `CSP violations inside the frame`, log.csp.map((c) => JSON.stringify(c)));
    assert(frameErrors.length === 0, `console errors`, frameErrors.map((m) => `${m.url}: ${m.text}`));
    return `iframe height: form ${formSize.h}px (content ${formSize.content}px), acknowledgement ${receiptSize.h}px, tracking ${trackSize.h}px; ${t.steps} steps, state "${t.state}"`;
  } finally {
    await host.close();
  }
});

test('iframe: refused on an origin not in frame_ancestors (CSP frame-ancestors)', async () => {
  const src = `${T}/services/room-booking`;
  const allowed = await startHostServer(hostPageHtml(src, `${T}/assets/embed.js`));
  const denied = await startHostServer(hostPageHtml(src, `${T}/assets/embed.js`));
  try {
    await allowFrameAncestors([`http://localhost:${allowed.port}`]);
    const context = await newContext();
    const log = await instrument(context);
    const page = await context.newPage();
    const served = [];
    page.on('response', (r) => { if (r.url() === src) served.push({ status: r.status(), csp: r.headers()['content-security-policy'] || '' }); });
    await page.goto(`http://localhost:${denied.port}/`);
    await page.waitForTimeout(500);
    assert(served.length === 1 && served[0].status === 200, `the framed page was not served (responses: ${JSON.stringify(served)}): cannot tell a CSP refusal from a network failure`);
    assert(!served[0].csp.includes(`localhost:${denied.port}`), `the CSP allows the denied origin: ${served[0].csp}`);
    const frame = await (await page.locator('iframe').elementHandle()).contentFrame();
    let content = '';
    if (frame) content = await frame.evaluate(() => (document.querySelector('#form') ? 'form' : document.body ? document.body.innerText.slice(0, 80) : '')).catch((e) => `(not scriptable: ${e.message.split('\n')[0]})`);
    assert(content !== 'form', `the form is displayed inside a page of http://localhost:${denied.port}, which frame_ancestors does not list (frame URL ${frame && frame.url()})`);
    const refusal = log.console.find((m) => /frame-ancestors/.test(m.text));
    return `frame URL ${frame ? frame.url() : '(none)'}; console: ${refusal ? refusal.text.slice(0, 140) : '(no message)'}`;
  } finally {
    await allowed.close();
    await denied.close();
  }
});

// ---------------------------------------------------------------------------------------------
// 6. English.

test('english: form page in English (lang, title, common wording)', async () => {
  const page = await (await newContext({ locale: 'en-GB' })).newPage();
  const resp = await page.goto(`${T}/services/road-incident?lang=en`);
  const p = new Problems();
  p.check(resp.headers()['content-language'] === 'en', `Content-Language is ${resp.headers()['content-language']}`);
  p.check(await page.getAttribute('html', 'lang') === 'en', `<html lang="${await page.getAttribute('html', 'lang')}">`);
  const text = async (sel) => (await page.locator(sel).first().innerText()).trim();
  p.check(await text('form#form button[type=submit]') === 'Send the request', `submit button says ${JSON.stringify(await text('form#form button[type=submit]'))}`);
  p.check(await text('main h1') === 'Report an incident on the public road', `h1 is ${JSON.stringify(await text('main h1'))}`);
  p.check(/Report an incident on the public road/.test(await page.title()), `title is ${JSON.stringify(await page.title())}`);
  p.check(await text('a.skip') === 'Skip to content', `skip link says ${JSON.stringify(await text('a.skip'))}`);
  const legends = await page.locator('fieldset.group > legend').allInnerTexts();
  p.check(JSON.stringify(legends.map((s) => s.trim())) === JSON.stringify(['Your details', 'Your request']), `group legends ${JSON.stringify(legends)}`);
  p.check(await text('label[for=f-requester-firstName] .required') === '(required)', `required marker ${JSON.stringify(await text('label[for=f-requester-firstName] .required'))}`);
  p.check(await text('.required-note') === 'Fields marked “required” must be filled in.', `required note ${JSON.stringify(await text('.required-note'))}`);
  p.check(await page.locator('select#f-category option[value=""]').innerText() === '— Choose —', 'the select placeholder is not "— Choose —"');
  const nav = await page.locator('header nav a').allInnerTexts();
  p.check(nav.includes('Online services') && nav.includes('Follow a request'), `navigation ${JSON.stringify(nav)}`);
  const fr = page.locator('header nav a[hreflang=fr]');
  p.check(await fr.count() === 1 && await fr.getAttribute('lang') === 'fr' && (await fr.innerText()).trim() === 'Français', 'no link "Français" with lang=fr hreflang=fr');
  p.throwIfAny('the English page is not in English');
});

test('english: the requester block (common to every form) is in English or marked lang="fr"', async () => {
  // Texts identical on the French and English pages must at least carry lang="fr" (WCAG 3.1.2,
  // language of parts) so that a screen reader set to English pronounces them as French.
  const context = await newContext();
  const page = await context.newPage();
  const texts = async (url) => {
    await page.goto(url);
    return page.locator('fieldset.group').first().locator('label, legend').evaluateAll((els) => els.slice(1).map((e) => ({
      id: e.getAttribute('for') || (e.parentElement && e.parentElement.id) || '',
      text: e.textContent.replace(/\(.*?\)/g, '').trim(),
      lang: e.closest('[lang]').getAttribute('lang'),
    })));
  };
  const fr = await texts(`${T}/services/road-incident`);
  const en = await texts(`${T}/services/road-incident?lang=en`);
  const untranslated = en.filter((e, i) => fr[i] && fr[i].text === e.text && e.lang !== 'fr');
  assert(untranslated.length === 0,
    `${untranslated.length} of ${en.length} labels of the requester block ("Your details") are French on the English page, without lang="fr"`,
    untranslated.map((u) => `${u.id}: "${u.text}" (lang of its nearest ancestor: ${u.lang})`));
});

test('english: a refused then accepted submission, and the tracking lookup, stay in English', async () => {
  const page = await (await newContext({ locale: 'en-GB' })).newPage();
  await page.goto(`${T}/services/road-incident?lang=en`);
  await fillForm(page, { ...validAnswers('road-incident'), 'location.postalCode': '7500' });
  assertEq((await submit(page)).status(), 422, 'status of the English form with postal code 7500');
  const p = new Problems();
  const lang = async (what) => {
    const l = await page.getAttribute('html', 'lang');
    p.check(l === 'en', `${what} (${page.url()}) is in lang="${l}"`);
  };
  await lang('the form with errors');
  p.check((await page.locator('#error-summary h2').innerText()).trim() === 'There are errors in the form', `error summary title ${JSON.stringify(await page.locator('#error-summary h2').innerText())}`);
  await page.fill('#f-location-postalCode', '75002');
  await submit(page);
  const r = await readReceipt(page);
  await lang('the acknowledgement');
  p.check((await page.locator('#tracking-link').innerText()).trim() === 'Follow my request', `tracking link says ${JSON.stringify(await page.locator('#tracking-link').innerText())}`);
  await Promise.all([page.waitForNavigation(), page.click('#tracking-link')]);
  await lang('the tracking page reached from the acknowledgement');
  // The lookup form (method GET) of the English tracking page.
  await page.goto(`${T}/track?lang=en`);
  await page.fill('#code', r.trackingCode);
  await Promise.all([page.waitForNavigation(), page.locator('form.lookup button[type=submit]').click()]);
  await lang('the tracking page reached from the English lookup form');
  await page.goto(`${T}/track?lang=en`);
  await page.fill('#code', 'nope');
  await Promise.all([page.waitForNavigation(), page.locator('form.lookup button[type=submit]').click()]);
  await lang('the English lookup form with a malformed code');
  p.throwIfAny();
});

// ---------------------------------------------------------------------------------------------
// 7. Escaping: hostile text in fields never runs.

test('escaping: script and attribute injection in fields never run', async () => {
  const context = await newContext();
  const log = await instrument(context);
  const page = await context.newPage();
  await page.goto(`${T}/services/road-incident`);
  const hostile = {
    'requester.firstName': XSS_SCRIPT, 'requester.lastName': XSS_ATTR,
    'location.street': XSS_ATTR, 'location.town': XSS_SCRIPT, locationDetails: XSS_SCRIPT,
    description: `${XSS_SCRIPT} ${XSS_ATTR}`,
  };
  await fillForm(page, { ...validAnswers('road-incident'), ...hostile, 'location.postalCode': '7500' });
  const p = new Problems();
  async function checkClean(what) {
    await page.waitForTimeout(300); // let an injected onerror fire, if any
    const state = await page.evaluate(() => ({
      pwned: typeof window.__pwned,
      scripts: [...document.scripts].map((s) => s.getAttribute('src') || `(inline) ${s.textContent.slice(0, 60)}`),
      imgs: [...document.images].map((i) => i.outerHTML),
      handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).map((e) => e.outerHTML.slice(0, 120)),
    }));
    p.check(state.pwned === 'undefined', `${what}: window.__pwned is ${state.pwned}`);
    p.check(state.scripts.length === 1 && /\/assets\/frame\.js/.test(state.scripts[0]), `${what}: scripts in the page: ${JSON.stringify(state.scripts)}`);
    p.check(state.imgs.every((i) => !/src="x"/.test(i)), `${what}: injected <img>: ${JSON.stringify(state.imgs)}`);
    p.check(state.handlers.length === 0, `${what}: elements with on* attributes: ${JSON.stringify(state.handlers)}`);
  }
  const resp = await submit(page);
  assertEq(resp.status(), 422, 'status of the form with hostile text and postal code 7500');
  await checkClean('the re-rendered form');
  for (const [name, v] of Object.entries(hostile)) {
    const got = await page.locator(`#${fieldId(name)}`).inputValue();
    p.check(got === v, `${name} re-rendered as ${JSON.stringify(got)}, expected the exact text ${JSON.stringify(v)}`);
  }
  await page.fill('#f-location-postalCode', '75002');
  await submit(page);
  if (p.check(/\/receipt\//.test(page.url()), `the form with hostile text did not go through (${page.url()})`)) {
    await checkClean('the acknowledgement');
    const r = await readReceipt(page);
    await Promise.all([page.waitForNavigation(), page.click('#tracking-link')]);
    await checkClean('the tracking page');
    await checkTrackingPage(page, r.trackingCode);
  }
  // The tracking lookup echoes the code typed.
  await page.goto(`${T}/track`);
  await page.fill('#code', XSS_ATTR);
  await Promise.all([page.waitForNavigation(), page.locator('form.lookup button[type=submit]').click()]);
  await checkClean('the tracking lookup with a hostile code');
  p.check(await page.inputValue('#code') === XSS_ATTR, `the lookup re-rendered the code as ${JSON.stringify(await page.inputValue('#code'))}`);
  // The query string of a page (lang).
  await page.goto(`${T}/services/road-incident?lang=${encodeURIComponent(XSS_ATTR)}`);
  await checkClean('a form with a hostile ?lang=');

  p.check(log.csp.length === 0, `CSP violations (an injected script or handler tried to run): ${JSON.stringify(log.csp)}`);
  const cspConsole = log.console.filter((m) => /Content Security Policy|Refused to/i.test(m.text));
  p.check(cspConsole.length === 0, `console CSP messages: ${cspConsole.map((m) => m.text).join(' | ')}`);
  p.check(log.errors.length === 0, `page errors: ${log.errors.join(' | ')}`);
  p.throwIfAny('hostile text was not inert');
});

// ---------------------------------------------------------------------------------------------
// Reflow (WCAG 1.4.10): 320 CSS px wide, nothing scrolls sideways.

test('reflow: 320 CSS px wide, no horizontal scrolling', async () => {
  const page = await (await newContext({ viewport: { width: 320, height: 640 } })).newPage();
  const p = new Problems();
  const checkWidth = async (what) => {
    const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
      widest: [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 3).map((e) => e.outerHTML.slice(0, 100)) }));
    p.check(w.scroll <= w.view, `${what} (${page.url()}): ${w.scroll}px wide in a ${w.view}px viewport; overflowing: ${JSON.stringify(w.widest)}`);
  };
  await page.goto(`${T}/`);
  await checkWidth('the catalogue');
  for (const code of SERVICES) {
    await page.goto(`${T}/services/${code}`);
    await checkWidth(`the ${code} form`);
  }
  await page.goto(`${T}/track`);
  await checkWidth('the tracking lookup');
  await page.goto(`${T}/services/room-booking`);
  await submit(page);
  await checkWidth('the room-booking form with errors');
  const r = await submitValid(page, 'birth-certificate');
  await checkWidth('the acknowledgement');
  await page.goto(new URL(r.trackingHref, page.url()).href);
  await checkWidth('the tracking page');
  p.throwIfAny();
});

// ---------------------------------------------------------------------------------------------
// 8. Page weight: HTML + CSS of each form.

test(`page weight: HTML + CSS of each form under ${MAX_PAGE_WEIGHT / 1024} KB`, async () => {
  const rows = [];
  const p = new Problems();
  for (const code of SERVICES) {
    const page = await (await newContext()).newPage(); // an empty cache: every file goes over the wire
    const responses = [];
    const onResponse = (r) => responses.push(r);
    page.on('response', onResponse);
    await page.goto(`${T}/services/${code}`, { waitUntil: 'load' });
    page.off('response', onResponse);
    const row = { code, html: 0, css: 0, js: 0, htmlWire: 0, cssWire: 0, files: [] };
    for (const r of responses) {
      const type = r.request().resourceType();
      const body = (await r.body()).length;
      const sizes = await r.request().sizes();
      const wire = sizes.responseBodySize + sizes.responseHeadersSize;
      const kind = type === 'document' ? 'html' : type === 'stylesheet' ? 'css' : type === 'script' ? 'js' : null;
      if (!kind) continue;
      row[kind] += body;
      if (kind !== 'js') row[`${kind}Wire`] += wire;
      row.files.push(`${new URL(r.url()).pathname} ${body} B`);
    }
    rows.push(row);
    p.check(row.css > 0, `${code}: no stylesheet was loaded`);
    p.check(row.html + row.css < MAX_PAGE_WEIGHT, `${code}: HTML ${row.html} B + CSS ${row.css} B = ${row.html + row.css} B, over ${MAX_PAGE_WEIGHT} B`);
  }
  p.throwIfAny();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  return rows.map((r) => `${r.code}: HTML ${kb(r.html)} + CSS ${kb(r.css)} = ${kb(r.html + r.css)} (on the wire with headers ${kb(r.htmlWire + r.cssWire)}; JS ${kb(r.js)})`).join('; ');
});

// ---------------------------------------------------------------------------------------------
// The agents' back office.

const DEMO_PASSWORD = 'demoville-2026';
const BO = `${T}/backoffice`;

/** Submits a request through SOAP 1.1, as a town's site would; returns { reference, code }. */
async function soapSubmit(inner) {
  const envelope = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:g="urn:guichet:${TENANT}"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;
  const r = await fetch(`${T}/soap`, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: envelope });
  const text = await r.text();
  assertEq(r.status, 200, `SOAP submit (${text.slice(0, 300)})`);
  const pick = (name) => (text.match(new RegExp(`<(?:\\w+:)?${name}>([^<]*)</`)) || [])[1];
  return { reference: pick('reference'), code: pick('trackingCode') };
}

const SOAP_REQUESTER = '<g:requester><g:firstName>Jean</g:firstName><g:lastName>Navigateur</g:lastName><g:email>jean@example.fr</g:email></g:requester>';
const SOAP_BIRTH = `<g:SubmitBirthCertificateRequest>${SOAP_REQUESTER}<g:actType>integral</g:actType><g:requesterRelation>self</g:requesterRelation><g:personLastName>Navigateur</g:personLastName><g:personFirstNames>Jean</g:personFirstNames><g:birthDate>1980-02-29</g:birthDate><g:birthPlace>Démoville</g:birthPlace><g:motherName>Martin Anne</g:motherName><g:copies>1</g:copies><g:deliveryMode>post</g:deliveryMode></g:SubmitBirthCertificateRequest>`;
const SOAP_ROAD = `<g:SubmitRoadIncidentReport>${SOAP_REQUESTER}<g:category>pothole</g:category><g:location><g:street>4 rue du Navigateur</g:street><g:postalCode>75002</g:postalCode><g:town>Démoville</g:town></g:location><g:description>Plaque commémorative descellée</g:description><g:observedOn>${isoDay(-1)}</g:observedOn></g:SubmitRoadIncidentReport>`;

/** A new browser context with an agent logged in through the login page; returns its page. */
async function agentPage(login) {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${BO}/`);
  assert(page.url().startsWith(`${BO}/login`), `not logged in, ${BO}/ leads to the login page (got ${page.url()})`);
  await page.getByLabel('Identifiant').fill(login);
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Se connecter' }).click()]);
  assertEq(new URL(page.url()).pathname, `/${TENANT}/backoffice/`, `${login} lands on the console`);
  return page;
}

/** Clicks a button and waits for the page that follows. */
async function press(page, locator) {
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  await locator.click();
  const response = await nav;
  return response ? response.status() : 0;
}

async function currentStep(page) {
  return (await page.locator('.current-step').textContent()).trim();
}

/** The citizen's tracking page: each step's label and whether it is done. */
async function citizenSteps(code) {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${T}/track/${code}`);
  const steps = await page.locator('ol.steps > li').evaluateAll((lis) => lis.map((li) => ({
    label: li.querySelector('.label').textContent.trim(), done: li.classList.contains('done'),
  })));
  const messages = await page.locator('.replies .text').allTextContents();
  await context.close();
  return { steps, messages };
}

test('backoffice: an agent takes a SOAP request and moves it to its end; the citizen follows each step', async () => {
  const { reference, code } = await soapSubmit(SOAP_BIRTH);
  const page = await agentPage('marie');
  await assertNoViolations(page, 'the console');
  // Find it with the console's search, open it.
  await page.getByLabel('Recherche (référence, nom, texte)').fill(reference);
  await press(page, page.getByRole('button', { name: 'Filtrer' }));
  assertEq(await page.locator('table.requests tbody tr').count(), 1, 'one request found');
  await press(page, page.getByRole('link', { name: reference }));
  assertEq(await currentStep(page), 'Demande initiale', 'first step');
  await assertNoViolations(page, 'a new request');
  const seen = [];
  for (const [button, step] of [
    ['Prendre en charge', 'Prise en charge'],
    ['Contrôler la validité', 'Contrôle de validité'],
    ["Demande valide : établir l'acte", 'Acte préparé'],
    ['Envoyé par courrier ou prêt au guichet', 'Envoyé par courrier'],
    ['Clôturer', 'Clôturée'],
  ]) {
    const status = await press(page, page.getByRole('button', { name: button, exact: true }));
    assertEq(status, 200, `after "${button}"`);
    assertEq(await currentStep(page), step, `after "${button}"`);
    assert(await page.locator('.notice.success').isVisible(), `"${button}": the page says it is saved`);
    const { steps } = await citizenSteps(code);
    seen.push(steps.filter((s) => s.done).length);
  }
  await assertNoViolations(page, 'a closed request with its history');
  assertEq(await page.locator('ol.history > li').count(), 6, 'history: submitted + 5 actions');
  assertEq(JSON.stringify(seen), JSON.stringify([2, 3, 4, 5, 6]), 'the citizen sees one more step done after each action');
  const { steps } = await citizenSteps(code);
  assert(steps.every((s) => s.done), `every step done for the citizen: ${JSON.stringify(steps)}`);
});

test('backoffice: an agent makes the letter of the step and adds a photo from the field, by the keyboard; the request and its receipt download as PDF — no axe violation', async () => {
  const { reference } = await soapSubmit(SOAP_ROAD);
  const page = await agentPage('paul');
  await page.goto(`${BO}/requests/${reference}`);
  await assertNoViolations(page, 'a request with its letter and document forms');
  const letter = page.locator('form', { has: page.getByRole('button', { name: 'Produire le courrier (PDF)' }) });
  await letter.getByLabel('Texte ajouté au courrier (facultatif)').fill('Une équipe passera jeudi.');
  await letter.getByLabel('L\'envoyer au demandeur par courriel (jean@example.fr)').focus();
  await page.keyboard.press('Space');
  assert(await letter.getByLabel('L\'envoyer au demandeur par courriel (jean@example.fr)').isChecked(), 'ticked by the keyboard');
  await letter.getByRole('button', { name: 'Produire le courrier (PDF)' }).focus();
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  await page.keyboard.press('Enter');
  await nav;
  assert(await page.locator('.notice.success').isVisible(), 'the letter is made');
  const files = page.locator('ul.files li');
  assertEq(await files.count(), 1, 'the letter among the files');
  assert((await files.first().textContent()).includes(`courrier-${reference}-received.pdf`), 'named after the request and step');
  assert((await files.first().textContent()).includes('Ajoutée par paul'), 'added by the agent');
  const href = await files.first().locator('a').getAttribute('href');
  const pdf = await page.request.get(new URL(href, page.url()).href);
  assertEq(pdf.headers()['content-type'], 'application/pdf', 'the letter is a PDF');
  assert((await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'a PDF file');

  // A photo from the field, chosen and sent by the keyboard.
  const here = path.dirname(new URL(import.meta.url).pathname);
  const add = page.locator('form', { has: page.getByRole('button', { name: 'Joindre le document' }) });
  await add.locator('input[type=file]').setInputFiles(path.join(here, '..', 'fixtures', 'photo-gps.jpg'));
  await add.getByRole('button', { name: 'Joindre le document' }).focus();
  const sent = page.waitForNavigation({ waitUntil: 'load' });
  await page.keyboard.press('Enter');
  await sent;
  assertEq(await page.locator('ul.files li').count(), 2, 'the photo joins the letter');
  await assertNoViolations(page, 'a request with the town\'s documents');

  // The request and its receipt as PDF, from the request page.
  for (const name of ['Télécharger la demande (PDF)', 'Télécharger l\'accusé de réception (PDF)']) {
    const link = page.getByRole('link', { name });
    const r = await page.request.get(new URL(await link.getAttribute('href'), page.url()).href);
    assertEq(r.headers()['content-type'], 'application/pdf', name);
  }
});

test('backoffice: a transfer, a validation asked and given, and the answer reaches the citizen', async () => {
  const { reference, code } = await soapSubmit(SOAP_ROAD);
  const paul = await agentPage('paul');
  await paul.goto(`${BO}/requests/${reference}`);
  await paul.locator('#transfer-to').selectOption({ label: 'État civil' });
  await paul.locator('#transfer-comment').fill('Une plaque commémorative : le service État civil gère le patrimoine.');
  await press(paul, paul.getByRole('button', { name: 'Transférer', exact: true }));
  assertEq(new URL(paul.url()).pathname, `/${TENANT}/backoffice/`, 'Paul is back on his console');
  const refused = await paul.goto(`${BO}/requests/${reference}`);
  assertEq(refused.status(), 403, 'Paul no longer opens the transferred request');
  await assertNoViolations(paul, 'the access refused page');

  const marie = await agentPage('marie');
  await marie.goto(`${BO}/requests/${reference}`);
  assert((await marie.locator('ol.history').textContent()).includes('Transférée au service État civil'), 'the transfer is in the history');
  await marie.locator('#validation-to').selectOption({ label: 'Voirie' });
  const answer = 'Votre signalement est transmis au service du patrimoine, qui interviendra sous huit jours.';
  await marie.locator('#validation-text').fill(answer);
  await press(marie, marie.getByRole('button', { name: 'Demander la validation' }));
  assert(await marie.locator('section.validation').isVisible(), 'the pending validation is shown');
  assertEq((await citizenSteps(code)).messages.length, 0, 'nothing sent before validation');

  const sophie = await agentPage('sophie');
  await sophie.goto(`${BO}/requests/${reference}`);
  await assertNoViolations(sophie, 'a request with a validation to decide');
  await press(sophie, sophie.getByRole('button', { name: 'Valider et envoyer au demandeur' }));
  assert(!(await sophie.locator('section.validation').count()), 'no validation pending any more');
  const { messages } = await citizenSteps(code);
  assertEq(JSON.stringify(messages), JSON.stringify([answer]), 'the citizen reads the validated answer');
});

test('backoffice: two agents press a button on the same request at once; the second is told', async () => {
  const { reference } = await soapSubmit(SOAP_BIRTH);
  const marie = await agentPage('marie');
  const admin = await agentPage('admin');
  await marie.goto(`${BO}/requests/${reference}`);
  await admin.goto(`${BO}/requests/${reference}`);
  const s1 = await press(marie, marie.getByRole('button', { name: 'Prendre en charge', exact: true }));
  const s2 = await press(admin, admin.getByRole('button', { name: 'Prendre en charge', exact: true }));
  assertEq(s1, 200, 'the first wins');
  assertEq(s2, 409, 'the second is refused');
  assert((await admin.locator('.notice.conflict').textContent()).includes("modifiée par quelqu'un d'autre"), 'and told why');
  assertEq(await currentStep(admin), 'Prise en charge', 'and sees the request as it is now');
  await assertNoViolations(admin, 'the conflict page');
});

test('backoffice: axe on the login page with an error, the mass-action confirmation and the admin page with errors', async () => {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${BO}/login`);
  await assertNoViolations(page, 'the login page');
  await page.getByLabel('Identifiant').fill('personne');
  await page.getByLabel('Mot de passe').fill('mauvais');
  assertEq(await press(page, page.getByRole('button', { name: 'Se connecter' })), 422, 'wrong password');
  await assertNoViolations(page, 'the login page with an error');

  const { reference } = await soapSubmit(SOAP_BIRTH);
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/?q=${reference}`);
  await admin.getByLabel(`Sélectionner la demande ${reference}`).check();
  await admin.locator('#mass-action').selectOption('take');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Appliquer…' })), 200, 'confirmation page');
  await assertNoViolations(admin, 'the mass-action confirmation');
  await press(admin, admin.getByRole('link', { name: 'Annuler' }));

  await admin.goto(`${BO}/admin`);
  await assertNoViolations(admin, 'the admin page');
  await admin.locator('#agent-login').fill('Pas Bon');
  assertEq(await press(admin, admin.getByRole('button', { name: "Créer l'agent" })), 422, 'refused');
  await assertNoViolations(admin, 'the admin page with errors');
  assert(await admin.locator('#agent-login[aria-invalid=true]').count(), 'the login field is marked invalid');
});

test('backoffice: the statistics page — chosen by the keyboard, a chart read as an image with its title, its table, a CSV download with the accents right, a bad range said next to its field, printable — no axe violation', async () => {
  await soapSubmit(SOAP_BIRTH);
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/`);
  await press(admin, admin.getByRole('link', { name: 'Statistiques' }));
  assert(admin.url().includes('/backoffice/stats'), `the statistics page: ${admin.url()}`);
  await admin.getByLabel('Période', { exact: true }).selectOption('year');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Afficher' })), 200, 'the last 12 months');
  await assertNoViolations(admin, 'the statistics page');
  const chart = admin.getByRole('img', { name: 'Mois par mois' });
  assertEq(await chart.count(), 1, 'the monthly chart is an image named by its title');
  assert(await admin.getByRole('table', { name: 'Mois par mois' }).count(), 'and its figures are a table');
  assert(Number(await admin.locator('#table-summary tbody tr').first().locator('td').textContent()) >= 1, 'requests received are counted');
  const [download] = await Promise.all([
    admin.waitForEvent('download'),
    admin.locator('#table-months').getByRole('link', { name: /Tableau CSV/ }).click(),
  ]);
  const bytes = fs.readFileSync(await download.path());
  assertEq(bytes.subarray(0, 3).toString('hex'), 'efbbbf', 'a byte-order mark');
  assert(bytes.toString('utf8').includes('Mois;Reçues;Closes'), 'the header, accents right');
  await admin.getByLabel('Période', { exact: true }).selectOption('range');
  await admin.getByLabel('Du (dates choisies)').fill('2026-12-10');
  await admin.getByLabel('Au (dates choisies)').fill('2026-12-01');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Afficher' })), 400, 'a range that ends before it starts');
  await assertNoViolations(admin, 'the statistics page with an error');
  assert(await admin.locator('#stats-to[aria-invalid=true]').count(), 'the end date is marked invalid');
  await admin.emulateMedia({ media: 'print' });
  const pdf = await admin.pdf({ format: 'A4' });
  assert(pdf.length > 1000, 'the page prints');
  await admin.emulateMedia({ media: 'screen' });
});

test('backoffice: a saved query of the statistics — saved by the keyboard with a missing name said next to its field, shared with a department, reopened, subscribed to — no axe violation', async () => {
  await soapSubmit(SOAP_ROAD);
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/stats`);
  await admin.getByLabel('Période', { exact: true }).selectOption('year');
  await admin.getByLabel('Regroupement', { exact: true }).selectOption('service');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Afficher' })), 200, 'by service only');
  assertEq(await admin.locator('#table-theme').count(), 0, 'the other breakdowns are left out');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer', exact: true })), 400, 'a query needs a name');
  await assertNoViolations(admin, 'the statistics page with a query refused');
  assert(await admin.locator('#save-name[aria-invalid=true]').count(), 'the name field is marked invalid');
  await admin.getByLabel('Nom de la requête').fill('Démarches de l\'année');
  await admin.getByLabel('Partage').selectOption({ label: 'Partagée avec : Voirie' });
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer', exact: true })), 200, 'saved');
  assert((await admin.locator('p.notice').textContent()).includes('Requête enregistrée'), 'the query is confirmed');
  await assertNoViolations(admin, 'the statistics page with a saved query');
  const link = admin.getByRole('link', { name: "Démarches de l'année" });
  assertEq(await link.getAttribute('aria-current'), 'page', 'the page shown is the saved query');
  assert((await admin.locator('.saved-list li').first().textContent()).includes('partagée avec Voirie'), 'its sharing is said');
  await admin.goto(`${BO}/stats`);
  await press(admin, admin.getByRole('link', { name: "Démarches de l'année" }));
  assertEq(await admin.getByLabel('Période', { exact: true }).inputValue(), 'year', 'reopened as saved');
  assertEq(await admin.getByLabel('Regroupement', { exact: true }).inputValue(), 'service', 'with its breakdown');
  assertEq(await press(admin, admin.getByRole('button', { name: /Recevoir chaque mois par courriel/ })), 200, 'subscribed');
  assert((await admin.locator('p.notice').textContent()).includes('1er de chaque mois'), 'the subscription is confirmed');
  assert(await admin.getByRole('button', { name: /Ne plus recevoir par courriel/ }).count(), 'and can be undone');
  await assertNoViolations(admin, 'the statistics page with a subscription');
});

test('citizen: the satisfaction questionnaire of a closed request — reached by the link of its closing message, missing marks said next to their question, answered by the keyboard once — no axe violation', async () => {
  const { reference } = await soapSubmit(SOAP_ROAD);
  const paul = await agentPage('paul');
  for (const action of ['Qualifier', "Planifier l'intervention", 'Réparé']) {
    await paul.goto(`${BO}/requests/${reference}`);
    await press(paul, paul.getByRole('button', { name: action, exact: true }));
  }
  let link = null;
  for (let i = 0; i < 50 && !link; i++) {
    for (const body of storeColumn("SELECT body FROM deliveries WHERE channel = 'email' AND body LIKE '%/satisfaction/' || :'a' || '/%' ORDER BY id DESC LIMIT 1", reference)) {
      const m = body.match(/https?:\/\/[^/\s]+(\/[^\s]*\/satisfaction\/[^\s]+)/);
      if (m) { link = m[1]; break; }
    }
    if (!link) await new Promise((r) => setTimeout(r, 200));
  }
  assert(link, 'the closing message carries the questionnaire\'s link');
  const context = await newContext();
  const page = await context.newPage();
  const opened = await page.goto(`${new URL(BO).origin}${link}`);
  assertEq(opened.status(), 200, 'the questionnaire opens without an account');
  await assertNoViolations(page, 'the satisfaction questionnaire');
  await page.getByRole('group', { name: /Dans l'ensemble/ }).getByLabel('4 — Satisfait').check();
  assertEq(await press(page, page.getByRole('button', { name: 'Envoyer mon avis' })), 422, 'two marks are missing');
  await assertNoViolations(page, 'the satisfaction questionnaire with errors');
  assert(await page.locator('#q-delay-error').isVisible(), 'the missing delay mark is said next to its question');
  assert(await page.getByLabel('4 — Satisfait').first().isChecked(), 'the mark given is kept');
  // By the keyboard: Tab to a group, the arrow keys choose its mark.
  await page.getByRole('group', { name: /délai/ }).getByLabel('5 — Très satisfait').focus();
  await page.keyboard.press('Space');
  await page.getByRole('group', { name: /clairs/ }).getByLabel('3 — Ni l\'un ni l\'autre').focus();
  await page.keyboard.press('Space');
  await page.getByLabel('Un commentaire (facultatif)').fill('Réparé très vite, merci.');
  assertEq(await press(page, page.getByRole('button', { name: 'Envoyer mon avis' })), 200, 'answered');
  assert((await page.locator('.notice.success').textContent()).includes('Votre avis est enregistré'), 'thanked');
  await assertNoViolations(page, 'the questionnaire answered');
  await page.goto(`${new URL(BO).origin}${link}`);
  assert((await page.locator('.notice').textContent()).includes('déjà donné votre avis'), 'once');
  await context.close();
});

test('backoffice: exporting the console\'s requests — columns ticked by the keyboard, a CSV with the accents right, a model saved and reopened, a missing name said next to its field — no axe violation', async () => {
  await soapSubmit(SOAP_ROAD);
  const paul = await agentPage('paul');
  await paul.goto(`${BO}/?state=all&service=road-incident`);
  await press(paul, paul.getByRole('link', { name: /Exporter ces demandes/ }));
  assert(paul.url().includes('/backoffice/export?'), `the export page: ${paul.url()}`);
  await assertNoViolations(paul, 'the export page');
  await paul.getByLabel("Lieu de l'incident").check();
  await paul.getByLabel('Étape').uncheck();
  const [download] = await Promise.all([
    paul.waitForEvent('download'),
    paul.getByRole('button', { name: 'Télécharger' }).click(),
  ]);
  const bytes = fs.readFileSync(await download.path());
  assertEq(bytes.subarray(0, 3).toString('hex'), 'efbbbf', 'a byte-order mark');
  const text = bytes.toString('utf8');
  assert(text.includes("Référence;Démarche;Reçue le;À traiter avant le;Demandeur;Lien;Lieu de l'incident"), `the chosen columns: ${text.slice(0, 200)}`);
  assert(text.includes('4 rue du Navigateur'), 'the form\'s value');
  assertEq(await press(paul, paul.getByRole('button', { name: 'Enregistrer ces colonnes comme modèle' })), 400, 'a model needs a name');
  await assertNoViolations(paul, 'the export page with an error');
  assert(await paul.locator('#export-name[aria-invalid=true]').count(), 'the name field is marked invalid');
  await paul.getByLabel(/^Nom du modèle/).fill('Plaques et nids-de-poule');
  assertEq(await press(paul, paul.getByRole('button', { name: 'Enregistrer ces colonnes comme modèle' })), 200, 'saved');
  assert((await paul.locator('.notice').textContent()).includes('Plaques et nids-de-poule'), 'the model is confirmed');
  assert(await paul.getByLabel("Lieu de l'incident").isChecked(), 'its columns are ticked');
  await assertNoViolations(paul, 'the export page with a model');
});

test('backoffice: an administrator deactivates an agent from the admin page, who is logged out at once', async () => {
  const jean = await agentPage('jean');
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/admin`);
  await press(admin, admin.getByRole('link', { name: /^jean/ }));
  assert(admin.url().endsWith('/admin/agents/jean'), `the account page: ${admin.url()}`);
  await assertNoViolations(admin, "an agent's account page");
  const active = admin.getByLabel('Compte actif');
  assert(await active.isChecked(), 'the account is active');
  await admin.getByLabel(/^Nouveau mot de passe/).fill('court');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer les modifications' })), 422, 'a short password is refused');
  await assertNoViolations(admin, "an agent's account page with an error");
  assert(await admin.locator('#agent-password[aria-invalid=true]').count(), 'the password field is marked invalid');
  await admin.getByLabel(/^Nouveau mot de passe/).fill('');
  await admin.getByLabel('Compte actif').uncheck();
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer les modifications' })), 200, 'saved, back to the admin page');
  assert((await admin.locator('.notice.success').textContent()).includes('jean'), 'the change is confirmed');
  assert((await admin.locator('tr', { hasText: 'Jean Lefèvre' }).textContent()).includes('Compte désactivé'), 'and shown in the list');
  await jean.goto(`${BO}/`);
  assert(jean.url().startsWith(`${BO}/login`), 'jean is logged out at once');
});

test('backoffice: an administrator rewords the news of one step, with a preview, then goes back to the inherited wording', async () => {
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/admin`);
  await press(admin, admin.getByRole('link', { name: 'Modifier les modèles de messages' }));
  assert(admin.url().endsWith('/admin/templates'), `the templates page: ${admin.url()}`);
  await assertNoViolations(admin, 'the message templates');
  await press(admin, admin.getByRole('link', { name: "Nouvelle d'étape" }));
  await admin.getByLabel('Texte utilisé pour').selectOption({ label: "Signalement d'un incident sur la voie publique — Intervention planifiée" });
  await press(admin, admin.getByRole('button', { name: 'Afficher' }));
  assert(admin.url().endsWith('/admin/templates/step/road-incident/scheduled'), `the step's page: ${admin.url()}`);
  await assertNoViolations(admin, "a step's template");
  const text = admin.getByLabel(/^Texte du courriel/);
  await text.fill('Bonjour {name},\n\nNos équipes passent le {jour}.\n\n{town}');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer le modèle' })), 422, 'an unknown variable is refused');
  await assertNoViolations(admin, 'a template with errors');
  assert(await admin.locator('#template-text[aria-invalid=true]').count(), 'the text is marked invalid');
  assert((await admin.locator('#template-text-error').textContent()).includes('{jour}'), 'the variable is named');
  await text.fill('Bonjour {name},\n\nNos équipes interviendront sous huit jours pour votre signalement {reference}.\n\n{town}');
  assertEq(await press(admin, admin.getByRole('button', { name: "Voir l'aperçu" })), 200, 'preview');
  assert((await admin.locator('.message-preview').textContent()).includes('Bonjour Zoé Lefèvre'), 'the preview is filled with the example');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer le modèle' })), 200, 'saved');
  assert((await admin.locator('.notice.success').textContent()).includes('Modèle enregistré'), 'confirmed');
  await assertNoViolations(admin, 'a saved template with its reset form');
  await press(admin, admin.getByRole('link', { name: 'Retour aux modèles de messages' }));
  assert(await admin.getByRole('link', { name: /Intervention planifiée/ }).count(), 'the list shows the step is reworded');
  await press(admin, admin.getByRole('link', { name: /Intervention planifiée/ }));
  assertEq(await press(admin, admin.getByRole('button', { name: 'Revenir au texte hérité' })), 200, 'reset');
  assert((await admin.locator('.notice.success').textContent()).includes('Texte hérité rétabli'), 'reset confirmed');
  assert(!(await admin.getByLabel(/^Texte du courriel/).inputValue()).includes('huit jours'), 'the inherited wording is back');
});

test("backoffice: an administrator finds a person's requests and downloads their data", async () => {
  await soapSubmit(SOAP_ROAD);
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/admin`);
  await press(admin, admin.getByRole('link', { name: 'Rechercher une personne' }));
  assert(admin.url().endsWith('/admin/people'), `the people page: ${admin.url()}`);
  await assertNoViolations(admin, "a person's data, before searching");
  await admin.getByLabel('Adresse e-mail ou nom').fill('N');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Rechercher' })), 422, 'too short');
  assert(await admin.locator('#q[aria-invalid=true]').count(), 'the field is marked invalid');
  await assertNoViolations(admin, "a person's data, too short a query");
  await admin.getByLabel('Adresse e-mail ou nom').fill('Navigateur');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Rechercher' })), 200, 'searched');
  assert(await admin.locator('table.people-requests tbody tr').count() >= 1, 'the requests found');
  await assertNoViolations(admin, "a person's data, found");
  const [download] = await Promise.all([
    admin.waitForEvent('download'),
    admin.getByRole('button', { name: 'Télécharger ses données (JSON)' }).click(),
  ]);
  const file = await download.path();
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert(data.requests.some((r) => r.values['requester/lastName'] === 'Navigateur'), 'the download holds the requests');
});

test('backoffice: an administrator changes the colours, a faint pair is refused, the pages follow', async () => {
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/admin`);
  await press(admin, admin.getByRole('link', { name: 'Modifier les réglages' }));
  await assertNoViolations(admin, 'the town settings');
  assert(await admin.getByLabel(/proposer au demandeur un questionnaire de satisfaction/).isChecked(), 'the demo asks the questionnaire');
  assertEq(await admin.getByLabel(/^Questionnaire ouvert pendant/).inputValue(), '60', 'for 60 days');
  assert(await admin.getByRole('group', { name: /Démarches dont le message de clôture/ }).getByLabel(/Signalement d'un incident/).isChecked(), 'for every service');
  await admin.getByLabel('Texte des boutons').fill('#000070');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer les réglages' })), 422, 'a faint pair is refused');
  await assertNoViolations(admin, 'the town settings with errors');
  assert(await admin.locator('#settings-colour-primary_text[aria-invalid=true]').count(), 'the field is marked invalid');
  await admin.getByLabel('Texte des boutons').fill('#ffffff');
  await admin.getByLabel(/^Couleur principale/).fill('#18753c');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer les réglages' })), 200, 'saved');
  assert((await admin.locator('.notice.success').textContent()).includes('Réglages enregistrés'), 'confirmed');
  const primary = await admin.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--g-primary').trim());
  assertEq(primary, '#18753c', 'the pages take the new primary colour');
  await admin.getByLabel(/^Couleur principale/).fill('#000091');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer les réglages' })), 200, 'back to the demo colour');
});

test('backoffice: an administrator withdraws a service and puts it back from the catalogue page; a broken definition, pasted or uploaded as a file, is refused next to its field', async () => {
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/admin`);
  await press(admin, admin.getByRole('link', { name: 'Gérer le catalogue' }));
  await assertNoViolations(admin, 'the catalogue');
  assertEq(await press(admin, admin.getByRole('button', { name: "Retirer Réservation d'une salle municipale" })), 200, 'withdrawn');
  assert((await admin.locator('.notice.success').textContent()).includes('room-booking'), 'confirmed');
  await assertNoViolations(admin, 'the catalogue with a withdrawn service');
  assertEq(await press(admin, admin.getByRole('button', { name: "Mettre en ligne Réservation d'une salle municipale" })), 200, 'back online');
  await admin.getByLabel('Définition du téléservice (XML)').fill('<service xmlns="urn:guichet:service-definition:1" code="x" version="1"><oops/></service>');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Vérifier et garder comme brouillon' })), 422, 'refused');
  assert(await admin.locator('#definition[aria-invalid=true]').count(), 'the field is marked invalid');
  assert((await admin.locator('#definition-error').textContent()).includes('Ligne'), 'each problem with its line');
  await assertNoViolations(admin, 'the catalogue with a refused definition');
  await admin.getByLabel('Fichier de définition (XML)').setInputFiles({
    name: 'cassé.xml',
    mimeType: 'text/xml',
    buffer: Buffer.from('<service xmlns="urn:guichet:service-definition:1" code="x" version="1"><oops/></service>'),
  });
  assertEq(await press(admin, admin.getByRole('button', { name: 'Envoyer le fichier, le vérifier et le garder comme brouillon' })), 422, 'the file is refused');
  assert(await admin.locator('#definition-file[aria-invalid=true]').count(), 'the file input is marked invalid');
  const said = await admin.locator('#definition-file-error').textContent();
  assert(said.includes('cassé.xml') && said.includes('Ligne'), `each problem with the file's name and its line: ${said}`);
  await assertNoViolations(admin, 'the catalogue with a refused file');
});

test('backoffice: a service put in test is tried by an agent at the test desk, as citizens will see it', async () => {
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/admin/catalogue`);
  assertEq(await press(admin, admin.getByRole('button', { name: "Mettre en test Réservation d'une salle municipale" })), 200, 'in test');
  await assertNoViolations(admin, 'the catalogue with a service in test');
  const until = async (what, done) => {
    const deadline = Date.now() + 10000;
    while (!(await done())) {
      assert(Date.now() < deadline, what);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await until('room booking leaves the public catalogue', async () => (await fetch(`${T}/services/room-booking`)).status === 404);
  await admin.goto(`${BO}/admin/catalogue`);
  await press(admin, admin.getByRole('link', { name: "Essayer au guichet de test Réservation d'une salle municipale" }));
  assertEq(new URL(admin.url()).pathname, `/${TENANT}/backoffice/test/services/room-booking`, 'the test form');
  assert((await admin.locator('.testing').textContent()).includes('demande de test'), 'the test banner');
  await assertNoViolations(admin, 'the form at the test desk');
  await fillForm(admin, validAnswers('room-booking'));
  await submit(admin);
  assert(admin.url().includes(`/${TENANT}/backoffice/test/receipt/`), `the test receipt, not ${admin.url()}`);
  await assertNoViolations(admin, 'the receipt at the test desk');
  await press(admin, admin.locator('#tracking-link'));
  assert(admin.url().includes(`/${TENANT}/backoffice/test/track/`), `the test tracking page, not ${admin.url()}`);
  await assertNoViolations(admin, 'the tracking page at the test desk');
  await admin.goto(`${BO}/test/`);
  await assertNoViolations(admin, 'the test desk');
  await admin.goto(`${BO}/admin/catalogue`);
  assertEq(await press(admin, admin.getByRole('button', { name: /^Supprimer les demandes de test \(1\) Réservation d'une salle municipale/ })), 200, 'purged');
  assert((await admin.locator('.notice.success').textContent()).includes('1 demande(s) de test'), 'one test request purged');
  assertEq(await press(admin, admin.getByRole('button', { name: "Mettre en ligne Réservation d'une salle municipale" })), 200, 'back online');
  await until('room booking back in the public catalogue', async () => (await fetch(`${T}/services/room-booking`)).status === 200);
});

test('backoffice: the service editor, its field and step pages, an error, the preview and a new service are accessible without script', async () => {
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/admin/catalogue`);
  await press(admin, admin.getByRole('link', { name: "Modifier Déclaration de changement d'adresse" }));
  assertEq(new URL(admin.url()).pathname, `/${TENANT}/backoffice/admin/catalogue/change-of-address/edit`, 'the editor');
  await assertNoViolations(admin, 'the service editor');
  await admin.locator('#general-title').fill('');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer la présentation' })), 422, 'an empty title is refused');
  assert(await admin.locator('#general-title[aria-invalid=true]').count(), 'the title is marked invalid');
  assert(await admin.locator('#error-summary a[href="#general-title"]').count(), 'the summary links to it');
  await assertNoViolations(admin, 'the service editor with an error');
  await admin.goto(`${BO}/admin/catalogue/change-of-address/edit`);
  await press(admin, admin.locator('section[aria-labelledby=section-fields] ul.editor-items a').first());
  assert(admin.url().includes('/edit/fields/'), `a field's page, not ${admin.url()}`);
  await assertNoViolations(admin, "a field's page");
  await admin.goto(`${BO}/admin/catalogue/change-of-address/edit`);
  await press(admin, admin.locator('.workflow-tree .step-head a').first());
  assert(admin.url().includes('/edit/steps/'), `a step's page, not ${admin.url()}`);
  await assertNoViolations(admin, "a step's page");
  await admin.goto(`${BO}/admin/catalogue/change-of-address/edit/preview`);
  await assertNoViolations(admin, 'the preview');
  await submit(admin);
  assert(await admin.locator('#error-summary').count(), 'the preview checks what is typed');
  await assertNoViolations(admin, 'the preview with errors');
  await admin.goto(`${BO}/admin/catalogue`);
  await press(admin, admin.getByRole('link', { name: 'Créer un téléservice propre à la collectivité' }));
  await assertNoViolations(admin, 'a new service');
});

test('backoffice: an administrator writes a standard answer, an agent sends it', async () => {
  const admin = await agentPage('admin');
  await admin.goto(`${BO}/admin`);
  await assertNoViolations(admin, 'the admin page with department heads and standard answers');
  await press(admin, admin.getByRole('link', { name: 'Ajouter une réponse type' }));
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer la réponse type' })), 422, 'an empty answer is refused');
  await assertNoViolations(admin, 'a standard answer with errors');
  assert(await admin.locator('#answer-title[aria-invalid=true]').count(), 'the title is marked invalid');
  await admin.getByLabel(/^Service municipal/).selectOption({ label: 'État civil' });
  await admin.getByLabel(/^Titre/).fill('Pièce manquante (navigateur)');
  await admin.getByLabel(/^Texte envoyé au demandeur/).fill('Merci de nous envoyer une copie de votre pièce d\'identité.');
  assertEq(await press(admin, admin.getByRole('button', { name: 'Enregistrer la réponse type' })), 200, 'saved');
  assert((await admin.locator('.notice.success').textContent()).includes('Réponse type enregistrée'), 'confirmed');
  await press(admin, admin.getByRole('link', { name: 'Pièce manquante (navigateur)' }));
  await assertNoViolations(admin, 'a standard answer to change or remove');

  const { reference, code } = await soapSubmit(SOAP_BIRTH);
  const marie = await agentPage('marie');
  await marie.goto(`${BO}/requests/${reference}`);
  const option = marie.locator('option', { hasText: 'Pièce manquante (navigateur)' });
  assert(await option.count(), 'the new answer is offered on a civil-status request');
  await marie.locator('#answer-standard').selectOption({ label: 'Pièce manquante (navigateur)' });
  assertEq(await press(marie, marie.getByRole('button', { name: 'Envoyer la réponse' })), 200, 'sent');
  const { messages } = await citizenSteps(code);
  assertEq(JSON.stringify(messages), JSON.stringify(["Merci de nous envoyer une copie de votre pièce d'identité."]), 'the citizen reads it');
});

test('backoffice: rights by direct URL, and no session without logging in', async () => {
  const { reference } = await soapSubmit(SOAP_BIRTH);
  const paul = await agentPage('paul');
  const r = await paul.goto(`${BO}/requests/${reference}`);
  assertEq(r.status(), 403, 'a roads agent cannot open a civil-status request');
  assert(!(await paul.content()).includes('Navigateur'), 'nothing of it is shown');
  const admin = await paul.goto(`${BO}/admin`);
  assertEq(admin.status(), 403, 'nor the admin page');
  const cookies = await paul.context().cookies();
  const session = cookies.find((c) => c.name === 'guichet_session');
  assert(session && session.httpOnly && session.sameSite === 'Strict', `the session cookie is HttpOnly and SameSite=Strict: ${JSON.stringify(session)}`);
  assertEq(await paul.evaluate(() => document.cookie), '', 'scripts cannot read it');
  await press(paul, paul.getByRole('button', { name: 'Se déconnecter' }));
  assert(paul.url().startsWith(`${BO}/login`), 'logging out leads to the login page');
  await paul.goto(`${BO}/`);
  assert(paul.url().startsWith(`${BO}/login`), 'and the session is over');
});

// ---------------------------------------------------------------------------------------------
// 10. The account with the town's OpenID Connect provider (npm oidc-provider, started here once).

let provider = null;

/** Starts tests/browser/oidc-provider.mjs once, and gives the demo town an [openid] section. */
async function openidProvider() {
  if (provider) return provider;
  assert(DATA_DIR, 'GUICHET_DATA_DIR is not set: cannot give the tenant an identity provider');
  const port = await new Promise((resolve) => {
    const s = http.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const child = spawn(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), 'oidc-provider.mjs')], {
    env: { ...process.env, OIDC_PORT: String(port), OIDC_REDIRECT_URI: `${T}/account/openid/callback` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.on('exit', () => child.kill());
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Failure(`the OpenID provider did not start: ${log}`)), 15_000);
    const seen = (chunk) => { log += chunk; if (log.includes('oidc-provider: ready')) { clearTimeout(timer); resolve(); } };
    child.stdout.on('data', seen);
    child.stderr.on('data', (c) => { log += c; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Failure(`the OpenID provider exited (${code}): ${log}`)); });
  });
  const issuer = `http://127.0.0.1:${port}`;
  const file = settingsPath();
  const text = fs.readFileSync(file, 'utf8').replace(/\n\[openid\][\s\S]*$/, '');
  fs.writeFileSync(file, `${text}\n[openid]\nname = "FranceConnect (test)"\nissuer = "${issuer}"\n`
    + 'client_id = "guichet-demoville"\nclient_secret = "un-secret-de-test-assez-long-pour-hs256-0123456789"\n');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = await (await fetch(`${T}/account/login`)).text();
    if (page.includes('Se connecter avec FranceConnect (test)')) break;
    if (Date.now() > deadline) throw new Failure('the server did not pick up the [openid] settings within 10 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  provider = {
    issuer,
    skew: async (seconds) => { await fetch(`${issuer}/_test/skew?seconds=${seconds}`, { method: 'POST' }); },
  };
  return provider;
}

/** The templates of the account messages sent to `address`, oldest first. */
function accountMessages(address) {
  return storeColumn("SELECT template FROM outbox WHERE recipient = :'a' AND recipient_kind = 'account' ORDER BY id", address);
}

/** Signs in at the test provider's own page (JavaScript on), as `login`. */
async function providerLogin(page, login) {
  assert(page.url().startsWith(provider.issuer), `at the provider's sign-in page, not ${page.url()}`);
  await page.locator('#login').fill(login);
  const nav = page.waitForURL((u) => u.toString().startsWith(T), { waitUntil: 'load' });
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await nav;
}

/** Clicks "Se connecter avec …" on Guichet's sign-in page: the browser goes to the provider. */
async function startOpenid(page) {
  await page.goto(`${T}/account/login`);
  await Promise.all([page.waitForURL((u) => u.toString().startsWith(provider.issuer)), page.getByRole('button', { name: 'Se connecter avec FranceConnect (test)' }).click()]);
}

async function signedInAt(context) {
  const r = await context.request.get(`${T}/account/`, { maxRedirects: 0 });
  return r.status() === 200;
}

test('account: sign up, confirm, two requests, one attached by code, answer, reply, correction, then out and in again with the OpenID provider — JavaScript off, keyboard only, no axe violation', async () => {
  await openidProvider();
  const { page, kb, seen, check, tabTo, enter } = await keyboardBrowser();
  const email = `camille.${Date.now()}@example.fr`;

  // A request made before the account, by SOAP: it is attached later by its code.
  const earlier = await soapSubmit(SOAP_ROAD);

  await page.goto(`${T}/account/login`);
  await check('sign-in, with the provider\'s button');
  await page.goto(`${T}/account/signup`);
  await tabTo('signup-email'); await kb.type(email);
  await tabTo('signup-password'); await kb.type('Lune-verte-sous-la-pluie-7');
  await enter();
  await page.goto(`${BASE}${await accountLink(email)}`);
  await tabTo('#confirm button');
  await enter();
  assert(/\/account\/\?welcome/.test(page.url()), `confirmed, not at the dashboard: ${page.url()}`);

  // Two requests sent signed in.
  await submitValid(page, 'road-incident');
  const birth = await submitValid(page, 'birth-certificate');
  // The third, attached by its code.
  await page.goto(`${T}/account/`);
  await tabTo('attach-code'); await kb.type(earlier.code);
  await enter();
  assertEq(await page.locator('.account-request').count(), 3, 'three requests on the dashboard');
  assert((await page.content()).includes(earlier.reference), 'the attached request is listed');
  await check('dashboard with three requests');
  // Each followed on its page, with its steps.
  const links = await page.locator('.account-request h2 a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const href of links) {
    await page.goto(new URL(href, page.url()).toString());
    assert(await page.locator('ol.steps > li').count() >= 2, `${href}: its steps`);
  }

  // The town answers the birth certificate; the citizen replies from its page.
  const marie = await agentPage('marie');
  await marie.goto(`${BO}/requests/${birth.reference}`);
  const answer = 'Merci de préciser la commune de naissance de votre mère.';
  await marie.locator('#answer-text').fill(answer);
  await press(marie, marie.getByRole('button', { name: 'Envoyer la réponse' }));
  const mine = `${T}/account/requests/${birth.reference}`;
  await page.goto(mine);
  assert((await page.locator('.replies').textContent()).includes(answer), 'the answer is on the request\'s page');
  await tabTo('reply-text'); await kb.type('Elle est née à Démoville.');
  await tabTo('#reply button');
  await enter();
  assert((await page.locator('.replies').textContent()).includes('Elle est née à Démoville.'), 'the reply is in the messages');
  await check('a request with its messages');

  // The agent asks for a correction of one field; the citizen makes it.
  await marie.goto(`${BO}/requests/${birth.reference}`);
  assert((await marie.content()).includes('Elle est née à Démoville.'), 'the agent reads the reply');
  await marie.locator('#correction-personFirstNames').check();
  await marie.locator('#correction-comment').fill('Indiquez tous vos prénoms.');
  await press(marie, marie.getByRole('button', { name: 'Demander la correction' }));
  await page.goto(mine);
  await tabTo(`a[href$="/account/requests/${birth.reference}/correct"]`);
  await enter();
  await check('the correction page');
  assertEq(await page.locator('input[type=text], textarea, select').count(), 1, 'only the field asked is open');
  await tabTo('f-personFirstNames'); await kb.press('End'); await kb.type(' Camille');
  await tabTo('form button[type=submit]');
  await enter();
  await page.goto(mine);
  assert((await page.content()).includes('Zoé Marie Camille'), 'the corrected value is the request\'s');
  await marie.goto(`${BO}/requests/${birth.reference}`);
  assert((await marie.locator('ol.history').textContent()).includes('« Zoé Marie » → « Zoé Marie Camille »'), 'the history says old and new');

  // The provider linked from the security page (told by e-mail), then out and in with it.
  await page.goto(`${T}/account/security`);
  await tabTo('#link button');
  await enter();
  assert(page.url().startsWith(provider.issuer), `sent to the provider, not ${page.url()}`);
  await tabTo('login'); await kb.type('camille');
  await Promise.all([page.waitForURL((u) => u.toString().startsWith(T), { waitUntil: 'load' }), kb.press('Enter')]);
  assert(/\/account\/security\?identity=linked/.test(page.url()), `linked, back on the security page: ${page.url()}`);
  assert((await page.content()).includes('maintenant lié à FranceConnect (test)'), 'the page says it is linked');
  await check('security, provider linked');
  assert(accountMessages(email).includes('account-identity-linked'), `the citizen is told by e-mail: ${accountMessages(email)}`);
  await page.goto(`${T}/account/`);
  await tabTo('form.logout button');
  await enter();
  await tabTo('#openid button');
  await Promise.all([page.waitForURL((u) => u.toString().startsWith(T) && !u.toString().includes('/login'), { waitUntil: 'load' }), kb.press('Enter')]);
  assert(/\/account\/$/.test(page.url()), `signed in again by the provider, on the dashboard: ${page.url()}`);
  assertEq(await page.locator('.account-request').count(), 3, 'the same account, its three requests');
  await check('dashboard after signing in with the provider');
  // Signing out of a session opened by the provider signs out there too, and comes back.
  await tabTo('form.logout button');
  await enter();
  assert(page.url().startsWith(`${provider.issuer}/session/end`), `the provider's logout, not ${page.url()}`);
  await tabTo('button[name=logout]');
  await Promise.all([page.waitForURL((u) => u.toString().startsWith(T), { waitUntil: 'load' }), kb.press('Enter')]);
  assert(/\/account\/login\?bye=1/.test(page.url()), `back on the sign-in page: ${page.url()}`);
  await tabTo('#openid button');
  await Promise.all([page.waitForURL((u) => u.toString().startsWith(provider.issuer), { waitUntil: 'load' }), kb.press('Enter')]);
  assert(await page.locator('#login').count() === 1, `the provider asks who signs in again (its session ended): ${page.url()}`);
  return `${seen.length} pages checked by axe: ${seen.join(', ')}`;
}, 90_000);

test('account: the OpenID provider — a forged state, a wrong nonce and an expired ID token are refused; an address is never matched by its e-mail claim; a new identity opens its own account', async () => {
  const op = await openidProvider();
  const notes = [];
  // Each refusal is driven step by step (the browser context's own requests, its cookies, no
  // redirect followed) so that the provider's redirects can be tampered with as an attacker would;
  // the last step, the callback, is opened in the page.
  const refused = async (what, { nonce, state } = {}) => {
    const context = await newContext();
    const page = await context.newPage();
    const rq = context.request;
    const login = await (await rq.get(`${T}/account/login`)).text();
    const token = (login.match(/id="openid"[\s\S]*?name="_token" value="([^"]+)"/) || [])[1];
    assert(token, `${what}: the provider's form on the sign-in page`);
    let r = await rq.post(`${T}/account/openid/login`, { form: { _token: token }, maxRedirects: 0, headers: { 'Sec-Fetch-Site': 'same-origin', Origin: BASE } });
    assertEq(r.status(), 303, `${what}: the form sends to the provider`);
    const authorize = new URL(r.headers().location);
    assert(authorize.toString().startsWith(op.issuer), `${what}: to the provider, not ${authorize}`);
    for (const p of ['state', 'nonce', 'code_challenge']) assert(authorize.searchParams.get(p), `${what}: the authorization request has a ${p}`);
    assertEq(authorize.searchParams.get('code_challenge_method'), 'S256', `${what}: PKCE`);
    if (nonce) authorize.searchParams.set('nonce', nonce);
    let next = authorize.toString();
    for (let i = 0; i < 8 && next.startsWith(op.issuer); i++) {
      r = await rq.get(next, { maxRedirects: 0 });
      if (r.status() === 200 && (await r.text()).includes('name="login"')) {
        r = await rq.post(next, { form: { login: `refus-${what.replace(/\W+/g, '-')}` }, maxRedirects: 0 });
      }
      assert([302, 303].includes(r.status()), `${what}: the provider answered ${r.status()} at ${next}: ${(await r.text()).slice(0, 200)}`);
      next = new URL(r.headers().location, next).toString();
    }
    const callback = new URL(next);
    assert(callback.toString().startsWith(`${T}/account/openid/callback`), `${what}: back to the callback, not ${callback}`);
    assert(callback.searchParams.get('code'), `${what}: the provider gave a code`);
    if (state) callback.searchParams.set('state', state);
    const resp = await page.goto(callback.toString());
    assertEq(resp.status(), 400, `${what}: the callback's status`);
    assert((await page.content()).includes('La connexion avec FranceConnect (test) n\'a pas abouti'), `${what}: the page says the sign-in failed`);
    assert(!(await signedInAt(context)), `${what}: not signed in`);
    await assertNoViolations(page, `${what}: the refusal page`);
    notes.push(what);
    return { context, callback };
  };
  // A state other than the one sent (as an attacker's link would carry): refused, and the flow is
  // used up — the true state replayed afterwards, in the same browser, is refused too.
  {
    const { context, callback } = await refused('forged state', { state: 'forged-state' });
    const trueState = callback.toString();
    const replay = await context.request.get(trueState.replace(/state=forged-state/, ''), { maxRedirects: 0 });
    assertEq(replay.status(), 400, 'the callback replayed once the flow is used');
  }
  // A nonce other than the one Guichet sent: the ID token carries it, and is refused.
  await refused('wrong nonce', { nonce: 'another-nonce' });
  // An ID token issued two hours ago, expired.
  await op.skew(-7200);
  try {
    await refused('expired ID token');
  } finally {
    await op.skew(0);
  }

  // An address with an account is never taken over by the provider's e-mail claim.
  const victim = `victime${Date.now()}`;
  {
    const page = await (await newContext({ javaScriptEnabled: false })).newPage();
    await page.goto(`${T}/account/signup`);
    await page.locator('#signup-email').fill(`${victim}@fournisseur.test`);
    await page.locator('#signup-password').fill('Lune-verte-sous-la-pluie-7');
    await Promise.all([page.waitForNavigation(), page.locator('#signup button').click()]);
    await page.goto(`${BASE}${await accountLink(`${victim}@fournisseur.test`)}`);
    await Promise.all([page.waitForNavigation(), page.locator('#confirm button').click()]);
  }
  {
    const context = await newContext();
    const page = await context.newPage();
    await startOpenid(page);
    let status = 0;
    page.on('response', (r) => { if (r.url().includes('/account/openid/callback')) status = r.status(); });
    await providerLogin(page, victim);
    assertEq(status, 409, 'an identity whose e-mail has an account');
    assert((await page.content()).includes('Un compte existe déjà'), 'the page says to sign in and link');
    assert(!(await signedInAt(context)), 'not signed in to that account');
    await assertNoViolations(page, 'the address-taken page');
    notes.push('e-mail claim not matched');
  }
  // A new identity: its own account, signed in, welcomed by e-mail; the flow cookie was HttpOnly.
  {
    const login = `nouveau${Date.now()}`;
    const context = await newContext();
    const page = await context.newPage();
    await startOpenid(page);
    const flow = (await context.cookies()).find((c) => c.name === 'guichet_openid');
    assert(flow && flow.httpOnly && flow.sameSite === 'Lax' && flow.path === `/${TENANT}/account/openid`, `the flow cookie: ${JSON.stringify(flow)}`);
    await providerLogin(page, login);
    assert(/\/account\/\?welcome=1/.test(page.url()), `a new account, signed in: ${page.url()}`);
    assert(await signedInAt(context), 'signed in');
    assert(!(await context.cookies()).some((c) => c.name === 'guichet_openid' && c.value), 'the flow cookie is cleared');
    assert(accountMessages(`${login}@fournisseur.test`).includes('account-identity-welcome'), 'welcomed by e-mail');
    await page.goto(`${T}/account/security`);
    assert((await page.content()).includes('pas encore de mot de passe'), 'the security page says it has no password yet');
    await assertNoViolations(page, 'security of an account without a password');
    // It cannot unlink its only way in.
    await press(page, page.getByRole('button', { name: 'Retirer le lien avec FranceConnect (test)' }));
    assert((await page.content()).includes('Choisissez d\'abord un mot de passe'), 'unlinking the only way in is refused');
    notes.push('new account');
  }
  return notes.join(', ');
}, 90_000);

test('account: inside the town\'s iframe on another site — a partitioned session (signed in, a request sent, signed out), no cookie for the pages without an account, the provider at the top of the window', async () => {
  const op = await openidProvider();
  const host = await startHostServer(hostPageHtml(`${T}/services/road-incident`, `${T}/assets/embed.js`));
  try {
    const hostUrl = `http://localhost:${host.port}/`;
    await allowFrameAncestors([`http://localhost:${host.port}`]);
    // An account made and confirmed beforehand (the confirmation link opens at the top).
    const email = `cadre.${Date.now()}@example.fr`;
    {
      const page = await (await newContext()).newPage();
      await page.goto(`${T}/account/signup`);
      await page.locator('#signup-email').fill(email);
      await page.locator('#signup-password').fill('Lune-verte-sous-la-pluie-7');
      await Promise.all([page.waitForNavigation(), page.locator('#signup button').click()]);
      await page.goto(`${BASE}${await accountLink(email)}`);
      await Promise.all([page.waitForNavigation(), page.locator('#confirm button').click()]);
    }
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(hostUrl);
    const frame = await (await page.locator('iframe').elementHandle()).contentFrame();
    await frame.waitForLoadState('load');
    assert(await frame.locator('form#form').count() === 1, 'the form in the frame');
    assertEq(JSON.stringify(await context.cookies()), '[]', 'a page without an account sets no cookie');

    // Signed in inside the frame: the session is a partitioned cookie.
    await frame.goto(`${T}/account/login`);
    await frame.locator('#login-email').fill(email);
    await frame.locator('#login-password').fill('Lune-verte-sous-la-pluie-7');
    await Promise.all([frame.waitForNavigation(), frame.locator('#login button').click()]);
    assertEq(page.url(), hostUrl, 'the host page stays');
    assert(/\/account\/$/.test(frame.url()), `signed in inside the frame, on the dashboard: ${frame.url()}`);
    const session = (await context.cookies()).find((c) => c.name === 'guichet_account');
    assert(session && session.sameSite === 'None' && session.secure && session.httpOnly, `the frame's session cookie: ${JSON.stringify(session)}`);
    await assertNoViolations(frame, 'the dashboard inside the iframe');
    // A request sent from the frame belongs to the account.
    await frame.goto(`${T}/services/road-incident`);
    assert((await frame.content()).includes(`value="${email}"`), 'the form in the frame is filled from the account');
    await fillForm(frame, validAnswers('road-incident'));
    await submit(frame);
    const r = await readReceipt(frame);
    await frame.goto(`${T}/account/`);
    assert((await frame.content()).includes(r.reference), 'the request is on the dashboard in the frame');
    // The frame's session is the frame's only: Guichet at the top of a window is signed out.
    const top = await context.newPage();
    await top.goto(`${T}/account/`);
    assert(/\/account\/login/.test(top.url()), `at the top, not signed in by the frame's session: ${top.url()}`);
    await top.close();
    // Signed out inside the frame.
    await Promise.all([frame.waitForNavigation(), frame.locator('form.logout button').click()]);
    await frame.goto(`${T}/account/`);
    assert(/\/account\/login/.test(frame.url()), 'signed out inside the frame');

    // The provider's button leaves the frame: the sign-in goes on at the top of the window.
    assertEq(await frame.locator('form#openid').getAttribute('target'), '_top', 'the provider\'s form targets the top');
    await Promise.all([page.waitForURL((u) => u.toString().startsWith(op.issuer)), frame.locator('form#openid button').click()]);
    await page.locator('#login').fill('cadre');
    await Promise.all([page.waitForURL((u) => u.toString().startsWith(T), { waitUntil: 'load' }), page.locator('button').click()]);
    assert(/\/account\/(\?welcome=1)?$/.test(page.url()), `signed in with the provider at the top: ${page.url()}`);
    return `partitioned session ${JSON.stringify({ sameSite: session.sameSite, secure: session.secure, partitionKey: session.partitionKey })}`;
  } finally {
    await host.close();
  }
}, 60_000);

// ---------------------------------------------------------------------------------------------
// HTTPS served by Guichet itself: a second server started by run.sh with --tls-cert/--tls-key and
// --redirect-http, its certificate signed by a throw-away CA. A second Chromium trusts that one
// server key (--ignore-certificate-errors-spki-list), every other check left on.

test('https: a citizen form over HTTPS in Chromium — HTTP/2, the test CA\'s certificate, HSTS, submitted to its acknowledgement, no axe violation; plain HTTP redirected; refused by a browser that does not trust the key', async () => {
  assert(TLS_BASE && TLS_SPKI && TLS_REDIRECT, 'GUICHET_TLS_URL, GUICHET_TLS_SPKI or GUICHET_REDIRECT_URL is not set: run.sh could not start the HTTPS server (see its output above)');
  const url = `${TLS_BASE}/${TENANT}/services/road-incident`;
  // The suite's browser, without the flag, refuses the certificate: the trust below is the flag's.
  {
    const page = await (await newContext()).newPage();
    const error = await page.goto(url).then(() => null, (e) => e.message.split('\n')[0]);
    assert(error && /ERR_CERT_AUTHORITY_INVALID/.test(error), `a browser not trusting the test CA: ${error || 'the page loaded'}`);
  }
  const tlsBrowser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: 30_000,
    args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${TLS_SPKI}`],
  });
  try {
    const context = await tlsBrowser.newContext({ locale: 'fr-FR', viewport: { width: 1024, height: 768 } });
    context.setDefaultTimeout(8_000);
    context.setDefaultNavigationTimeout(15_000);
    const log = await instrument(context);
    const page = await context.newPage();
    const protocol = () => page.evaluate(() => performance.getEntriesByType('navigation')[0].nextHopProtocol);

    const resp = await page.goto(url);
    assertEq(resp.status(), 200, `HTTP status of ${url}`);
    assertEq(page.url(), url, 'the page URL');
    assertEq(await protocol(), 'h2', 'the form page\'s protocol (nextHopProtocol)');
    const tls = await resp.securityDetails();
    assert(tls && /^TLS 1\.[23]$/.test(tls.protocol), `TLS version: ${JSON.stringify(tls)}`);
    assertEq(tls.issuer, 'Guichet interop test CA', 'certificate issuer');
    const hsts = (await resp.allHeaders())['strict-transport-security'] || '';
    assert(/^max-age=\d+/.test(hsts), `Strict-Transport-Security: ${JSON.stringify(hsts)}`);
    assert(await page.locator('form#form').count() === 1, 'the form is on the page');
    assertEq(await page.evaluate(() => window.isSecureContext), true, 'window.isSecureContext');
    await assertNoViolations(page, 'the road-incident form over HTTPS');

    // The browser's POST over HTTP/2 (its Origin is https://…) passes the anti-forgery check.
    await fillForm(page, validAnswers('road-incident'));
    const sent = await submit(page);
    assert(/\/receipt\/[^/]+$/.test(page.url()), `the form sent over HTTPS did not land on the acknowledgement but on ${page.url()} (HTTP ${sent && sent.status()})`,
      await errorSummaryLines(page));
    assert(page.url().startsWith(`${TLS_BASE}/${TENANT}/`), `the acknowledgement's URL stays on HTTPS: ${page.url()}`);
    assertEq(await protocol(), 'h2', 'the acknowledgement\'s protocol');
    const r = await readReceipt(page);
    const tracking = new URL(r.trackingHref, page.url()).toString();
    assert(tracking.startsWith(`${TLS_BASE}/`), `the tracking link stays on HTTPS: ${r.trackingHref}`);
    await assertNoViolations(page, 'the acknowledgement over HTTPS');

    // Plain HTTP on --redirect-http: followed to the same page over HTTPS.
    const statuses = [];
    page.on('response', (x) => statuses.push(x.status()));
    const plain = `${TLS_REDIRECT}/${TENANT}/track/${r.trackingCode}`;
    const last = await page.goto(plain);
    assertEq(statuses[0], 308, `the first answer to ${plain}`);
    assertEq(page.url(), `${TLS_BASE}/${TENANT}/track/${r.trackingCode}`, 'the tracking page, after the redirect');
    assertEq(last.status(), 200, 'the tracking page\'s status');
    await checkTrackingPage(page, r.trackingCode);

    const errors = log.console.filter((m) => m.type === 'error' || /Mixed Content/i.test(m.text));
    assert(errors.length === 0, 'console errors over HTTPS', errors.map((m) => `${m.url}: ${m.text}`));
    assert(log.csp.length === 0, 'CSP violations over HTTPS', log.csp.map((c) => JSON.stringify(c)));
    return `${tls.protocol}, h2, issuer "${tls.issuer}", ${hsts}; receipt ${r.reference}; plain HTTP answered 308, then the tracking page over HTTPS`;
  } finally {
    await tlsBrowser.close();
  }
});

test('backoffice: an agent records a phone call — the intake\'s channels, the service\'s own form with the banner, an error next to its field, then the request with its channel and receipt — no axe violation', async () => {
  const paul = await agentPage('paul');
  await press(paul, paul.getByRole('link', { name: 'Enregistrer une demande' }));
  await assertNoViolations(paul, 'the intake page');
  await press(paul, paul.getByRole('link', { name: 'Par téléphone' }));
  assert((await paul.locator('.intake').textContent()).includes('par téléphone'), 'the banner says the channel');
  await assertNoViolations(paul, 'the intake catalogue');
  await press(paul, paul.getByRole('link', { name: /Signalement d'un incident/ }).first());
  assert(paul.url().endsWith('/backoffice/intake/phone/services/road-incident'), `the form at the intake desk: ${paul.url()}`);
  await assertNoViolations(paul, 'the form at the intake desk');
  await fillForm(paul, { ...validAnswers('road-incident'), 'requester.lastName': '' });
  assertEq((await submit(paul)).status(), 422, 'a missing name is refused as online');
  assert(await paul.locator('[aria-invalid=true]').count(), 'the field is marked');
  await assertNoViolations(paul, 'the intake form with an error');
  await paul.locator('[name="requester.lastName"]').fill('Appelant');
  assertEq((await submit(paul)).status(), 200, 'recorded');
  assert(paul.url().includes('/backoffice/requests/') && paul.url().includes('recorded=phone'), `the request's page: ${paul.url()}`);
  assert((await paul.locator('.notice').first().textContent()).includes('reçue par téléphone'), 'said recorded');
  assert((await paul.locator('main').textContent()).includes('Téléphone'), 'its channel shown');
  await assertNoViolations(paul, 'the request recorded by phone');
  const receipt = await paul.request.get(paul.url().split('?')[0] + '/receipt.pdf');
  assertEq(receipt.status(), 200, 'its receipt to print');
});

test('backoffice: located requests on the map of the town\'s districts — the console filtered by district, the map with its marks as links, a mark leads to the request and its district — no axe violation', async () => {
  const located = SOAP_ROAD
    .replace('<g:street>4 rue du Navigateur</g:street><g:postalCode>75002</g:postalCode><g:town>Démoville</g:town>',
      '<g:street>2 rue du Moulin</g:street><g:postalCode>59000</g:postalCode><g:town>Démoville</g:town><g:latitude>50.6150</g:latitude><g:longitude>3.0700</g:longitude>');
  const { reference } = await soapSubmit(located);
  const paul = await agentPage('paul');
  await paul.getByLabel('Quartier').selectOption({ label: 'Le Moulin' });
  await press(paul, paul.getByRole('button', { name: 'Filtrer' }));
  assert((await paul.locator('table.requests').textContent()).includes(reference), 'the console by district lists it');
  await press(paul, paul.getByRole('link', { name: 'Voir ces demandes sur la carte' }));
  assert(paul.url().includes('/backoffice/map?') && paul.url().includes('district=moulin'), `the map with the console's filters: ${paul.url()}`);
  assertEq(await paul.locator('svg.map-plan polygon').count(), 4, 'the four districts drawn');
  assertEq(await paul.locator('svg.map-plan a').count(), 1, 'one mark');
  await assertNoViolations(paul, 'the map of requests');
  await press(paul, paul.getByRole('link', { name: 'Carte', exact: true }));
  await assertNoViolations(paul, 'the map of every open request');
  await press(paul, paul.locator(`svg.map-plan a[aria-label^="${reference}"]`));
  assert(paul.url().endsWith(`/backoffice/requests/${reference}`), `the mark leads to the request: ${paul.url()}`);
  assert((await paul.locator('dl.summary').textContent()).includes('Le Moulin (secteur Sud)'), 'its district on its page');
});

test('backoffice: the file of people — searched by name, a file with every request of that person across channels, reached from a request — no axe violation', async () => {
  const requester = '<g:requester><g:firstName>Fanny</g:firstName><g:lastName>Fichier</g:lastName><g:email>fanny.fichier@example.fr</g:email></g:requester>';
  const first = await soapSubmit(SOAP_ROAD.replace(SOAP_REQUESTER, requester));
  const second = await soapSubmit(SOAP_ROAD.replace(SOAP_REQUESTER, requester.replace('Fanny', 'F.')));
  const paul = await agentPage('paul');
  await press(paul, paul.getByRole('link', { name: 'Usagers', exact: true }));
  await assertNoViolations(paul, 'the file of people');
  await paul.getByLabel('Nom, adresse électronique ou téléphone').fill('fichier');
  await press(paul, paul.getByRole('button', { name: 'Chercher' }));
  await assertNoViolations(paul, 'a search of the file of people');
  await press(paul, paul.getByRole('link', { name: 'Fanny Fichier' }));
  const table = await paul.getByRole('table', { name: /Ses demandes/ }).textContent();
  assert(table.includes(first.reference) && table.includes(second.reference), 'both requests in one file');
  await assertNoViolations(paul, 'a file of the town\'s people');
  await paul.goto(`${BO}/requests/${second.reference}`);
  await press(paul, paul.getByRole('link', { name: 'Sa fiche et toutes ses demandes' }));
  assert((await paul.locator('h1').textContent()).includes('Fanny Fichier'), 'the request leads to its requester\'s file');
});

test('backoffice: suggested merges — two files sharing a phone merged by an agent, the file made a partner, a request recorded by phone from it — no axe violation', async () => {
  const requester = (email, phone) => `<g:requester><g:firstName>Gaspard</g:firstName><g:lastName>Jumeau</g:lastName><g:email>${email}</g:email>${phone ? `<g:phone>${phone}</g:phone>` : ''}</g:requester>`;
  await soapSubmit(SOAP_ROAD.replace(SOAP_REQUESTER, requester('gaspard.a@example.fr', '06 44 44 44 44')));
  await soapSubmit(SOAP_ROAD.replace(SOAP_REQUESTER, requester('gaspard.b@example.fr')));
  await soapSubmit(SOAP_ROAD.replace(SOAP_REQUESTER, requester('gaspard.b@example.fr', '06 44 44 44 44')));
  const paul = await agentPage('paul');
  await press(paul, paul.getByRole('link', { name: 'Usagers', exact: true }));
  await press(paul, paul.getByRole('link', { name: /même personne/ }));
  await assertNoViolations(paul, 'the suggested merges');
  const pair = paul.locator('section.merge').filter({ hasText: 'gaspard.b@example.fr' });
  assert(await pair.count(), 'the two files suggested side by side');
  await press(paul, pair.getByRole('button', { name: /fusionner/ }));
  assert((await paul.locator('.notice').textContent()).includes('n\'en font plus qu\'une'), 'said merged');
  await assertNoViolations(paul, 'the suggested merges after a merge');
  await press(paul, paul.getByRole('link', { name: 'Voir la fiche' }));
  const table = await paul.getByRole('table', { name: /Ses demandes/ }).textContent();
  assertEq((table.match(/\d{4}-\d{6}/g) || []).length, 3, 'the three requests in one file');
  await paul.getByLabel('Type de fiche').selectOption('partner');
  await press(paul, paul.getByRole('button', { name: 'Enregistrer le type' }));
  assert((await paul.locator('.notice').textContent()).includes('enregistré'), 'the kind saved');
  await assertNoViolations(paul, 'a file with its forms');
  await paul.getByLabel('Reçue', { exact: true }).selectOption('phone');
  await paul.getByLabel('Téléservice').selectOption('road-incident');
  await press(paul, paul.getByRole('button', { name: 'Ouvrir le formulaire' }));
  assertEq(await paul.locator('input[name="requester.email"]').inputValue(), 'gaspard.a@example.fr', 'the requester from the file');
  await assertNoViolations(paul, 'an intake form filled from a file');
});

test('backoffice: messages received by SMS — routed to the roads department by a rule, one made a request at the SMS desk, one filed — no axe violation', async () => {
  assert(DATA_DIR, 'GUICHET_DATA_DIR is not set: cannot give the tenant an SMS callback');
  const secret = 'un-secret-de-rappel-sms-0123';
  const file = settingsPath();
  if (!fs.readFileSync(file, 'utf8').includes(secret)) {
    fs.appendFileSync(file, `\n[inbound]\nsms_secret = "${secret}"\n\n[[inbound.rules]]\nkeywords = ["poule", "trottoir"]\ndepartment = "voirie"\nservice = "road-incident"\n`);
  }
  const sms = (from, text, id) => fetch(`${T}/inbound/sms?key=${secret}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ from, text, id }).toString(),
  });
  const deadline = Date.now() + 10_000;
  let r;
  for (;;) {
    r = await sms('+33612121212', 'Un nid de poule devant le 4 rue des Lilas, attention aux vélos', 'browser-1');
    if (r.status === 200) break;
    await r.arrayBuffer();
    if (Date.now() > deadline) throw new Failure(`the server did not pick up [inbound] sms_secret within 10 s: HTTP ${r.status}`);
    await new Promise((res) => setTimeout(res, 200));
  }
  assertEq((await r.json()).status, 'queued', 'the first SMS queued');
  assertEq((await (await sms('+33613131313', 'Le trottoir est encombré de cartons', 'browser-2')).json()).status, 'queued', 'the second SMS queued');
  const paul = await agentPage('paul');
  await press(paul, paul.getByRole('link', { name: /Messages reçus/ }));
  await assertNoViolations(paul, 'the queue of messages received');
  const table = await paul.getByRole('table').first().textContent();
  assert(table.includes('rue des Lilas') && table.includes('cartons'), `both messages listed: ${table}`);
  await press(paul, paul.getByRole('row').filter({ hasText: 'rue des Lilas' }).getByRole('link'));
  await assertNoViolations(paul, 'a message received');
  assertEq(await paul.getByLabel('Téléservice').inputValue(), 'road-incident', 'the rule\'s service suggested');
  await press(paul, paul.getByRole('button', { name: 'Remplir le formulaire' }));
  assertEq(await paul.locator('input[name="requester.phone"]').inputValue(), '0612121212', 'the sender\'s phone in the intake form');
  await assertNoViolations(paul, 'an intake form filled from a message');
  // The intake form is the citizens' form at the agents' desk: back to the queue by its address.
  await paul.goto(`${BO}/inbound`);
  await press(paul, paul.getByRole('row').filter({ hasText: 'cartons' }).getByRole('link'));
  await press(paul, paul.getByRole('button', { name: 'Classer sans suite' }));
  assert((await paul.locator('.notice').textContent()).includes('classé'), 'said filed');
  await assertNoViolations(paul, 'the queue after a message is filed');
  assert(!(await paul.locator('main').textContent()).includes('cartons'), 'the filed message left the queue');
});

test('citizen and backoffice: the alerts page (lists, errors next to their field, a confirmation sent), a person subscribed at the counter, a campaign from a pre-formatted message checked then sent — no axe violation', async () => {
  const page = await (await newContext()).newPage();
  await page.goto(`${T}/alerts`);
  await assertNoViolations(page, 'the alerts page');
  await press(page, page.getByRole('button', { name: "S'inscrire" }));
  assert((await page.locator('#list-error').textContent()).includes('au moins une liste'), 'the list\'s error next to it');
  assert((await page.locator('#alerts-email-error').textContent()).includes('adresse'), 'the address\'s error next to it');
  assertEq(await page.getByLabel('Adresse électronique').getAttribute('aria-invalid'), 'true', 'the address marked invalid');
  await assertNoViolations(page, 'the alerts page with errors');
  await page.getByLabel('Travaux et circulation').check();
  await page.getByLabel('Adresse électronique').fill('lea.martin@example.fr');
  await press(page, page.getByRole('button', { name: "S'inscrire" }));
  assert((await page.locator('.notice.success').textContent()).includes('lien de confirmation'), 'told a link was sent');
  await assertNoViolations(page, 'the alerts page once sent');

  const paul = await agentPage('paul');
  await press(paul, paul.getByRole('link', { name: 'Campagnes', exact: true }));
  await assertNoViolations(paul, 'the lists and campaigns');
  await paul.getByLabel('Liste', { exact: true }).selectOption('travaux');
  await paul.getByLabel('SMS', { exact: true }).check();
  await paul.getByLabel('Téléphone mobile ou adresse électronique').fill('01 23 45 67 89');
  await press(paul, paul.getByRole('button', { name: 'Inscrire', exact: true }));
  assert((await paul.locator('#counter-address-error').textContent()).includes('mobile'), 'a landline refused next to the field');
  await assertNoViolations(paul, 'the counter form with an error');
  await paul.getByLabel('Téléphone mobile ou adresse électronique').fill('06 12 34 56 78');
  await press(paul, paul.getByRole('button', { name: 'Inscrire', exact: true }));
  assert((await paul.locator('.notice.success').textContent()).includes('Inscription enregistrée'), 'said subscribed');

  await press(paul, paul.getByRole('link', { name: 'Nouvelle campagne' }));
  await assertNoViolations(paul, 'a new campaign');
  await press(paul, paul.getByRole('link', { name: 'Rue fermée' }));
  assert((await paul.getByLabel('Texte').inputValue()).includes('sera fermée'), 'the pre-formatted text filled in');
  assertEq(await paul.getByLabel('Objet (courriel)').inputValue(), 'Travaux : rue fermée', 'its subject too');
  await paul.getByLabel('Courriel', { exact: true }).check();
  await paul.getByLabel('Objet (courriel)').fill('');
  await press(paul, paul.getByRole('button', { name: 'Vérifier' }));
  assert((await paul.locator('#campaign-subject-error').textContent()).includes('objet'), 'an e-mail needs its subject, said next to it');
  await assertNoViolations(paul, 'a new campaign with an error');
  await paul.getByLabel('Objet (courriel)').fill('Travaux : rue des Lilas fermée');
  await press(paul, paul.getByRole('button', { name: 'Vérifier' }));
  assert((await paul.locator('#campaign-preview').textContent()).includes('destinataire'), 'the recipients counted');
  await assertNoViolations(paul, 'a checked campaign');
  await press(paul, paul.getByRole('button', { name: 'Envoyer' }));
  assert((await paul.locator('h1').textContent()).includes('Campagne n°'), `the campaign's page: ${paul.url()}`);
  await assertNoViolations(paul, "a campaign's page");
  await press(paul, paul.getByRole('link', { name: 'Retour aux listes et campagnes' }));
  assert((await paul.getByRole('table', { name: 'Campagnes envoyées' }).textContent()).includes('Travaux : rue des Lilas fermée'), 'listed with its figures');
});

/** The links to the alerts pages a kept message carries, quoted-printable
 *  or base64 as the mail was written. */
function alertLinks(message) {
  const texts = [message.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))];
  for (const run of message.match(/(?:^[A-Za-z0-9+/=]{16,}\r\n)+/gm) || []) {
    texts.push(Buffer.from(run.replace(/\r\n/g, ''), 'base64').toString('utf8'));
  }
  return texts.flatMap((t) => [...t.matchAll(/\/alerts\/(confirm|leave)\/([0-9a-f]{32})/g)].map((m) => ({ kind: m[1], path: `/alerts/${m[1]}/${m[2]}` })));
}

test('citizen: the links of the lists\' e-mails — a subscription confirmed by its link, then left by the link of a welcome e-mail, pressing its button — no axe violation', async () => {
  assert(DATA_DIR, 'GUICHET_DATA_DIR is not set: cannot give the tenant a mail server');
  const sink = await smtpSink();
  const file = settingsPath();
  const before = fs.readFileSync(file, 'utf8');
  try {
    // The administrators' settings page may have written a [mail] table already.
    const smtp = `smtp = "smtp://127.0.0.1:${sink.port}"`;
    fs.writeFileSync(file, /^\[mail\]$/m.test(before)
      ? before.replace(/^smtp\s*=.*\n/m, '').replace(/^\[mail\]$/m, `[mail]\n${smtp}`)
      : `${before}\n[mail]\n${smtp}\n`);
    // Another address than the test above's: its confirmation comes now.
    const page = await (await newContext()).newPage();
    const deadline = Date.now() + 30_000;
    const linkTo = async (address, kind) => {
      for (;;) {
        const found = sink.messages.filter((m) => m.includes(address)).flatMap(alertLinks).find((l) => l.kind === kind);
        if (found) return found.path;
        if (Date.now() > deadline) throw new Failure(`no ${kind} link to ${address} within 30 s (${sink.messages.length} message(s) kept)`);
        await new Promise((res) => setTimeout(res, 250));
      }
    };
    await page.goto(`${T}/alerts`);
    await page.getByLabel('Culture et loisirs').check();
    await page.getByLabel('Adresse électronique').fill('hugo.petit@example.fr');
    await press(page, page.getByRole('button', { name: "S'inscrire" }));
    await page.goto(`${T}${await linkTo('hugo.petit@example.fr', 'confirm')}`);
    assert((await page.locator('.notice').textContent()).includes('est confirmée'), 'said confirmed');
    await assertNoViolations(page, 'a subscription confirmed');

    const paul = await agentPage('paul');
    await paul.goto(`${BO}/campaigns`);
    await paul.getByLabel('Liste', { exact: true }).selectOption('travaux');
    await paul.getByLabel('Courriel', { exact: true }).check();
    await paul.getByLabel('Téléphone mobile ou adresse électronique').fill('ines.roux@example.fr');
    await press(paul, paul.getByRole('button', { name: 'Inscrire', exact: true }));
    await page.goto(`${T}${await linkTo('ines.roux@example.fr', 'leave')}`);
    await assertNoViolations(page, 'the page to leave a list');
    await press(page, page.getByRole('button', { name: 'Me désinscrire' }));
    assert((await page.locator('.notice').textContent()).includes('désinscrit'), 'said left');
    await assertNoViolations(page, 'a list left');
  } finally {
    // The mail server goes with the test.
    fs.writeFileSync(file, before);
    sink.close();
  }
});

test('backoffice: the map over the town\'s tile server — Leaflet from the town\'s own assets, tiles from the server set in [map], districts and located requests drawn, the SVG plan hidden — no axe violation', async () => {
  assert(DATA_DIR, 'GUICHET_DATA_DIR is not set: cannot give the tenant a tile server');
  // A tile server on this machine: a one-pixel PNG for every tile, counted.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
  const asked = [];
  const tiles = http.createServer((req, res) => {
    asked.push(req.url);
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
    res.end(png);
  });
  await new Promise((r) => tiles.listen(0, '127.0.0.1', r));
  const { reference } = await soapSubmit(SOAP_ROAD
    .replace('<g:street>4 rue du Navigateur</g:street><g:postalCode>75002</g:postalCode><g:town>Démoville</g:town>',
      '<g:street>3 place de la Gare</g:street><g:postalCode>59000</g:postalCode><g:town>Démoville</g:town><g:latitude>50.6300</g:latitude><g:longitude>3.0600</g:longitude>'));
  const file = settingsPath();
  const before = fs.readFileSync(file, 'utf8');
  try {
    fs.writeFileSync(file, `${before}\n[map]\ntiles = "http://127.0.0.1:${tiles.address().port}/{z}/{x}/{y}.png"\nattribution = "© les contributeurs d'OpenStreetMap"\n`);
    const paul = await agentPage('paul');
    const deadline = Date.now() + 10_000;
    for (;;) {
      await paul.goto(`${BO}/map?state=all`);
      if (await paul.locator('#tile-map').count()) break;
      if (Date.now() > deadline) throw new Failure('the server did not pick up [map] tiles within 10 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await paul.locator('#tile-map .leaflet-tile-loaded').first().waitFor({ timeout: 8000 });
    assert(asked.length > 0 && asked.every((u) => /^\/\d+\/\d+\/\d+\.png$/.test(u)), `tiles asked of the town's tile server: ${asked.slice(0, 3)}`);
    assert(await paul.locator('figure.map').isHidden(), 'the SVG plan hidden once the tile map is drawn');
    assert((await paul.locator('#tile-map path.leaflet-interactive').count()) >= 5, 'the four districts and at least a located request drawn');
    assert((await paul.locator('#tile-map .leaflet-control-attribution').textContent()).includes('OpenStreetMap'), 'the tile server credited');
    const scripts = await paul.locator('script[src]').evaluateAll((all) => all.map((e) => e.src));
    assert(scripts.length >= 2 && scripts.every((src) => src.startsWith(`${T}/assets/`)), `scripts from the town's own assets only: ${scripts}`);
    await assertNoViolations(paul, 'the map over tiles');
    // A mark's popup leads to its request.
    const link = paul.locator(`#tile-map a[href$="/requests/${reference}"]`);
    const marks = paul.locator('#tile-map path.leaflet-interactive');
    for (let i = (await marks.count()) - 1; i >= 0 && !(await link.count()); i -= 1) {
      await marks.nth(i).click({ force: true });
    }
    await press(paul, link);
    assert(paul.url().endsWith(`/backoffice/requests/${reference}`), `the mark's popup leads to the request: ${paul.url()}`);
  } finally {
    fs.writeFileSync(file, before);
    tiles.close();
  }
});

// Last, as it fills the town with requests the tests above would count.
test('backoffice: a large export is prepared in the background — asked, said queued, offered once ready by the server\'s worker, downloaded whole — no axe violation', async () => {
  // More requests than an export writes while the agent waits (5,000).
  const many = 5010;
  for (let i = 0; i < many; i += 25) {
    await Promise.all(Array.from({ length: Math.min(25, many - i) }, () => soapSubmit(SOAP_ROAD)));
  }
  const paul = await agentPage('paul');
  await paul.goto(`${BO}/export?state=all&service=road-incident`);
  assert((await paul.locator('p.hint').first().textContent()).includes('arrière-plan'), 'the page says it will be prepared in the background');
  await paul.getByLabel('Étape').uncheck();
  assertEq(await press(paul, paul.getByRole('button', { name: 'Télécharger' })), 200, 'queued: the page again');
  assert((await paul.locator('.notice').textContent()).includes('Export demandé'), 'said so');
  assert(await paul.getByRole('table', { name: 'Vos exports' }).count(), 'listed among the agent\'s exports');
  await assertNoViolations(paul, 'the export page with an export asked');
  // The server's export worker starts on it at once; the agent refreshes the page.
  const link = paul.getByRole('link', { name: /^Télécharger \(CSV/ });
  for (let i = 0; i < 60 && !(await link.count()); i++) {
    await paul.waitForTimeout(500);
    assertEq(await press(paul, paul.getByRole('link', { name: 'Actualiser' })), 200, 'refreshed');
  }
  assert(await link.count(), 'the export is offered once ready');
  await assertNoViolations(paul, 'the export page with an export ready');
  const [download] = await Promise.all([paul.waitForEvent('download'), link.click()]);
  const bytes = fs.readFileSync(await download.path());
  assertEq(bytes.subarray(0, 3).toString('hex'), 'efbbbf', 'a byte-order mark');
  const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter((l) => l);
  assert(lines[0].startsWith('Référence;Démarche;Reçue le'), `the chosen columns: ${lines[0]}`);
  assert(lines.length > many, `every request, not one page: ${lines.length - 1} rows`);
  return `${lines.length - 1} requests in ${download.suggestedFilename()}`;
});

// ---------------------------------------------------------------------------------------------
// Run.

const filters = process.argv.slice(2);
const selected = filters.length ? tests.filter((t) => filters.some((f) => t.name.includes(f))) : tests;
let passed = 0;
let failed = 0;
let postRefused = null; // the name of the failed submit test, to point later failures at it
const started = Date.now();
try {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
} catch (e) {
  console.log(`FAIL browser: cannot launch ${CHROMIUM}: ${e.message.split('\n')[0]}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(`# Chromium ${browser.version()}, axe-core ${AXE_VERSION} (${AXE_TAGS.join(', ')}), server ${BASE}`);
for (const t of selected) {
  const t0 = Date.now();
  const contextsBefore = new Set(browser.contexts());
  let timer;
  try {
    const note = await Promise.race([
      t.fn(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Failure(`timed out after ${t.timeout / 1000} s`)), t.timeout); }),
    ]);
    passed++;
    console.log(`PASS ${t.name} (${Date.now() - t0} ms)${note ? `: ${note}` : ''}`);
  } catch (e) {
    failed++;
    const message = e instanceof Failure ? e.message : `${e.name}: ${e.message.split('\n')[0]}`;
    console.log(`FAIL ${t.name}: ${message}`);
    for (const d of (e.details || [])) console.log(`    ${d}`);
    if (t.name.startsWith('submit:')) postRefused = t.name;
    else if (postRefused && /(got|HTTP) 403/.test(message)) console.log(`    (the same cause as "FAIL ${postRefused}": the browser's POST is refused)`);
    if (!(e instanceof Failure) && e.stack) console.log(e.stack.split('\n').slice(1, 4).map((l) => `    ${l.trim()}`).join('\n'));
  } finally {
    clearTimeout(timer);
    for (const c of browser.contexts()) if (!contextsBefore.has(c)) await c.close().catch(() => {});
  }
}
await browser.close();
console.log(`# ${selected.length} test(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
