import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { scanAndPay } from '../../devices/shop-scanner/sim-flow.ts';
import { demoResidents, fleetIds, SimFleet, type SimDevice } from '../../sim/src/index.ts';
import { launchBrowser, signInToConsole } from '../support/console-browser.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';

/** Screenshots of each main page, for a person to look at (the folder is not in git). */
const SHOTS = join(import.meta.dirname, '../../test-output/console');

/**
 * The staff console in a real browser (Debian's Chromium driven by playwright-core) against a real gateway
 * with simulated devices: what staff, operators, viewers and shops see and may do.
 */
describe('staff console in a real browser', () => {
  let h: Harness;
  let fleet: SimFleet;
  let browser: Browser;
  const tokens: Record<'operator' | 'viewer' | 'shop', { id: string; token: string }> = {} as never;
  let shop = '';
  const residents = demoResidents();
  const dev = (id: string) => fleet.devices.find((d) => d.id === id) as SimDevice;

  const signIn = (token: string, width = 1280): Promise<Page> =>
    signInToConsole(browser, h.endpoints.httpUrl, token, width);
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startGateway({ health: { faultClearS: 0 } } as never);
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FixtureSchema.parse(demoFixture())))();
    const credentials = [];
    for (const d of fleetIds({ lockers: 0, vending: 1, doors: 0, scanners: 2 }))
      credentials.push({ id: d.id, kind: d.kind, secret: (await h.gw.devices.provision(d)).secret });
    fleet = new SimFleet({ url: h.mqttUrl, credentials });
    await fleet.start();
    await waitFor(() => fleet.devices.every((d) => d.born), 'every simulated device born', 15_000);
    for (let i = 0; i < 6; i++) {
      const who = residents.members[i % 3];
      if (!who) throw new Error('no residents');
      await scanAndPay(dev(i % 2 ? 'scanner-01' : 'scanner-02'), who.uid, 1000 + i * 250);
    }
    h.gw.writer.flush();
    shop = (
      h.gw.store.db.prepare("SELECT merchant_id AS m FROM redemptions WHERE state = 'captured' LIMIT 1").get() as {
        m: string;
      }
    ).m;
    for (const role of ['operator', 'viewer'] as const) tokens[role] = await h.gw.tokens.create(role, `${role}-staff`);
    tokens.shop = await h.gw.tokens.create('operator', 'shop-till', shop);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
    await h?.stop();
  });

  it('is small on first load: every file from the gateway, gzipped', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const hosts = new Set<string>();
    page.on('request', (r) => hosts.add(new URL(r.url()).host));
    await page.goto(h.endpoints.httpUrl);
    await page.waitForSelector('input[name=token]');
    const transferred = (await page.evaluate(
      `performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
        .reduce((n, e) => n + e.transferSize, 0)`,
    )) as number;
    console.info(`console first load: ${(transferred / 1024).toFixed(1)} KB transferred`);
    expect(transferred).toBeGreaterThan(10_000);
    expect(transferred).toBeLessThan(60 * 1024);
    expect([...hosts]).toEqual([new URL(h.endpoints.httpUrl).host]);
    await context.close();
  });

  it('signs in, and the overview shows a fault a simulated device raises within a second', async () => {
    const page = await signIn(tokens.operator.token);
    await page.waitForSelector('.live-live');
    await page.waitForSelector('[data-figure=purchases]');
    await shot(page, 'overview');
    const started = Date.now();
    dev('vm-01').setFault('E_COIN_JAM');
    await page.waitForSelector('.alert[data-code="DEVICE_FAULT:E_COIN_JAM"]', { timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
    await page.waitForSelector('.tile.status-fault .tile-n:text("1")');
    await shot(page, 'overview-fault');
    await page.context().close();
  });

  it('an operator acknowledges an alert with a note; it stays in the list, acknowledged', async () => {
    const page = await signIn(tokens.operator.token);
    await page.goto(`${h.endpoints.httpUrl}/#/alerts`);
    const alert = page.locator('.alert[data-code="DEVICE_FAULT:E_COIN_JAM"]');
    page.once('dialog', (d) => void d.accept('engineer called'));
    await alert.locator('button.act').first().click();
    await expect.poll(() => alert.getAttribute('class')).toContain('acked');
    await expect.poll(() => alert.textContent()).toContain('engineer called');
    const open = await h.api('/api/v1/alerts?state=acknowledged');
    expect(open.body.alerts[0]).toMatchObject({
      code: 'DEVICE_FAULT:E_COIN_JAM',
      acknowledged: { note: 'engineer called' },
    });
    await shot(page, 'alerts');
    await page.context().close();
  });

  it('finds a redemption and reverses it with a note: the member gets the money back, visibly', async () => {
    const page = await signIn(tokens.operator.token);
    await page.goto(`${h.endpoints.httpUrl}/#/redemptions`);
    await page.selectOption('select[name=state]', 'captured');
    await page.click('form.filters button[type=submit]');
    const row = page.locator('tr[data-redemption]').first();
    const id = await row.getAttribute('data-redemption');
    await row.click();
    const wallet = page.locator('[data-figure=wallet]');
    await wallet.waitFor();
    const before = await wallet.textContent();
    const paid = await page.locator('[data-figure=payable]').textContent();
    await page.click('button.danger');
    await expect.poll(() => page.locator('form.confirm button[type=submit]').isDisabled()).toBe(true);
    await page.fill('form.confirm input[name=note]', 'customer returned the goods');
    await page.click('form.confirm button[type=submit]');
    await page.waitForSelector(`[data-detail="${id}"] .badge.state-reversed`);
    await expect
      .poll(() => page.locator('[data-reversal-note]').textContent())
      .toContain('customer returned the goods');
    const fen = (s: string | null) => Math.round(Number((s ?? '').replace(/[^\d.-]/g, '')) * 100);
    await expect.poll(async () => fen(await wallet.textContent())).toBe(fen(before) + fen(paid));
    expect((await h.api(`/api/v1/redemptions/${id}`)).body.state).toBe('reversed');
    await shot(page, 'redemptions');
    await page.context().close();
  });

  it('renders the heat map with data, and switches to English and back', async () => {
    const page = await signIn(tokens.operator.token);
    await page.goto(`${h.endpoints.httpUrl}/#/reports`);
    await page.waitForSelector('#heatmap[data-rendered=true]', { timeout: 10_000 });
    expect(Number(await page.locator('[data-figure=report-redemptions]').textContent())).toBeGreaterThan(0);
    await shot(page, 'reports');
    await page.click('[data-lang-switch]');
    await page.waitForSelector('nav a:text("Reports")');
    await shot(page, 'reports-en');
    await page.reload();
    await page.waitForSelector('nav a:text("Reports")'); // remembered
    await page.click('[data-lang-switch]');
    await page.waitForSelector('nav a:text("经营报表")');
    await page.context().close();
  });

  it('looks a member up by id, and an admin manages tokens (shown once)', async () => {
    const page = await signIn(h.adminToken);
    const member = residents.members[0]?.id ?? '';
    await page.goto(`${h.endpoints.httpUrl}/#/members`);
    await page.fill('input[name=member]', member);
    await page.click('form.filters button[type=submit]');
    await page.waitForSelector(`[data-member="${member}"]`);
    await shot(page, 'members');
    await page.goto(`${h.endpoints.httpUrl}/#/tokens`);
    await page.waitForSelector(`text=${tokens.viewer.id}`);
    await shot(page, 'tokens');
    await page.goto(`${h.endpoints.httpUrl}/#/devices/vm-01`);
    // the vending machine's temperature and signal, sampled from its telemetry
    await page.waitForSelector('#telemetry[data-rendered=true]', { timeout: 10_000 });
    const samples = await h.api('/api/v1/devices/vm-01/telemetry-history?hours=1');
    expect(samples.body.items[0]).toMatchObject({ temperatureC: expect.any(Number), rssiDbm: expect.any(Number) });
    await shot(page, 'device');
    await page.context().close();
  });

  it('a viewer sees no button that changes anything', async () => {
    const page = await signIn(tokens.viewer.token);
    await page.goto(`${h.endpoints.httpUrl}/#/alerts`);
    await page.waitForSelector('.alert');
    expect(await page.locator('button.act').count()).toBe(0);
    await page.goto(`${h.endpoints.httpUrl}/#/redemptions`);
    await page.locator('tr[data-redemption]').first().click();
    await page.waitForSelector('[data-detail]');
    expect(await page.locator('button.act, button.danger').count()).toBe(0);
    await page.context().close();
  });

  it("a shop's token sees its own shop only", async () => {
    const page = await signIn(tokens.shop.token);
    const nav = await page.locator('nav a').allTextContents();
    expect(nav).toEqual(['核销记录', '经营报表']);
    await page.waitForSelector('tr[data-redemption]');
    const merchants = await page.locator('tr[data-redemption] td:nth-child(2)').allTextContents();
    expect(merchants.length).toBeGreaterThan(0);
    expect(new Set(merchants)).toEqual(new Set([shop]));
    await shot(page, 'shop');
    await page.context().close();
  });

  it('is usable at phone width (390 px) with no horizontal scrolling on any main page', async () => {
    const page = await signIn(tokens.operator.token, 390);
    const routes = ['', 'devices', 'alerts', 'redemptions', 'reports', 'members', 'group-buys', 'access', 'cloud'];
    for (const route of [...routes, 'devices/vm-01']) {
      await page.goto(`${h.endpoints.httpUrl}/#/${route}`);
      await page.waitForSelector('.card h2');
      await page.waitForTimeout(300);
      const width = await page.evaluate('document.documentElement.scrollWidth');
      expect(width, `#/${route} at 390 px`).toBeLessThanOrEqual(390);
      await shot(page, `phone-${route.replace('/', '-') || 'overview'}`);
    }
    await page.context().close();
  });

  it('an expired or revoked token goes back to the login with a clear message', async () => {
    const page = await signIn(tokens.operator.token);
    await page.waitForSelector('.live-live');
    expect((await h.api(`/api/v1/tokens/${tokens.operator.id}`, { method: 'DELETE' })).status).toBe(204);
    await page.click('nav a[href="#/devices"]');
    await page.waitForSelector('main.login');
    await expect.poll(() => page.locator('main.login .error').textContent()).toContain('登录已失效');
    await shot(page, 'expired');
    await page.context().close();
  });
});
