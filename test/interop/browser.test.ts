/**
 * A real browser opens `h2flow serve`: headless Chromium (Debian's, driven by playwright-core; never a
 * downloaded browser) gets the built-in page over HTTP/1.1 on the cleartext port `npm start` prints, and
 * over HTTP/2 (ALPN h2) from `h2flow serve --cert --key`. Each run takes a screenshot and reads the page.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { buildCli, daemon, selfSignedCert, tempDir, type Daemon } from '../support/peers';

const Browser = suite('a browser opens h2flow serve');

const CHROMIUM = '/usr/bin/chromium';
const dir = tempDir('h2flow-browser-');
let cli = '';

Browser.before(async () => {
  cli = await buildCli(dir.path);
});
Browser.after(() => dir.cleanup());

/** A fresh headless Chromium profile (its own --user-data-dir), closed by the caller. */
async function launch(name: string, extraArgs: string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(dir.path, `profile-${name}`), {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

// Page-side expressions, as strings: this file is type-checked without the DOM library.
/** The protocol the page's own navigation used: `http/1.1` or `h2`. */
const NEXT_HOP_PROTOCOL = "performance.getEntriesByType('navigation')[0].nextHopProtocol";
/** True once the echo form's output shows `text`. */
const echoed = (text: string): string => `document.getElementById('out')?.textContent === ${JSON.stringify(text)}`;

async function start(args: string[]): Promise<{ d: Daemon; origin: string }> {
  const d = daemon(process.execPath, [cli, 'serve', '--port', '0', ...args]);
  const m = await d.waitFor(/on (https?:\/\/127\.0\.0\.1:\d+)\//);
  return { d, origin: m[1]! };
}

Browser('the cleartext URL npm start prints shows the page over HTTP/1.1, and its echo form works', async () => {
  const { d, origin } = await start([]);
  const context = await launch('h1');
  try {
    assert.match(d.output(), `Open ${origin}/ in a browser`);
    const page = await context.newPage();
    const response = await page.goto(`${origin}/`, { timeout: 30_000 });
    assert.is(response?.status(), 200);
    const protocol = await page.evaluate(NEXT_HOP_PROTOCOL);
    assert.is(protocol, 'http/1.1');
    assert.match(await page.textContent('#protocol') ?? '', 'This page came over HTTP/1.1');
    assert.is(await page.textContent('h1'), 'h2flow');
    await page.fill('#text', 'typed in a browser');
    await page.click('#send');
    await page.waitForFunction(echoed('typed in a browser'), undefined, { timeout: 15_000 });
    const shot = join(dir.path, 'h1.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(existsSync(shot) && statSync(shot).size > 1000, 'screenshot written');
    await d.waitFor(/"GET \/ HTTP\/1\.1" 200 \d+/);
    await d.waitFor(/"POST \/echo HTTP\/1\.1" 200 18 /);
  } finally {
    await context.close();
    await d.stop();
  }
});

Browser('h2flow serve --cert --key: the browser negotiates h2 with ALPN and the page says HTTP/2', async () => {
  const tls = selfSignedCert(dir.path);
  const { d, origin } = await start(['--cert', tls.certFile, '--key', tls.keyFile]);
  const context = await launch('h2', ['--ignore-certificate-errors']);
  try {
    const page = await context.newPage();
    const response = await page.goto(`${origin}/`, { timeout: 30_000 });
    assert.is(response?.status(), 200);
    const protocol = await page.evaluate(NEXT_HOP_PROTOCOL);
    assert.is(protocol, 'h2');
    assert.match(await page.textContent('#protocol') ?? '', 'This page came over HTTP/2 (TLS, ALPN h2)');
    await page.click('#send');
    await page.waitForFunction(echoed('hello, HTTP/2'), undefined, { timeout: 15_000 });
    const shot = join(dir.path, 'h2.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(existsSync(shot) && statSync(shot).size > 1000, 'screenshot written');
    await d.waitFor(/"GET \/ HTTP\/2\.0" 200 \d+/);
  } finally {
    await context.close();
    await d.stop();
  }
});

Browser.run();
