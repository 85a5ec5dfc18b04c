// Browser contexts a test opens for more people than the fixtures give (a second agent, a
// visitor in a browser of their own, a time zone of their own). Each spec that uses them
// calls `test.afterEach(closeContexts)`, so none outlives its test.
import { Browser, BrowserContext, BrowserContextOptions, Page } from "@playwright/test";
import { ConsolePage } from "./console-page";
import { TidingsServer } from "./server";

const opened: BrowserContext[] = [];

/** A fresh browser context, closed by `closeContexts`. */
export async function newContext(browser: Browser, options?: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  opened.push(context);
  return context;
}

/** A page in a browser context of its own. */
export async function newPage(browser: Browser, options?: BrowserContextOptions): Promise<Page> {
  return (await newContext(browser, options)).newPage();
}

/** Someone logged in to the console in a browser context of their own. */
export async function consoleFor(
  browser: Browser,
  server: TidingsServer,
  who: { email: string; password: string },
): Promise<ConsolePage> {
  const console_ = new ConsolePage(await newPage(browser), server);
  await console_.loginOk(who);
  return console_;
}

/** Closes every context opened since the last call. */
export async function closeContexts(): Promise<void> {
  for (const context of opened.splice(0)) await context.close();
}
