import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLastBackup } from '../../gateway/backup/last-backup.ts';
import { launchBrowser, signInToConsole } from '../support/console-browser.ts';
import { startGateway, type Harness } from '../support/gateway-harness.ts';

const SHOTS = join(import.meta.dirname, '../../test-output/console');

/** The console's 诊断 page in a real browser: the gateway's findings, problems first, each with its fix. */
describe('console: the diagnostics page', () => {
  let h: Harness;
  let browser: Browser;
  let viewer = '';
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startGateway({ mqtt: { plaintext: true } } as never);
    viewer = (await h.gw.tokens.create('viewer', 'front-desk')).token;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  const signIn = (token: string): Promise<Page> => signInToConsole(browser, h.endpoints.httpUrl, token);

  it('a viewer opens 诊断: problems first, each with its fix; checking again shows a new backup', async () => {
    const page = await signIn(viewer);
    await page.click('nav a:text("诊断")');
    await page.waitForSelector('[data-figure=doctor-summary]');
    expect(await page.getAttribute('[data-figure=doctor-summary]', 'data-status')).toBe('fail');
    const statuses = await page.$$eval('li[data-finding]', (els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses.length).toBeGreaterThan(5);
    // problems first: no problem after the first ok
    expect(statuses.slice(statuses.indexOf('ok')).every((s) => s === 'ok')).toBe(true);
    const backup = page.locator('li[data-finding=backup]');
    expect(await backup.getAttribute('data-status')).toBe('fail');
    expect(await backup.textContent()).toContain('备份');
    expect(await backup.locator('.fix code').textContent()).toContain('linli backup');
    const plain = page.locator('li[data-finding=plaintext]');
    expect(await plain.getAttribute('data-status')).toBe('warn');
    expect(await plain.locator('.fix code').textContent()).toContain('mqtt.plaintext: false');
    await page.screenshot({ path: join(SHOTS, 'doctor.png'), fullPage: true });

    writeLastBackup(h.dataDir, { at: Date.now(), file: '/media/usb/linli.lbk', bytes: 100, verified: true });
    await page.click('button:text("重新检查")');
    await expect.poll(() => backup.getAttribute('data-status')).toBe('ok');
    expect(await backup.locator('.fix').count()).toBe(0);
    await page.context().close();
  });
});
