// The XSS corpus through every channel, then on every page, e-mail and PDF that shows it.
//
// Every payload of payloads.txt, and one mutation of each made here (case, separators,
// encodings, NUL, nesting), calls xss(ID) if it ever runs. They go in as a town's site sends
// them (SOAP), as a citizen types them (the web form, the account's profile and replies), as
// business software writes them (the exchange API's status messages, notes and comments), as
// an Open311 client and an SMS provider post them, and as an agent answers. Then headless
// Chromium opens each page that shows them — the citizen's receipt, tracking page and account,
// the agents' console, request pages, people files, message queue, the administrators' search
// and deliveries — with the page's Content-Security-Policy bypassed (so that escaping alone is
// tested, not the CSP behind it) and a hook on xss(), alert(), confirm() and prompt(); each
// page is also searched for what an injection leaves (on* attributes, javascript: URLs, foreign
// elements, scripts not of the town's assets, a page that navigated away). Each e-mail the
// outbox sent (a real SMTP exchange with a sink here) has its HTML part opened the same way and
// searched for a payload left whole; each PDF is searched for actions and scripts.
//
// Prints the figures, then `N passed, M failed` (one check per surface).

import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { smtpSink } from '../lib/smtp-sink.mjs';

const require = createRequire(new URL('../browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const BASE = (process.env.GUICHET_URL || '').replace(/\/+$/, '');
const DATA_DIR = process.env.GUICHET_DATA_DIR || '';
const BIN = process.env.GUICHET_BIN || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TENANT = 'demoville';
const T = `${BASE}/${TENANT}`;
const BO = `${T}/backoffice`;
const PASSWORD = 'demoville-2026';
const SMS_SECRET = 'un-secret-de-rappel-sms-xss-0123';
const API_LOGIN = 'xss-logiciel';
const API_PASSWORD = 'xss-logiciel-2026-mot-de-passe';
const OPEN311_KEY = 'demoville-open311-demo-key';
if (!BASE || !DATA_DIR || !BIN || !process.env.MAILDIR) {
  console.log('FAIL xss suite: GUICHET_URL, GUICHET_DATA_DIR, GUICHET_BIN, MAILDIR, IMAP_URL and IMAP_CA must be set (tests/xss/run.sh sets them)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// The corpus.

const MUTATION = 10000; // a base payload's mutation has its ID + MUTATION

/** A tiny deterministic generator (mulberry32), so that a run is reproducible. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BREAKERS = ['">', "'>", '</textarea>', '</title>', '</script>', '-->', ']]>', '</style>', '</noscript>'];
/** Mutations of a template's text around its $X (which each keeps). */
const MUTATIONS = [
  ['case', (s, r) => [...s].map((c) => (r() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('')],
  ['separators', (s, r) => s.replace(/ /g, () => ['/', '\t', '\n', '\f', '\r', ' \u00a0'][Math.floor(r() * 6)])],
  ['nul', (s) => s.replace(/</g, '<\u0000').replace(/=/g, '\u0000=')],
  ['entities', (s) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')],
  ['percent', (s) => encodeURIComponent(s)],
  ['nested', (s) => s.replace(/<(\w+)/g, (_, t) => `<${t.slice(0, 2)}<${t}>${t.slice(2)}`)],
  ['breaker', (s, r) => BREAKERS[Math.floor(r() * BREAKERS.length)] + s + '<!--'],
  ['padded', (s) => `${'a'.repeat(120)} ${s} ${'z'.repeat(60)}`],
  ['unicode', (s) => s.replace(/</g, '\uFE64').replace(/>/g, '\uFE65')],
  ['double', (s) => s + s.replace(/</g, '<<').replace(/>/g, '>>')],
];

function loadCorpus() {
  const file = new URL('./payloads.txt', import.meta.url);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const unescape = (l) => l.replace(/\{NL\}/g, '\n').replace(/\{TAB\}/g, '\t').replace(/\{FF\}/g, '\f');
  const payloads = [];
  const seed = rng(20261207);
  lines.forEach((line, i) => {
    const id = i + 1;
    const template = unescape(line);
    const make = (n, parts) => {
      const text = parts.join(`xss(${n})`);
      return template.includes('$X') ? text : `${text} «xss(${n})»`;
    };
    payloads.push({ id, kind: 'base', text: make(id, template.split('$X')) });
    const [kind, mutate] = MUTATIONS[i % MUTATIONS.length];
    payloads.push({ id: id + MUTATION, kind, text: make(id + MUTATION, template.split('$X').map((p) => mutate(p, seed))) });
  });
  return payloads;
}

// XSS_LIMIT=N: the first N payloads of the file only (and their mutations), to work on the suite.
const PAYLOADS = loadCorpus().filter((p) => !Number(process.env.XSS_LIMIT) || p.id % MUTATION <= Number(process.env.XSS_LIMIT));
const BY_ID = new Map(PAYLOADS.map((p) => [p.id, p]));
const IDS = /xss\((\d+)\)/g;
const idsIn = (text) => new Set([...String(text).matchAll(IDS)].map((m) => Number(m[1])));

// ---------------------------------------------------------------------------------------------
// Helpers.

class Failure extends Error {}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const xmlText = (s) => s
  // Characters XML 1.0 cannot carry: a client cannot send them in SOAP at all.
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const pick = (xml, name) => (xml.match(new RegExp(`<(?:\\w+:)?${name}>([^<]*)</`)) || [])[1];
const pad = (n) => String(n).padStart(2, '0');
const yesterday = (() => { const d = new Date(Date.now() - 86_400_000); return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`; })();
const tokenOf = (html) => (html.match(/name="_token" value="([^"]+)"/) || [])[1];

/**
 * Sends `items` in groups of at most `per` through `send(group)`, which answers true when the
 * group was taken; a group refused is split until each payload alone is tried (a refused one
 * is counted, not an error: a field may refuse what it cannot hold, and nothing is stored).
 * Those with control characters go last, in groups of their own.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
async function sendAll(all, per, send, counts) {
  // Those with control characters last and apart: a form refuses them (next to their field).
  const items = [...all.filter((p) => !CONTROL.test(p.text)), ...all.filter((p) => CONTROL.test(p.text))];
  const queue = [];
  for (let i = 0; i < items.length; i += per) queue.push(items.slice(i, i + per));
  while (queue.length) {
    const group = queue.shift();
    if (await send(group)) counts.accepted += group.length;
    else if (group.length > 1) queue.unshift(group.slice(0, group.length >> 1), group.slice(group.length >> 1));
    else counts.refused.push(group[0].id);
  }
}

/** Splits payloads into groups whose joined text stays under `max` characters. */
function byLength(items, max, sep = ' | ') {
  const groups = [];
  let cur = [];
  let len = 0;
  for (const p of items) {
    if (cur.length && len + sep.length + p.text.length > max) { groups.push(cur); cur = []; len = 0; }
    cur.push(p);
    len += p.text.length + sep.length;
  }
  if (cur.length) groups.push(cur);
  return groups;
}
const joined = (group, sep = ' | ') => group.map((p) => p.text).join(sep);

/** The decoded text/html parts of a raw message (multipart, quoted-printable or base64). */
function htmlParts(raw) {
  const text = raw.toString('latin1');
  const parts = [];
  const boundaries = [...text.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((m) => m[1]);
  const chunks = boundaries.length ? boundaries.flatMap((b) => text.split(`--${b}`)) : [text];
  for (const chunk of chunks) {
    const split = chunk.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = chunk.slice(0, split);
    if (!/content-type:\s*text\/html/i.test(head)) continue;
    let body = chunk.slice(split + 4);
    let bytes;
    if (/content-transfer-encoding:\s*base64/i.test(head)) bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    else if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
      body = body.replace(/=\r\n/g, '');
      bytes = Buffer.from(body.replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    } else bytes = Buffer.from(body, 'latin1');
    parts.push(bytes.toString('utf8'));
  }
  return parts;
}

function guichet(args, env = {}) {
  return execFileSync(BIN, [...args, '--data-dir', DATA_DIR], {
    env: { ...process.env, GUICHET_LOG: 'error', ...env },
  }).toString();
}

/** Appends `text` to the town's settings unless `marker` is there already. */
function addSettings(marker, text) {
  const file = path.join(DATA_DIR, 'tenants', TENANT, 'settings.toml');
  const before = fs.readFileSync(file, 'utf8');
  if (!before.includes(marker)) fs.writeFileSync(file, `${before}\n${text}\n`);
}

// ---------------------------------------------------------------------------------------------
// The pages: opened in Chromium, the hook counting runs, the DOM searched.

const runs = []; // { id, url }
const findings = []; // { surface, url, what }
const seen = new Map(); // surface → Set of payload IDs found shown (escaped) on it
const pagesOpened = new Map(); // surface → count
let browser;

function note(surface, ids) {
  if (!seen.has(surface)) seen.set(surface, new Set());
  const set = seen.get(surface);
  for (const id of ids) set.add(id);
}

/** What an injection leaves in a document: run in the page, not subject to its CSP. */
function scanDocument(allowStyle) {
  const bad = [];
  const origin = location.origin;
  const urlAttr = /^(href|src|action|formaction|data|xlink:href|background|dynsrc|lowsrc|poster|codebase|srcset|ping|cite|longdesc|usemap|manifest|icon|profile|values|to|from)$/i;
  const foreign = new Set(['IFRAME', 'FRAME', 'FRAMESET', 'OBJECT', 'EMBED', 'APPLET', 'BASE', 'MARQUEE', 'BGSOUND',
    'ISINDEX', 'KEYGEN', 'XSS', 'XML', 'LAYER', 'ILAYER', 'MATH', 'PLAINTEXT', 'LISTING', 'XMP', 'NOEMBED', 'NOFRAMES',
    'DIALOG', 'TEMPLATE', 'VIDEO', 'AUDIO', 'SOURCE', 'TRACK', 'PICTURE', 'METER', 'PROGRESS', 'ANIMATE', 'SET',
    'DISCARD', 'FOREIGNOBJECT', 'IMAGE', 'USE', 'MACTION', 'X']);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toUpperCase();
    const short = () => el.outerHTML.slice(0, 100);
    if (foreign.has(tag) || tag.includes(':') || el instanceof HTMLUnknownElement) bad.push(`an element <${el.tagName.toLowerCase()}>: ${short()}`);
    // Attributes read as written (a property may be clobbered by a named form control).
    const abs = (name) => { const v = el.getAttribute(name); return v === null ? null : new URL(v, location.href).href; };
    const src = abs('src');
    if (tag === 'SCRIPT' && !(src && src.startsWith(`${origin}/`) && !el.textContent.trim())) bad.push(`a script not of the town's assets: ${short()}`);
    const equiv = el.getAttribute('http-equiv');
    if (tag === 'META' && equiv && !/^(content-type|x-ua-compatible)$/i.test(equiv)) bad.push(`a <meta http-equiv>: ${short()}`);
    const href = abs('href');
    if (tag === 'LINK' && href && !href.startsWith(`${origin}/`) && href !== 'data:,') bad.push(`a link to elsewhere: ${short()}`);
    if (tag === 'STYLE' && (!allowStyle || el.closest('body'))) bad.push(`a <style>: ${short()}`);
    const action = abs('action');
    if (tag === 'FORM' && action && !action.startsWith(`${origin}/`)) bad.push(`a form posting elsewhere: ${short()}`);
    for (const a of el.attributes) {
      const value = a.value.replace(/[\u0000-\u0020]/g, '');
      if (/^on/i.test(a.name)) bad.push(`an event handler ${a.name}: ${short()}`);
      else if (/^(srcdoc|formaction|xmlns:.*)$/i.test(a.name)) bad.push(`an attribute ${a.name}: ${short()}`);
      else if (urlAttr.test(a.name) && /^(javascript|vbscript|data:(?!image\/(png|jpeg|webp|gif);))/i.test(value) && !(tag === 'LINK' && el.getAttribute('rel') === 'icon' && value === 'data:,')) bad.push(`a script URL in ${a.name}: ${short()}`);
      else if (a.name === 'style' && /xss\(|javascript:|expression\(|url\(|position:\s*fixed/i.test(a.value)) bad.push(`a style from a payload: ${short()}`);
    }
  }
  const values = [...document.querySelectorAll('input, textarea, select')].map((e) => e.value).join(' ');
  return { bad, text: `${document.documentElement.innerText} ${values}`, url: location.href };
}

async function newContext() {
  const context = await browser.newContext({ bypassCSP: true, locale: 'fr-FR', viewport: { width: 1024, height: 768 } });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(20_000);
  await context.exposeBinding('__xssRan', ({ frame }, id) => { runs.push({ id, url: frame.url() }); });
  await context.addInitScript(() => {
    const report = (id) => { try { window.__xssRan(String(id)); } catch (e) { /* a frame without the binding */ } };
    window.xss = report;
    window.alert = () => report('alert');
    window.confirm = () => report('confirm');
    window.prompt = () => report('prompt');
  });
  return context;
}

/** Opens `url` in `page`, lets an injected handler fire, and records what the page shows. */
async function check(page, surface, url, { expectStatus = [200], allowStyle = false } = {}) {
  const response = await page.goto(url, { waitUntil: 'load' });
  const status = response ? response.status() : 0;
  if (!expectStatus.includes(status)) findings.push({ surface, url, what: `HTTP ${status}` });
  await page.waitForTimeout(30); // a timer, an autofocus or an animation event of an injection
  const scan = await page.evaluate(scanDocument, allowStyle);
  if (scan.url !== url && new URL(scan.url).pathname !== new URL(url).pathname) findings.push({ surface, url, what: `navigated to ${scan.url}` });
  for (const what of scan.bad) findings.push({ surface, url, what });
  note(surface, idsIn(scan.text));
  pagesOpened.set(surface, (pagesOpened.get(surface) || 0) + 1);
  return scan;
}

// ---------------------------------------------------------------------------------------------
// The channels.

const requests = []; // { channel, reference, code, receipt }
const channels = {}; // name → { accepted, refused[] }
const counts = (name) => (channels[name] ||= { accepted: 0, refused: [] });

async function soapSubmit(group, email, short = true) {
  const [a, b, c, d, e] = group;
  const fit = (p, fallback) => (short && p && p.text.length <= 100 ? xmlText(p.text) : fallback);
  const body = `<g:SubmitRoadIncidentReport><g:requester><g:firstName>${fit(a, 'Jean')}</g:firstName><g:lastName>${fit(b, 'Corpus')}</g:lastName><g:email>${email}</g:email></g:requester><g:category>pothole</g:category><g:location><g:street>${fit(c, '4 rue du Corpus')}</g:street><g:postalCode>75002</g:postalCode><g:town>${fit(d, 'Démoville')}</g:town></g:location><g:locationDetails>${fit(e, 'Devant la mairie')}</g:locationDetails><g:description>${xmlText(`Charge utile : ${joined(group)}`)}</g:description><g:observedOn>${yesterday}</g:observedOn></g:SubmitRoadIncidentReport>`;
  const envelope = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:g="urn:guichet:${TENANT}"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
  const r = await fetch(`${T}/soap`, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: envelope });
  const text = await r.text();
  if (r.status !== 200) return short ? soapSubmit(group, email, false) : false;
  requests.push({ channel: 'soap', reference: pick(text, 'reference'), code: pick(text, 'trackingCode') });
  return true;
}

const refusedForms = []; // the forms shown again with their errors: searched like any page
async function webSubmit(context, group, short = true) {
  const form = await context.request.get(`${T}/services/road-incident`);
  const token = tokenOf(await form.text());
  const [a, b, c, d, e] = group;
  const fit = (p, fallback) => (short && p && p.text.length <= 100 ? p.text : fallback);
  const fields = {
    _token: token, category: 'pothole', 'requester.firstName': fit(a, 'Zoé'), 'requester.lastName': fit(b, 'Corpus'),
    'requester.email': 'web.corpus@example.fr', 'location.street': fit(c, '4 rue du Corpus'), 'location.postalCode': '75002',
    'location.town': fit(d, 'Démoville'), locationDetails: fit(e, ''), description: `Charge utile : ${joined(group)}`, observedOn: yesterday,
  };
  const r = await context.request.post(`${T}/services/road-incident`, { form: fields, maxRedirects: 0 });
  if (r.status() === 422) {
    if (refusedForms.length < 40) refusedForms.push(await r.text());
    return short ? webSubmit(context, group, false) : false;
  }
  if (r.status() !== 303) return false;
  const receipt = new URL(r.headers().location, T).href;
  const html = await (await context.request.get(receipt)).text();
  const code = (html.match(/\/track\/([A-Za-z0-9-]+)/) || [])[1];
  requests.push({ channel: 'web', reference: (html.match(/\d{4}-\d{6}/) || [])[0], code, receipt });
  return true;
}

async function open311Submit(group, short = true) {
  const [a, b, c] = group;
  const fit = (p, fallback) => (short && p && p.text.length <= 100 ? p.text : fallback);
  const fields = new URLSearchParams({
    api_key: OPEN311_KEY, service_code: 'road-incident', lat: '48.8686', long: '2.3314',
    address_string: fit(c, '12 rue de la République, 75002 Démoville'), email: 'open311.corpus@example.fr',
    first_name: fit(a, 'Zoé'), last_name: fit(b, 'Corpus'), description: `Charge utile : ${joined(group)}`,
    'attribute[category]': 'pothole', 'attribute[observedOn]': yesterday,
  });
  const r = await fetch(`${T}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
  const text = await r.text();
  if (r.status !== 201 && r.status !== 200) return short ? open311Submit(group, false) : false;
  const json = JSON.parse(text);
  const first = Array.isArray(json) ? json[0] : json;
  const reference = first.service_request_id || first.token;
  requests.push({ channel: 'open311', reference });
  return true;
}

function wsseHeader() {
  const nonce = crypto.randomBytes(16);
  const created = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const digest = crypto.createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created + API_PASSWORD)])).digest('base64');
  return '<soapenv:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" soapenv:mustUnderstand="1"><wsse:UsernameToken>'
    + `<wsse:Username>${API_LOGIN}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>`
    + `<wsse:Nonce>${nonce.toString('base64')}</wsse:Nonce><wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security></soapenv:Header>`;
}

async function exchange(body) {
  const envelope = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="urn:guichet:${TENANT}:exchange">${wsseHeader()}<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
  const r = await fetch(`${T}/exchange`, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: envelope });
  return { status: r.status, text: await r.text() };
}

async function sms(group, n) {
  const r = await fetch(`${T}/inbound/sms?key=${SMS_SECRET}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ from: `+336${String(10000000 + n).slice(-8)}`, text: joined(group, ' '), id: `xss-${n}` }).toString(),
  });
  return r.status === 200;
}

/** A message as a hostile sender writes it, dropped in the town's Maildir (read over IMAP). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==', 'base64');
function dropMail(group, n, reference) {
  const b64 = (s) => Buffer.from(s).toString('base64').replace(/.{76}/g, '$&\r\n');
  const word = (s) => `=?utf-8?B?${Buffer.from(s).toString('base64')}?=`;
  const [subject, name, ...rest] = group;
  const text = joined(group, '\n');
  const html = `<html><body>${rest.map((p) => `<p>${p.text}</p>`).join('')}</body></html>`;
  const file = name ? `${name.text.slice(0, 80)}.png` : 'photo.png';
  const mail = [
    `From: ${word(name ? name.text : 'Corpus')} <courriel.${n}@example.fr>`,
    'To: mairie@demoville.example',
    `Subject: ${word(`${reference && n % 2 ? `Demande ${reference} : ` : ''}${subject.text}`)}`,
    `Message-ID: <xss-${n}@example.fr>`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="m"',
    '', '--m', 'Content-Type: multipart/alternative; boundary="a"',
    '', '--a', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', b64(text),
    '--a', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '', b64(html), '--a--',
    '--m', `Content-Type: image/png; name="${word(file)}"`, `Content-Disposition: attachment; filename*=utf-8''${encodeURIComponent(file)}`,
    'Content-Transfer-Encoding: base64', '', PNG.toString('base64'), '--m--', '',
  ].join('\r\n');
  const unique = `${Date.now()}.xss${n}.guichet`;
  fs.writeFileSync(path.join(process.env.MAILDIR, 'tmp', unique), mail);
  fs.renameSync(path.join(process.env.MAILDIR, 'tmp', unique), path.join(process.env.MAILDIR, 'new', unique));
  return true;
}

/** An agent's context, signed in through the login form. */
async function agentContext(login) {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${BO}/login`);
  await page.getByLabel('Identifiant').fill(login);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Se connecter' }).click()]);
  if (new URL(page.url()).pathname !== `/${TENANT}/backoffice/`) throw new Failure(`${login} could not sign in: ${page.url()}`);
  return { context, page };
}

// ---------------------------------------------------------------------------------------------
// The run.

const started = Date.now();
const results = [];
function result(name, ok, details) {
  results.push({ name, ok });
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${details ? `: ${details}` : ''}`);
}

try {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'], headless: true, timeout: 30_000 });
} catch (e) {
  console.log(`FAIL browser: cannot launch ${CHROMIUM}: ${e.message.split('\n')[0]}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const base = PAYLOADS.filter((p) => p.kind === 'base').length;
console.log(`# ${PAYLOADS.length} payloads: ${base} of tests/xss/payloads.txt and a mutation of each; Chromium ${browser.version()}; server ${BASE}`);

const sink = await smtpSink();
fs.copyFileSync(process.env.IMAP_CA, path.join(DATA_DIR, 'tenants', TENANT, 'imap-ca.pem'));
addSettings('# xss suite', `# xss suite\n[mail]\nsmtp = "smtp://127.0.0.1:${sink.port}"\n\n[inbound]\nsms_secret = "${SMS_SECRET}"\npoll_seconds = 10\n\n[[inbound.mailboxes]]\nname = "mairie"\nurl = "${process.env.IMAP_URL}"\nca_file = "imap-ca.pem"\n`);
guichet(['api-account', 'add', API_LOGIN, '--name', 'Logiciel du corpus XSS', '--role', 'voirie:handler'], { GUICHET_API_PASSWORD: API_PASSWORD });
// The server reads the town's settings again within seconds.
for (let i = 0; ; i++) {
  const r = await fetch(`${T}/inbound/sms?key=${SMS_SECRET}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'from=%2B33600000000&text=bonjour&id=xss-0' });
  await r.arrayBuffer();
  if (r.status === 200) break;
  if (i > 100) throw new Failure(`the server did not pick up the suite's settings: HTTP ${r.status}`);
  await sleep(200);
}

// The account: a citizen signs up and confirms first (before the outbox has the corpus's
// acknowledgements to send), sends a request, then types payloads into the profile and replies.
const account = await newContext();
const email = 'compte.corpus@example.fr';
const accountPassword = 'Lune-verte-sous-la-pluie-7';
{
  const signup = await (await account.request.get(`${T}/account/signup`)).text();
  const r = await account.request.post(`${T}/account/signup`, { form: { _token: tokenOf(signup) || '', email, password: accountPassword } });
  if (r.status() >= 400) throw new Failure(`sign-up refused: HTTP ${r.status()}`);
  let link;
  for (let i = 0; i < 300 && !link; i++) {
    for (const m of sink.messages) {
      const found = m.toString('latin1').replace(/=\r\n/g, '').match(/\/account\/confirm\/[A-Za-z0-9_=-]+/);
      if (found) link = found[0];
    }
    if (!link) await sleep(200);
  }
  if (!link) throw new Failure('no confirmation e-mail reached the SMTP sink');
  const confirm = await (await account.request.get(`${BASE}/${TENANT}${link.slice(link.indexOf('/account'))}`)).text();
  const c = await account.request.post(`${BASE}/${TENANT}${link.slice(link.indexOf('/account'))}`, { form: { _token: tokenOf(confirm) || '' } });
  if (c.status() >= 400) throw new Failure(`confirmation refused: HTTP ${c.status()}`);
}
// SOAP, the web form, Open311: each request carries a group of payloads in its text fields.
let n = 0;
await sendAll(PAYLOADS, 12, (g) => soapSubmit(g, `soap.${(n += 1)}@example.fr`), counts('SOAP'));
const citizen = await newContext();
await sendAll(PAYLOADS, 12, (g) => webSubmit(citizen, g), counts('web form'));
await sendAll(PAYLOADS, 12, (g) => open311Submit(g), counts('Open311'));
console.log(`# ${requests.length} requests stored (${['soap', 'web', 'open311'].map((c) => `${c} ${requests.filter((r) => r.channel === c).length}`).join(', ')})`);

// The exchange API, on the SOAP requests: a status change with its comment and message to the
// citizen, then a note.
const soapRequests = requests.filter((r) => r.channel === 'soap');
{
  let i = 0;
  await sendAll(PAYLOADS, 6, async (g) => {
    const req = soapRequests[i % soapRequests.length];
    i += 1;
    const half = g.length >> 1 || 1;
    const first = !req.exchanged;
    const body = first
      ? `<x:UpdateRequestStatus><x:reference>${req.reference}</x:reference><x:action>qualify</x:action><x:comment>${xmlText(joined(g.slice(0, half)))}</x:comment><x:messageToCitizen>${xmlText(joined(g.slice(half)) || 'Pris en charge.')}</x:messageToCitizen></x:UpdateRequestStatus>`
      : `<x:AddNote><x:reference>${req.reference}</x:reference><x:text>${xmlText(joined(g))}</x:text></x:AddNote>`;
    const r = await exchange(body);
    if (r.status === 200) req.exchanged = true;
    return r.status === 200;
  }, counts('exchange API'));
}

// Inbound SMS: the provider's signed callback.
{
  let i = 0;
  await sendAll(PAYLOADS, 6, (g) => sms(g, (i += 1)), counts('inbound SMS'));
}

// Inbound e-mail: the payloads in the sender's name, the subject, the text and HTML bodies and
// an attachment's file name; every other one names a SOAP request, to be filed with it.
{
  let i = 0;
  const mails = counts('inbound e-mail');
  await sendAll(PAYLOADS, 5, async (g) => dropMail(g, (i += 1), soapRequests[i % soapRequests.length].reference), mails);
  // Read by the server's next rounds (every 10 s), each marked seen (S) once kept.
  const cur = path.join(process.env.MAILDIR, 'cur');
  for (let k = 0; k < 240; k++) {
    const waiting = fs.readdirSync(path.join(process.env.MAILDIR, 'new')).length
      + fs.readdirSync(cur).filter((f) => !/:2,[A-Z]*S/.test(f)).length;
    if (!waiting) break;
    if (k === 239) throw new Failure(`the server did not read ${waiting} messages of its mailbox in 120 s`);
    await sleep(500);
  }
}

await webSubmit(account, [{ id: 0, text: 'Un trou devant chez moi, signalé depuis mon compte' }]);
const accountRequest = requests.pop();
accountRequest.channel = 'account';
requests.push(accountRequest);
const accountPage = await account.newPage();
{
  const profileCounts = counts('account profile');
  await sendAll(PAYLOADS, 4, async (g) => {
    const [a, b, c, d] = g;
    const fit = (p, fallback) => (p && p.text.length <= 100 ? p.text : fallback);
    const page = await (await account.request.get(`${T}/account/profile`)).text();
    const r = await account.request.post(`${T}/account/profile`, {
      form: { _token: tokenOf(page) || '', civility: '', firstName: fit(a, 'Zoé'), lastName: fit(b, 'Corpus'), phone: '', street: fit(c, '4 rue du Corpus'), postalCode: '75002', town: fit(d, 'Démoville') },
      maxRedirects: 0,
    });
    if (r.status() !== 303 && r.status() !== 200) return false;
    await check(accountPage, 'account: profile', `${T}/account/profile`);
    return true;
  }, profileCounts);
}

// The agents: an answer to each web request (the citizen's page and e-mail show it); the
// citizen replies to the account's request from the account.
const { context: agent } = await agentContext('admin');
async function agentCommand(reference, fields) {
  const html = await (await agent.request.get(`${BO}/requests/${reference}`)).text();
  const r = await agent.request.post(`${BO}/requests/${reference}`, { form: { _token: tokenOf(html) || '', revision: (html.match(/name="revision" value="(\d+)"/) || [])[1] || '', ...fields }, maxRedirects: 0 });
  if (r.status() >= 400 && process.env.XSS_DEBUG) console.log(`# agent ${fields.command} on ${reference}: HTTP ${r.status()} ${(await r.text()).slice(0, 300)}`);
  return r.status() < 400;
}
{
  const webRequests = requests.filter((r) => r.channel === 'web');
  let i = 0;
  await sendAll(PAYLOADS, 12, (g) => agentCommand(webRequests[(i += 1) % webRequests.length].reference, { command: 'answer', text: joined(g) }), counts('agent answer'));
  await sendAll(PAYLOADS, 12, async (g) => {
    const html = await (await account.request.get(`${T}/account/requests/${accountRequest.reference}`)).text();
    const r = await account.request.post(`${T}/account/requests/${accountRequest.reference}/reply`, { form: { _token: tokenOf(html) || '', text: joined(g) }, maxRedirects: 0 });
    return r.status() === 303;
  }, counts('account reply'));
}

// ---------------------------------------------------------------------------------------------
// Every page that shows them.

const agentPage = await agent.newPage();
const citizenPage = await citizen.newPage();
{
  // Three tabs of each at once: the server and Chromium both use the two cores.
  const queue = [...requests];
  const tab = async () => {
    const [mine, theirs] = [await citizen.newPage(), await agent.newPage()];
    for (let r = queue.shift(); r; r = queue.shift()) {
      if (r.code) await check(mine, 'citizen: tracking page', `${T}/track/${r.code}`);
      if (r.receipt) await check(mine, 'citizen: acknowledgement', r.receipt);
      await check(theirs, 'backoffice: request page', `${BO}/requests/${r.reference}`);
    }
    await mine.close();
    await theirs.close();
  };
  await Promise.all([tab(), tab(), tab()]);
}
for (const page of ['', 'archive', `requests/${accountRequest.reference}`]) {
  await check(accountPage, 'account: pages', `${T}/account/${page}`);
}
await check(accountPage, 'account: a form filled from the profile', `${T}/services/road-incident`);
{
  // The personal data download: a file, never a page a browser would run.
  const r = await account.request.get(`${T}/account/export`);
  const type = r.headers()['content-type'] || '';
  if (/html|svg|xml/i.test(type) && !/attachment/i.test(r.headers()['content-disposition'] || '')) findings.push({ surface: 'account: personal data', url: r.url(), what: `served inline as ${type}` });
  note('account: personal data', idsIn(await r.text()));
}
// The console: every page of every request, and searches by free text.
{
  let next = `${BO}/?state=all`;
  for (let p = 0; next && p < 200; p++) {
    await check(agentPage, 'backoffice: console', next);
    next = await agentPage.locator('a[rel=next]').first().getAttribute('href', { timeout: 500 }).catch(() => null);
    if (next) next = new URL(next, agentPage.url()).href;
  }
}
for (const q of ['xss', 'script', 'onerror', '<img', '"><', 'javascript:', PAYLOADS[0].text.slice(0, 90)]) {
  await check(agentPage, 'backoffice: console searched', `${BO}/?state=all&q=${encodeURIComponent(q)}`);
}
// The citizen's forms shown again with their errors.
for (const html of refusedForms) {
  await citizenPage.route(`${T}/services/road-incident?shown-again`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }), { times: 1 });
  await check(citizenPage, 'citizen: a form shown again with its errors', `${T}/services/road-incident?shown-again`);
}
// The people's files, found by name.
await check(agentPage, 'backoffice: people', `${BO}/people?q=${encodeURIComponent('corpus')}`);
const people = await agentPage.locator('main a[href*="/backoffice/people/"]').evaluateAll((as) => as.map((a) => a.href));
for (const href of [...new Set(people)].slice(0, 40)) await check(agentPage, 'backoffice: a person\'s file', href);
for (const q of ['<script', 'xss', 'corpus@example.fr']) await check(agentPage, 'backoffice: people searched', `${BO}/people?q=${encodeURIComponent(q)}`);
// Messages received.
await check(agentPage, 'backoffice: messages received', `${BO}/inbound`);
const messages = await agentPage.locator('main a[href*="/backoffice/inbound/"]').evaluateAll((as) => as.map((a) => a.href));
for (const href of [...new Set(messages)]) await check(agentPage, 'backoffice: a message received', href);
// The administrators: a person's data found, the deliveries.
for (const q of ['compte.corpus@example.fr', 'web.corpus@example.fr', '<script>']) {
  await check(agentPage, 'admin: a person\'s data', `${BO}/admin/people?q=${encodeURIComponent(q)}`);
}
for (const page of ['', 'exchange']) await check(agentPage, 'admin: pages', `${BO}/admin/${page}`);

// PDFs: the request and its receipt, from the back office and the account.
const pdfs = [];
async function pdf(context, surface, url) {
  const r = await context.request.get(url);
  const bytes = Buffer.from(await r.body());
  pdfs.push({ surface, url, bytes, status: r.status() });
}
for (const [i, r] of requests.entries()) {
  if (i % 4 === 0 || r.channel === 'account') {
    await pdf(agent, 'backoffice: request PDF', `${BO}/requests/${r.reference}/request.pdf`);
    await pdf(agent, 'backoffice: receipt PDF', `${BO}/requests/${r.reference}/receipt.pdf`);
  }
}
await pdf(account, 'account: request PDF', `${T}/account/requests/${accountRequest.reference}/request.pdf`);
await pdf(account, 'account: personal data PDF', `${T}/account/export.pdf`);
let pdfIds = new Set();
const pdfBad = [];
for (const p of pdfs) {
  if (p.status !== 200 || p.bytes.subarray(0, 5).toString() !== '%PDF-') { pdfBad.push(`${p.url}: HTTP ${p.status}, not a PDF`); continue; }
  const raw = p.bytes.toString('latin1');
  for (const key of ['/JavaScript', '/JS', '/OpenAction', '/AA', '/Launch', '/SubmitForm', '/ImportData', '/RichMedia', '/GoToR', '/URI(javascript', '/URI (javascript']) {
    if (new RegExp(`${key.replace(/[/()]/g, '\\$&')}(?![A-Za-z])`).test(raw)) pdfBad.push(`${p.url}: ${key}`);
  }
  const file = path.join(DATA_DIR, 'xss-check.pdf');
  fs.writeFileSync(file, p.bytes);
  const text = execFileSync('pdftotext', ['-q', file, '-']).toString();
  const ids = idsIn(text);
  note(p.surface, ids);
  pdfIds = new Set([...pdfIds, ...ids]);
}

// E-mails: wait for the outbox to hand them over, then open each HTML part.
{
  let last = -1;
  for (let stable = 0; stable < 4;) {
    await sleep(1000);
    if (sink.messages.length === last) stable += 1; else { stable = 0; last = sink.messages.length; }
  }
}
const mailPage = await (await newContext()).newPage();
let htmlMails = 0;
const unescaped = [];
for (const m of sink.messages) {
  for (const html of htmlParts(m)) {
    htmlMails += 1;
    const ids = idsIn(html);
    for (const id of ids) {
      const p = BY_ID.get(id);
      // Whole, the payload would be markup: escaped, its < and " are entities.
      if (p && /[<>"]/.test(p.text) && html.includes(p.text)) unescaped.push(id);
    }
    await mailPage.setContent(html, { waitUntil: 'load' });
    await mailPage.waitForTimeout(20);
    const scan = await mailPage.evaluate(scanDocument, true);
    for (const what of scan.bad) findings.push({ surface: 'e-mail (HTML part)', url: 'mail', what });
    note('e-mail (HTML part)', idsIn(scan.text));
  }
}

// ---------------------------------------------------------------------------------------------
// Figures.

const shown = new Set([...seen.values()].flatMap((s) => [...s]));
if (process.env.XSS_DEBUG) for (const [c, v] of Object.entries(channels)) for (const id of v.refused) console.log(`# ${c} refused ${id}: ${JSON.stringify(BY_ID.get(id).text)}`);
console.log('# channels: ' + Object.entries(channels).map(([c, v]) => `${c} ${v.accepted} taken, ${v.refused.length} refused`).join('; '));
console.log('# surfaces: ' + [...seen.entries()].map(([s, ids]) => `${s} ${pagesOpened.get(s) || ''}${pagesOpened.get(s) ? ' pages, ' : ''}${ids.size} payloads`).join('; '));
console.log(`# ${[...pagesOpened.values()].reduce((a, b) => a + b, 0)} pages opened, ${htmlMails} e-mails (HTML part) of ${sink.messages.length}, ${pdfs.length} PDFs; ${shown.size} of ${PAYLOADS.length} payloads found shown somewhere`);

const refusedEverywhere = PAYLOADS.filter((p) => Object.values(channels).every((c) => c.refused.includes(p.id)));
result('every channel took the corpus', Object.values(channels).every((c) => c.accepted > 0) && refusedEverywhere.length === 0,
  refusedEverywhere.length ? `refused by every channel: ${refusedEverywhere.slice(0, 5).map((p) => JSON.stringify(p.text)).join(', ')}` : `${Object.keys(channels).length} channels`);
const notShown = PAYLOADS.filter((p) => !shown.has(p.id) && !p.text.includes('\u0000'));
result('every payload shown on a page', notShown.length === 0, notShown.length ? `${notShown.length} never found shown, e.g. ${notShown.slice(0, 3).map((p) => JSON.stringify(p.text)).join(', ')}` : `${shown.size} payloads`);
result('no payload ran in Chromium', runs.length === 0, runs.length ? runs.slice(0, 10).map((r) => `${r.id} (${JSON.stringify(BY_ID.get(Number(r.id))?.text || r.id)}) on ${r.url}`).join(' | ') : `0 runs on ${[...pagesOpened.values()].reduce((a, b) => a + b, 0)} pages and ${htmlMails} e-mails`);
const kinds = new Map();
for (const f of findings) { const k = `${f.surface}: ${f.what}`; if (!kinds.has(k)) kinds.set(k, f.url); }
const byWhat = [...kinds.entries()].slice(0, 15).map(([k, url]) => `${k} (${url})`);
result('nothing of an injection in the pages', findings.length === 0, findings.length ? `${findings.length} findings: ${byWhat.join(' | ')}` : '0 findings');
result('no payload unescaped in the e-mails', unescaped.length === 0 && htmlMails > 0, unescaped.length ? `${unescaped.length}: ${unescaped.slice(0, 5).map((id) => JSON.stringify(BY_ID.get(id).text)).join(', ')}` : `${htmlMails} HTML parts, ${(seen.get('e-mail (HTML part)') || new Set()).size} payloads in them`);
result('no script or action in the PDFs', pdfBad.length === 0 && pdfs.length > 0, pdfBad.length ? pdfBad.slice(0, 5).join(' | ') : `${pdfs.length} PDFs, ${pdfIds.size} payloads in their text`);

await browser.close();
sink.close();
const failed = results.filter((r) => !r.ok).length;
console.log(`# ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
