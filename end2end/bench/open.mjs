// `cargo xtask bench open` runs this: how long a visitor on a slow phone waits between a click
// on the launcher and a panel that accepts typing, in Chromium with the network throttled to
// 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, and the CPU slowed down 4×.
//
// Cold: a new browser context per run (empty HTTP cache, no storage). Warm: a new tab in the
// same context loads the page again (every hashed file is cached as immutable) and clicks.
// Prints one line per run and the medians, as JSON on the last line for xtask.
//
// Usage: node bench/open.mjs URL RUNS
import { chromium } from "@playwright/test";

const [url, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
if (!url || !(runs > 0)) {
  console.error("usage: node bench/open.mjs URL RUNS");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // Without site isolation the panel's frame shares the page's renderer, so the CPU and
  // network conditions below (set on the page's target) apply to it too.
  args: ["--no-sandbox", "--disable-gpu", "--disable-site-isolation-trials", "--disable-quic"],
});

/** Throttles a page the way a mid-range phone on a poor mobile connection runs. */
async function throttle(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
}

const isPanel = (frame) => new URL(frame.url(), url).pathname.startsWith("/chat/");

/** Resolves with the panel's frame once its page has started loading. */
function panelFrame(page) {
  return new Promise((resolve) => {
    const found = page.frames().find(isPanel);
    if (found) return resolve(found);
    const seen = (frame) => {
      if (isPanel(frame)) {
        page.off("framenavigated", seen);
        resolve(frame);
      }
    };
    page.on("framenavigated", seen);
  });
}

/**
 * Loads the host page, clicks the launcher, and returns the ms until typing is possible.
 * Both instants are taken inside the browser (the click as the page sees it, the composer
 * checked on every animation frame), so the script's own polling adds nothing.
 */
async function clickToTyping(page) {
  await page.goto(url, { waitUntil: "load" });
  const launcher = page.getByTestId("tidings-launcher");
  await launcher.waitFor({ state: "visible" });
  await page.evaluate(() => {
    window.__tidingsClickAt = 0;
    addEventListener(
      "click",
      () => {
        window.__tidingsClickAt ||= performance.timeOrigin + performance.now();
      },
      { capture: true },
    );
  });
  await launcher.click();
  const frame = await panelFrame(page);
  await frame.waitForLoadState("domcontentloaded");
  // Editable: there, enabled and not read-only, so a key pressed now lands in the draft.
  const readyAt = await frame.evaluate(
    () =>
      new Promise((resolve) => {
        const check = () => {
          const input = document.querySelector('[data-testid="composer-input"]');
          if (input && !input.disabled && !input.readOnly && input.offsetParent !== null) {
            resolve(performance.timeOrigin + performance.now());
          } else {
            requestAnimationFrame(check);
          }
        };
        check();
      }),
  );
  const clickAt = await page.evaluate(() => window.__tidingsClickAt);
  if (!clickAt) throw new Error("the click never reached the page");
  return readyAt - clickAt;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

const cold = [];
const warm = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  // Warm in a second tab of the same context: the HTTP cache is shared, and a new tab starts
  // with the panel closed (a reload would reopen it from sessionStorage).
  for (const times of [cold, warm]) {
    const page = await context.newPage();
    await throttle(page);
    times.push(await clickToTyping(page));
    await page.close();
  }
  console.log(`run ${i + 1}: cold ${cold[i].toFixed(0)} ms, warm ${warm[i].toFixed(0)} ms`);
  await context.close();
}
await browser.close();
console.log(JSON.stringify({ runs, cold_ms: median(cold), warm_ms: median(warm) }));
