/** A real Chromium for page tests: Debian's package, driven by puppeteer-core (which downloads none). */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executablePath = env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: install it (Debian/Ubuntu: sudo apt-get install chromium; .ci/run does) ` +
        'or point CHROMIUM_PATH at a Chromium or Chrome binary',
    );
  return puppeteer.launch({
    executablePath,
    headless: true,
    // Chromium refuses its sandbox as root (CI containers); elsewhere it keeps it.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}
