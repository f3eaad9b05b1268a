// What every scenario shares: its settings from the environment, one JSON line per observation on stdout (the C#
// test asserts on those), and a failure as {"error": …} with exit code 1.
import { createHash, randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

export const server = process.env.DRAWBRIDGE_URL;
if (!server) {
  throw new Error('DRAWBRIDGE_URL is not set');
}

export const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

export const report = (step, values) => {
  process.stdout.write(`${JSON.stringify({ step, ...values })}\n`);
};

export const run = async (scenario) => {
  const guard = setTimeout(() => {
    process.stdout.write(`${JSON.stringify({ error: 'scenario timed out after 90 s' })}\n`);
    process.exit(1);
  }, 90_000);
  try {
    await scenario();
    clearTimeout(guard);
    process.exit(0);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: String(e?.stack ?? e), description: e?.description ?? e?.additionalProperties ?? null })}\n`);
    process.exit(1);
  }
};

/** Waits for the first value an async iterable gives that passes the test. */
export const first = async (iterable, test, what) => {
  for await (const value of iterable) {
    if (test(value)) {
      return value;
    }
  }
  throw new Error(`the stream ended before ${what}`);
};

export const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
};

/**
 * Signs in as a person would in an app's browser window: the server's sign-in page, then its consent page, Allow;
 * returns the authorization code from the redirect to the app's loopback address (nothing listens there: the
 * request is caught as it leaves).
 */
export const authorizeInBrowser = async (authorizeUrl, redirectUri, email, password) => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const redirected = page.waitForRequest((r) => r.url().startsWith(redirectUri));
    await page.goto(authorizeUrl);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.locator('main').getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    const url = new URL((await redirected).url());
    const code = url.searchParams.get('code');
    if (!code) {
      throw new Error(`the redirect carried no code: ${url}`);
    }
    return code;
  } finally {
    await browser.close();
  }
};

/** A small real PNG (a blue square), made here so the scenarios carry no binary files. */
export const png = async (size = 16) => {
  const { crc32, deflateSync } = await import('node:zlib');
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [0, 94, 184]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
};
