// The console's search box and visitor panel (issue 12, items 4 and 6) in real Chromium
// against a real server: a search shows its results with the matching words highlighted
// (as text: a message cannot inject markup) and opens a conversation at the message found;
// the visitor panel follows the visitor from page to page (full loads and in-page
// navigations) without a reload, shows their local time, and opens their earlier
// conversations.
import { Browser, BrowserContext } from "@playwright/test";
import { AGENT, expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { HostSite } from "../support/host-server";
import { conversationIdOf, SENT } from "../support/people";
import { loginToken } from "../support/api";
import { TidingsServer } from "../support/server";

/** Browser contexts and host sites a test opened itself, closed after it. */
const opened: BrowserContext[] = [];
const sites: HostSite[] = [];
test.afterEach(async () => {
  for (const context of opened.splice(0)) await context.close();
  for (const site of sites.splice(0)) await site.stop();
});

/** A visitor's page in a browser context of their own, in the time zone `timezoneId`. */
async function visitorPage(browser: Browser, timezoneId = "Asia/Tokyo"): Promise<HostPage> {
  const context = await browser.newContext({ timezoneId });
  opened.push(context);
  return new HostPage(await context.newPage());
}

/** Claims or closes a conversation over HTTP as Ada, as her other tab would. */
async function act(server: TidingsServer, id: string, action: "claim" | "close"): Promise<void> {
  const token = await loginToken(server.origin, AGENT.email, AGENT.password);
  const res = await fetch(`${server.origin}/v1/conversations/${id}/${action}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status, await res.text()).toBe(200);
}

test("a search highlights the matching words and opens the conversation at the message found", async ({
  browser,
  server,
  agentConsole,
}) => {
  const visitor = await visitorPage(browser);
  await visitor.goto(server.url("/"));
  await visitor.open();
  const found = "My parcel <b>never</b> arrived";
  await expect(await visitor.send(found)).toHaveAttribute("data-state", SENT);
  await expect(await visitor.send("Order 1234, sent last week")).toHaveAttribute("data-state", SENT);
  const id = await agentConsole.openConversationWith("Order 1234");
  await agentConsole.page.getByTestId("claim-conversation").click();
  // Enough later messages that the one searched for is far above the bottom of the list.
  for (let i = 1; i <= 25; i++) await agentConsole.say(`Checking with the courier, step ${i}`);
  await expect(agentConsole.message(found)).not.toBeInViewport();
  await agentConsole.openInbox();

  const input = agentConsole.page.getByTestId("search-input");
  await input.fill("PARC");
  const result = agentConsole.page.getByTestId("search-result");
  await expect(result).toHaveCount(1);
  await expect(result).toHaveAttribute("data-id", id);
  // The message's words, in its excerpt: the visitor's name is highlighted too where it
  // matches, and an anonymous visitor's name holds random hex ("Visitor 7d522c" matches "7").
  const excerptMarks = result.locator(".excerpt mark");
  await expect(excerptMarks).toHaveText(["parcel"]);
  // The message's markup is shown as the text it is.
  await expect(result).toContainText("<b>never</b>");
  await expect(result.locator("b")).toHaveCount(0);

  await input.fill("courier step 7");
  await expect(result).toHaveCount(1);
  await expect(excerptMarks).toHaveText(["courier", "step", "7"]);

  await input.fill("parcel");
  await expect(result).toHaveCount(1);
  await result.click();
  await expect(agentConsole.page).toHaveURL(new RegExp(`#/c/${id}$`));
  const message = agentConsole.message(found);
  await expect(message).toBeInViewport();
  await expect(message).toHaveAttribute("data-search-focus", "true");
  await expect(message).not.toHaveAttribute("data-search-focus", "true");
  await expect(message).toBeInViewport();
});

test("the visitor panel follows the visitor's pages live, shows their local time and opens their earlier conversations", async ({
  browser,
  server,
  agentConsole,
}) => {
  const site = await HostSite.start(server.origin);
  sites.push(site);
  const shop = site.page("/shop", {});
  const cart = site.page("/cart", {});
  const visitor = await visitorPage(browser, "Asia/Tokyo");

  // An earlier conversation, ended.
  await visitor.goto(shop);
  await visitor.open();
  await expect(await visitor.send("first question")).toHaveAttribute("data-state", SENT);
  const first = await conversationIdOf(agentConsole, "first question");
  await act(server, first, "claim");
  await act(server, first, "close");
  await expect(visitor.status).toHaveAttribute("data-state", "ended");
  await visitor.widget.getByTestId("new-conversation").click();
  await expect(await visitor.send("second question")).toHaveAttribute("data-state", SENT);
  const second = await agentConsole.openConversationWith("second question");

  const info = agentConsole.visitorInfo;
  const pageNow = info.getByTestId("visitor-page");
  await expect(pageNow).toHaveText(shop);
  await expect(info.getByTestId("visitor-local-time")).toHaveText(/^\d\d:\d\d \(Asia\/Tokyo\)$/);
  const expected = await visitor.page.evaluate(() =>
    new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
  );
  // The visitor's own clock (Tokyo) and the one shown agree (give or take a minute's turn).
  const shown = (await info.getByTestId("visitor-local-time").textContent())!.slice(0, 5);
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  expect(Math.abs(minutes(shown) - minutes(expected)) % (24 * 60)).toBeLessThanOrEqual(1);

  // A full page load, then an in-page navigation: the console follows without a reload.
  const consoleUrl = agentConsole.page.url();
  await visitor.goto(cart);
  await expect(pageNow).toHaveText(cart);
  await visitor.page.evaluate(() => history.pushState({}, "", "/cart/checkout"));
  await expect(pageNow).toHaveText(`${site.origin}/cart/checkout`);
  await visitor.page.goBack();
  await expect(pageNow).toHaveText(cart);
  expect(agentConsole.page.url()).toBe(consoleUrl);

  // Earlier conversations: listed newest first, the open one marked; one click opens any.
  const listed = info.getByTestId("visitor-conversation");
  await expect(listed).toHaveCount(2);
  await expect(listed.nth(0)).toHaveAttribute("data-id", second);
  await expect(listed.nth(0)).toHaveAttribute("aria-current", "page");
  await expect(listed.nth(1)).toHaveAttribute("data-id", first);
  await expect(listed.nth(1)).toHaveAttribute("data-status", "ended");
  await listed.nth(1).click();
  await expect(agentConsole.page).toHaveURL(new RegExp(`#/c/${first}$`));
  await expect(agentConsole.message("first question")).toBeVisible();
  await expect(info.getByTestId("visitor-conversation").nth(1)).toHaveAttribute("aria-current", "page");
});
