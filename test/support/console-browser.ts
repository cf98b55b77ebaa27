import { chromium, type Browser, type Page } from 'playwright-core';

/** Installed by the test command (scripts/ensure-system-packages.mjs) from Debian's chromium package. */
const CHROMIUM = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** A new page of the console at `url`, signed in with `token`, as staff do it (Chinese locale). */
export async function signInToConsole(browser: Browser, url: string, token: string, width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(url);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('header.top');
  return page;
}
