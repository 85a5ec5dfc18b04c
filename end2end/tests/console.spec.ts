// The agent console in real Chromium against a real server, with the visitor side through the
// real widget.
import { Browser, BrowserContext, Page } from "@playwright/test";
import { ConsolePage } from "../support/console-page";
import { ADMIN, AGENT, expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { addAgents, BEA, conversationIdOf, SENT } from "../support/people";
import { history, loginToken } from "../support/api";
import { TidingsServer } from "../support/server";

async function newPage(browser: Browser): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext();
  return [context, await context.newPage()];
}

/** A visitor (in its own browser context) sends a first message; returns the host page. */
async function visitorSays(browser: Browser, server: TidingsServer, body: string): Promise<HostPage> {
  const [, page] = await newPage(browser);
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send(body);
  await expect(host.message(body)).toHaveAttribute("data-state", SENT);
  return host;
}

test("login: a wrong password is refused with a clear error; a session survives a reload and ends on logout", async ({
  page,
  server,
}) => {
  await addAgents(server);
  const console_ = new ConsolePage(page, server);
  await console_.login({ email: AGENT.email, password: "wrong password" });
  await expect(page.getByTestId("login-error")).toContainText(/wrong|invalid|incorrect/i);
  await expect(console_.filter("waiting")).toHaveCount(0);

  await console_.loginOk(AGENT);
  await page.reload();
  await expect(console_.filter("waiting")).toBeVisible();
  await expect(console_.filter("all")).toHaveCount(0);
  await page.getByTestId("logout").click();
  await expect(page.getByTestId("login-email")).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("login-email")).toBeVisible();
});

test("a visitor's first message appears in Waiting without reload; the reply claims it and the visitor sees it", async ({
  page,
  browser,
  server,
}) => {
  await addAgents(server);
  const console_ = new ConsolePage(page, server);
  await console_.loginOk(AGENT);
  await console_.filter("waiting").click();
  await expect(console_.items).toHaveCount(0);

  const visitor = await visitorSays(browser, server, "Do you ship to Norway?");
  const id = await conversationIdOf(console_, "Do you ship to Norway?");
  await expect(console_.item(id)).toHaveAttribute("data-status", "waiting");
  await expect(console_.item(id)).toHaveAttribute("data-unread", "1");
  await expect(page).toHaveTitle(/\(1\)/);

  await console_.openConversation(id);
  await expect(console_.message("Do you ship to Norway?")).toHaveAttribute("data-sender", "visitor");
  await expect(page.getByTestId("visitor-info")).toContainText("Chrom");
  await console_.send("We do, in 3 days.");

  await expect(visitor.message("Ada joined the chat")).toHaveAttribute("data-sender", "system");
  await expect(visitor.message("We do, in 3 days.")).toHaveAttribute("data-sender", "agent");
  await expect(visitor.status).toHaveAttribute("data-state", "active");
  await expect(console_.message("Do you ship to Norway?")).toBeVisible();
  await console_.filter("mine").click();
  await expect(console_.item(id)).toHaveAttribute("data-status", "active");
});

test("typing and read receipts travel both ways", async ({ page, browser, server }) => {
  await addAgents(server);
  const console_ = new ConsolePage(page, server);
  await console_.loginOk(AGENT);
  const visitor = await visitorSays(browser, server, "typing test");
  const id = await conversationIdOf(console_, "typing test");
  await console_.openConversation(id);
  await console_.send("hello there");
  await expect(visitor.message("typing test")).toHaveAttribute("data-state", "read");

  await visitor.widget.getByTestId("composer-input").pressSequentially("abc");
  await expect(page.getByTestId("typing-indicator")).toBeVisible();
  await page.getByTestId("composer-input").pressSequentially("xyz");
  await expect(visitor.widget.getByTestId("typing-indicator")).toContainText("Ada");

  const reply = console_.message("hello there");
  await expect(reply).toHaveAttribute("data-state", "read");
});

test("two agents in two browsers see each other's messages in one conversation", async ({ page, browser, server }) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  const [, adminPage] = await newPage(browser);
  const admin = new ConsolePage(adminPage, server);
  await admin.loginOk(ADMIN);

  const visitor = await visitorSays(browser, server, "two agents please");
  const id = await conversationIdOf(ada, "two agents please");
  await ada.openConversation(id);
  await ada.send("Ada here");
  await admin.filter("all").click();
  await admin.openConversation(id);
  await expect(admin.message("Ada here")).toBeVisible();
  await admin.send("Grace from the admin desk");
  await expect(ada.message("Grace from the admin desk")).toBeVisible();
  await expect(visitor.message("Grace from the admin desk")).toBeVisible();
});

test("close asks the visitor for a rating, which then shows in the console", async ({ page, browser, server }) => {
  await addAgents(server);
  const console_ = new ConsolePage(page, server);
  await console_.loginOk(AGENT);
  const visitor = await visitorSays(browser, server, "rate me");
  const id = await conversationIdOf(console_, "rate me");
  await console_.openConversation(id);
  await console_.send("All sorted");
  await console_.close();

  await expect(visitor.status).toHaveAttribute("data-state", "ended");
  await visitor.widget.getByTestId("rating-star-5").click();
  await visitor.widget.getByTestId("rating-feedback").fill("Lovely");
  await visitor.widget.getByTestId("rating-submit").click();

  const rating = page.getByTestId("conversation-rating");
  await expect(rating).toContainText("5");
  await expect(rating).toContainText("Lovely");
  await console_.filter("ended").click();
  await expect(console_.item(id)).toHaveAttribute("data-status", "ended");
});

test("a plain agent never sees another agent's conversation, in the list or by URL; an admin does", async ({
  page,
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  await visitorSays(browser, server, "private matter");
  const id = await conversationIdOf(ada, "private matter");
  await ada.openConversation(id);
  await page.getByTestId("claim-conversation").click();
  await ada.filter("mine").click();
  await expect(ada.item(id)).toHaveAttribute("data-status", "active");

  const [, beaPage] = await newPage(browser);
  const bea = new ConsolePage(beaPage, server);
  await bea.loginOk(BEA);
  await bea.filter("waiting").click();
  await expect(bea.item(id)).toHaveCount(0);
  await bea.filter("mine").click();
  await expect(bea.item(id)).toHaveCount(0);
  await beaPage.goto(server.url(`/console/#/c/${id}`));
  await expect(beaPage.getByText(/not found|not yours/i)).toBeVisible();
  await expect(bea.message("private matter")).toHaveCount(0);

  const [, adminPage] = await newPage(browser);
  const admin = new ConsolePage(adminPage, server);
  await admin.loginOk(ADMIN);
  await adminPage.goto(server.url(`/console/#/c/${id}`));
  await expect(admin.message("private matter")).toBeVisible();
});

test("a claimed conversation leaves another agent's Waiting list at once", async ({ page, browser, server }) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  const [, beaPage] = await newPage(browser);
  const bea = new ConsolePage(beaPage, server);
  await bea.loginOk(BEA);
  await bea.filter("waiting").click();

  await visitorSays(browser, server, "who takes me");
  const id = await conversationIdOf(ada, "who takes me");
  await expect(bea.item(id)).toHaveCount(1);
  await ada.openConversation(id);
  await page.getByTestId("claim-conversation").click();
  await expect(bea.item(id)).toHaveCount(0);
});

test("the server restarted mid-conversation loses nothing on either side", async ({ page, browser, server }) => {
  await addAgents(server);
  const console_ = new ConsolePage(page, server);
  await console_.loginOk(AGENT);
  const visitor = await visitorSays(browser, server, "restart one");
  const id = await conversationIdOf(console_, "restart one");
  await console_.openConversation(id);
  await console_.send("agent one");
  await expect(visitor.message("agent one")).toBeVisible();

  await server.restart("SIGKILL");
  await visitor.send("restart two");
  await console_.send("agent two");

  await expect(console_.message("restart two")).toHaveCount(1);
  await expect(visitor.message("agent two")).toHaveCount(1);
  for (const body of ["restart one", "agent one", "restart two", "agent two"]) {
    await expect(console_.message(body)).toHaveCount(1);
    await expect(visitor.message(body)).toHaveCount(1);
  }
  const token = await loginToken(server.origin, ADMIN.email, ADMIN.password);
  const stored = await history(server.origin, token, id);
  expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
  for (const body of ["restart one", "agent one", "restart two", "agent two"]) {
    expect(stored.filter((m) => m.body === body)).toHaveLength(1);
  }
});
