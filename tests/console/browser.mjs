// SPDX-License-Identifier: GPL-2.0-only
// The console in a real browser: Debian's chromium, driven by
// puppeteer-core. Logs in, opens the overview, a host, a CVE and a patch,
// promotes the patch from canary to production (the repository in REPO),
// checks what each page says (not only that it loads), and keeps a
// screenshot of each in ARTIFACTS. Ends "N passed, N failed".
//   node browser.mjs URL ARTIFACTS PASSWORD
import puppeteer from 'puppeteer-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [url, artifacts, password] = process.argv.slice(2);
let passed = 0, failed = 0;
const check = (name, cond, seen) => {
	if (cond) { passed++; console.log(`ok   ${name}`); }
	else { failed++; console.log(`FAIL ${name}: saw ${JSON.stringify(seen)}`); }
};
const text = (page, sel) => page.$eval(sel, (e) => e.textContent.trim()).catch(() => null);
const shot = async (page, name) => {
	const file = path.join(artifacts, `${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	check(`screenshot ${name}.png kept`, fs.statSync(file).size > 5000, fs.statSync(file).size);
};
// A row of a table whose first cell's text is exactly `first`.
const row = (page, table, first) => page.$$eval(`${table} tr`, (rows, first) => {
	const r = rows.find((r) => r.cells[0] && r.cells[0].textContent.trim() === first);
	return r ? Array.from(r.cells, (c) => c.textContent.trim()) : null;
}, first);

fs.mkdirSync(artifacts, { recursive: true });
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'livefix-chromium-'));
const browser = await puppeteer.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	userDataDir: profile,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
	const page = await browser.newPage();
	await page.setViewport({ width: 1280, height: 800 });
	const dialogs = [];
	page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
	const blocked = [];
	page.on('console', (m) => { if (/Content Security Policy|Refused/.test(m.text())) blocked.push(m.text()); });

	// Login: the overview sends a browser without a session to /login.
	await page.goto(`${url}/`, { waitUntil: 'load' });
	check('a visit without a session lands on /login', page.url() === `${url}/login`, page.url());
	check('the login page', (await text(page, 'h1')) === 'Log in', await text(page, 'h1'));
	await page.type('#name', 'admin');
	await page.type('#password', 'not the password');
	await Promise.all([page.waitForNavigation(), page.click('#login')]);
	check('a wrong password is told', (await text(page, '.error')) === 'Wrong name or password.',
		await text(page, '.error'));
	await shot(page, 'login-refused');
	await page.type('#name', 'admin');
	await page.type('#password', password);
	await Promise.all([page.waitForNavigation(), page.click('#login')]);
	check('logged in: the fleet overview', (await text(page, 'h1')) === 'Fleet', await text(page, 'h1'));
	const cookies = await page.cookies();
	const session = cookies.find((c) => c.name === 'lf_session');
	check('the session cookie is HttpOnly, SameSite=Strict',
		session && session.httpOnly && session.sameSite === 'Strict', session);

	// Overview: states, counts, versions, escaping, the stylesheet.
	const counts = await page.$$eval('.count', (cs) => cs.map((c) => c.textContent));
	check('counts by state', JSON.stringify(counts) ===
		JSON.stringify(['2up-to-date', '2patch-available', '1stalled', '1not-reporting']), counts);
	const web1 = await row(page, '#hosts', 'web-1');
	check('web-1: up to date, its kernel and effective version',
		web1 && web1[1] === 'up-to-date' && web1[2] === '6.1.0-47-amd64' && web1[3] === '6.1.176-1', web1);
	check('db-1: patch available', (await row(page, '#hosts', 'db-1'))?.[1] === 'patch-available',
		await row(page, '#hosts', 'db-1'));
	check('app-stalled: stalled', (await row(page, '#hosts', 'app-stalled'))?.[1] === 'stalled',
		await row(page, '#hosts', 'app-stalled'));
	check('never-reported: not reporting, never',
		JSON.stringify(await row(page, '#hosts', 'never-reported')) ===
		JSON.stringify(['never-reported', 'not-reporting', '-', '-', '0', 'never']),
		await row(page, '#hosts', 'never-reported'));
	check('the host named <script> shows as text',
		(await row(page, '#hosts', 'web-<script>alert(1)</script>')) !== null,
		await page.$$eval('#hosts td:first-child', (c) => c.map((x) => x.textContent)));
	check('no script element on the page', (await page.$$eval('script', (s) => s.length)) === 0, 'scripts');
	const versions = await page.$$eval('#versions tr', (rows) =>
		rows.slice(1).map((r) => Array.from(r.cells, (c) => c.textContent).join(' x ')));
	check('effective versions with their host counts', JSON.stringify(versions) ===
		'["6.1.170-3 x 3","6.1.176-1 x 1","6.1.180-1 x 1"]', versions);
	const bg = await page.$eval('header', (h) => getComputedStyle(h).backgroundColor);
	check('the stylesheet applies (CSP allows it)', bg === 'rgb(29, 47, 74)', bg);
	await shot(page, 'overview');

	// A host: its patch with description, CVEs and diff; its history.
	const hostHref = await page.$$eval('#hosts a', (as) => as.find((a) => a.textContent === 'web-1').getAttribute('href'));
	await Promise.all([page.waitForNavigation(), page.click(`#hosts a[href="${hostHref}"]`)]);
	check('host page: web-1', (await text(page, 'h1')) === 'web-1', await text(page, 'h1'));
	check('host page: the description, markup as text',
		(await text(page, '.description')) ===
		'net: fix a use-after-free in sock_free <script>alert("d")</script>', await text(page, '.description'));
	const diff = await text(page, 'pre.diff');
	check('host page: the source patch', diff && diff.includes('+\tsk_free_rcu(sk);'), diff);
	const cveLinks = await page.$$eval('#patches a[href^="/cves/"]', (as) => as.map((a) => a.textContent));
	check('host page: the CVEs', JSON.stringify(cveLinks) === '["CVE-2026-10001","CVE-2026-10002"]', cveLinks);
	check('host page: history', (await page.$$eval('#history tr', (r) => r.length)) === 2, 'rows');
	await shot(page, 'host');

	// A CVE: who is fixed live, by reboot, still exposed.
	await Promise.all([page.waitForNavigation(), page.click('#patches a[href="/cves/CVE-2026-10001"]')]);
	check('CVE page', (await text(page, 'h1')) === 'CVE-2026-10001', await text(page, 'h1'));
	const standing = async (h) => (await row(page, '#cve-hosts', h))?.[1];
	check('CVE page: web-1 fixed live', (await standing('web-1')) === 'fixed-live', await standing('web-1'));
	check('CVE page: new-kernel fixed by reboot', (await standing('new-kernel')) === 'fixed-by-reboot',
		await standing('new-kernel'));
	check('CVE page: db-1 still exposed', (await standing('db-1')) === 'exposed', await standing('db-1'));
	check('CVE page: never-reported not counted', (await standing('never-reported')) === undefined,
		await standing('never-reported'));
	await shot(page, 'cve');

	// The patch: where it is applied.
	await Promise.all([page.waitForNavigation(), page.click('a[href="/patches/livepatch-net-fix"]')]);
	check('patch page', (await text(page, 'h1')) === 'livepatch-net-fix', await text(page, 'h1'));
	check('patch page: applied on 1 of 2', (await page.content()).includes('1 of 2 hosts reporting it'), 'content');
	const channel = (suite) => row(page, '#channels', suite);
	check('patch page: canary publishes it, production nothing',
		(await channel('canary'))?.[2] === 'livepatch-net-fix (this patch)' &&
		(await channel('production'))?.[1] === 'nothing', [await channel('canary'), await channel('production')]);
	check('patch page: no promotion yet', (await text(page, '#promotions')) === 'None made from this console.',
		await text(page, '#promotions'));
	await shot(page, 'patch');

	// Promote it to production: the button's POST runs the repository
	// tool; the page then shows production publishing it, and who did it.
	const version = (await channel('canary'))?.[1];
	await Promise.all([page.waitForNavigation(), page.click('#promote-canary')]);
	check('promoted: back on the patch page', page.url() === `${url}/patches/livepatch-net-fix`, page.url());
	check('promoted: production publishes the version canary does',
		(await channel('production'))?.[1] === version && version?.startsWith('6.1.176-1+lf'),
		[version, await channel('production')]);
	check('promoted: no button left', (await page.$('#promote-canary')) === null, 'button');
	const promo = await page.$$eval('#promotions tr', (rows) => rows.slice(1).map((r) =>
		Array.from(r.cells, (c) => c.textContent.trim()).slice(1, 4).join(' ')));
	check('promoted: recorded, by admin, canary to production',
		JSON.stringify(promo) === '["admin canary production"]', promo);
	await shot(page, 'patch-promoted');

	// Logout (a POST form with its CSRF token) ends the session.
	await Promise.all([page.waitForNavigation(), page.click('.logout button')]);
	check('logged out: back at /login', page.url() === `${url}/login`, page.url());
	await page.goto(`${url}/cves`);
	check('the session is gone', page.url() === `${url}/login`, page.url());
	check('no dialog ever opened (no script ran)', dialogs.length === 0, dialogs);
	check('the browser blocked nothing the console served', blocked.length === 0, blocked);
} catch (e) {
	failed++;
	console.log(`FAIL the browser run stopped: ${e.stack || e}`);
} finally {
	await browser.close();
	fs.rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
