// The widget's finer behaviours (SPEC sections 3 and 4) in real Chromium against a real server:
// presence in the header, typing both ways and its expiry, the length limit, keyboard and
// screen-reader basics, the narrow-screen panel, the host page's Tidings() API, open state across
// navigations, delivery ticks, and a message the server refuses.
import { Browser, BrowserContext, Page } from "@playwright/test";
import { history } from "../support/api";
import { ConsolePage } from "../support/console-page";
import { AGENT, expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { SENT } from "../support/people";
import { TidingsServer } from "../support/server";

const AWAY = "We're away — leave a message";
const AROUND = "We typically reply in a few minutes";

/** Logs Ada in to the console in a browser context of her own, when the test decides. */
async function agentLogsIn(browser: Browser, server: TidingsServer): Promise<[BrowserContext, ConsolePage]> {
  await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
  const context = await browser.newContext();
  const console_ = new ConsolePage(await context.newPage(), server);
  await console_.loginOk(AGENT);
  return [context, console_];
}

/** Puts the host page's queue stub in place before any script runs, records every event the
 * API reports in `window.__events`, and queues `commands` as a site owner's page would before
 * the loader has loaded. Only on the demo page itself, not inside the widget's iframe. */
async function recordTidingsEvents(page: Page, commands: unknown[][] = []): Promise<void> {
  await page.addInitScript((queued) => {
    if (location.pathname !== "/") return;
    const w = window as any;
    w.__events = [];
    w.Tidings = function () {
      (w.Tidings.q = w.Tidings.q || []).push(arguments);
    };
    for (const name of ["open", "close", "message", "unread"]) {
      w.Tidings("on", name, (arg: unknown) => w.__events.push([name, arg ?? null]));
    }
    for (const command of queued) w.Tidings(...command);
  }, commands);
}

function events(page: Page): Promise<Array<[string, any]>> {
  return page.evaluate(() => (window as any).__events);
}

function eventNames(page: Page, among: string[]): Promise<string[]> {
  return events(page).then((all) => all.map(([name]) => name).filter((n) => among.includes(n)));
}

test("presence in the header: away with no agent online, 'typically reply' once one is, away again when she sets away", async ({
  page,
  browser,
  server,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();
  await expect(host.status).toHaveText(AWAY);
  // The dot beside the line follows who is around, not only the connection.
  const GREEN = "rgb(34, 197, 94)";
  await expect(host.connection).not.toHaveCSS("background-color", GREEN);

  const [context, console_] = await agentLogsIn(browser, server);
  await expect(host.status).toHaveText(AROUND);
  await expect(host.connection).toHaveCSS("background-color", GREEN);

  const status = console_.page.getByTestId("agent-status");
  await status.click();
  await expect(status).toHaveAttribute("data-state", "away");
  await expect(host.status).toHaveText(AWAY);
  await expect(host.connection).not.toHaveCSS("background-color", GREEN);

  // A message written while nobody is around waits for the next agent.
  await expect(await host.send("anyone around later?")).toHaveAttribute("data-state", SENT);
  await expect(host.widget.getByText("Thanks! We'll be with you shortly.")).toBeVisible();
  await status.click();
  await expect(status).toHaveAttribute("data-state", "online");
  await expect(host.status).toHaveText(AROUND);
  await expect(console_.items.filter({ hasText: "anyone around later?" })).toHaveCount(1);
  await context.close();
});

test("the agent's typing shows '<name> is typing…' and lapses by itself, even when no stop arrives", async ({
  page,
  context,
  server,
  agentConsole,
}) => {
  // Drop every "stopped typing" the server sends the visitor (the console's own stop and the
  // server's lapse): only the widget's own expiry can then take the indicator away.
  await context.routeWebSocket(/\/v1\/socket/, (ws) => {
    const upstream = ws.connectToServer();
    ws.onMessage((m) => upstream.send(m));
    upstream.onMessage((m) => {
      const frame = typeof m === "string" ? JSON.parse(m) : null;
      if (frame?.type === "typing" && frame.typing === false) return;
      ws.send(m);
    });
  });
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("will you type?");
  await agentConsole.openConversationWith("will you type?");
  await agentConsole.say("Hello!");
  await expect(host.message("Hello!")).toHaveCount(1);
  // Active: the agent's name heads the panel.
  await expect(host.widget.locator(".tw-title")).toHaveText("Ada");
  await expect(host.status).toHaveText("Support is with you");
  await expect(host.widget.getByText("Thanks! We'll be with you shortly.")).toHaveCount(0);
  await expect(host.typing).toHaveCount(0);

  await agentConsole.page.getByTestId("composer-input").pressSequentially("Let me check");
  await expect(host.typing).toHaveText("Ada is typing…");
  await expect(host.typing).toHaveCount(0, { timeout: 12_000 });

  // The agent's message ends her typing at once, stop frame or not.
  await agentConsole.page.getByTestId("composer-input").pressSequentially(" that for you");
  await expect(host.typing).toHaveText("Ada is typing…");
  await agentConsole.page.getByTestId("composer-send").click();
  await expect(host.message("Let me check that for you")).toHaveCount(1);
  await expect(host.typing).toHaveCount(0, { timeout: 2_000 });
});

test("the visitor's typing reaches the console's typing indicator and clears when the draft is emptied or left alone", async ({
  page,
  server,
  agentConsole,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("typing to you soon");
  await agentConsole.openConversationWith("typing to you soon");
  const indicator = agentConsole.page.getByTestId("typing-indicator");
  await expect(indicator).toHaveCount(0);

  await host.input.pressSequentially("I am wri");
  await expect(indicator).toContainText("is typing…");
  await host.input.fill("");
  await expect(indicator).toHaveCount(0, { timeout: 3_000 });

  // A draft left alone stops counting as typing by itself.
  await host.input.pressSequentially("hmm");
  await expect(indicator).toContainText("is typing…");
  await expect(indicator).toHaveCount(0, { timeout: 12_000 });
  await host.input.fill("");

  await host.input.pressSequentially("again");
  await expect(indicator).toContainText("is typing…");
  await host.sendButton.click();
  await expect(agentConsole.message("again")).toHaveCount(1);
  await expect(indicator).toHaveCount(0, { timeout: 3_000 });
});

test("4,000-character limit: a counter near it, sending refused over it, exactly 4,000 accepted", async ({
  page,
  server,
  adminToken,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();

  await host.input.fill("a".repeat(3_499));
  await expect(host.counter).toHaveText("");
  await host.input.fill("a".repeat(3_500));
  await expect(host.counter).toHaveText("3500 / 4000");
  await expect(host.sendButton).toBeEnabled();

  // Counted in characters (Unicode scalar values), not bytes: 4,001 "é" are one too many.
  const tooLong = "é".repeat(4_001);
  await host.input.fill(tooLong);
  await expect(host.counter).toHaveText("4001 / 4000");
  await expect(host.counter).toHaveClass(/tw-over/);
  await expect(host.sendButton).toBeDisabled();
  await host.input.press("Enter");
  await expect(host.input).toHaveValue(tooLong);

  const longest = "é".repeat(3_999) + "!";
  await host.input.fill(longest);
  await expect(host.counter).toHaveText("4000 / 4000");
  await expect(host.sendButton).toBeEnabled();
  await host.sendButton.click();
  await expect(host.input).toHaveValue("");
  await expect(host.counter).toHaveText("");
  await expect(host.messages).toHaveCount(1);
  const bubble = host.messages.first();
  await expect(bubble).toHaveAttribute("data-state", SENT);

  const conversations = await (
    await fetch(server.url("/v1/conversations?filter=all"), { headers: { authorization: `Bearer ${adminToken}` } })
  ).json();
  expect(conversations.conversations).toHaveLength(1);
  const stored = await history(server.origin, adminToken, conversations.conversations[0].id);
  expect(stored.map((m) => m.body)).toEqual([longest]);
});

test("keyboard and screen readers: aria-expanded, a live log, focus into the panel and back, Esc closes", async ({
  page,
  server,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await expect(host.launcher).toHaveAttribute("aria-expanded", "false");
  // Before the app has loaded, the launcher is named by the panel's title (its state is
  // aria-expanded); the app's own labels follow once it has loaded.
  await expect(host.launcher).toHaveAttribute("aria-label", "Chat with us");

  await host.launcher.focus();
  await page.keyboard.press("Enter");
  await expect(host.launcher).toHaveAttribute("aria-expanded", "true");
  await expect(host.launcher).toHaveAttribute("aria-label", /^Close chat/);
  await expect(host.input).toBeFocused();
  await expect(host.list).toHaveAttribute("role", "log");
  await expect(host.list).toHaveAttribute("aria-live", "polite");

  // Esc inside the panel closes it and gives focus back to the launcher.
  await page.keyboard.press("Escape");
  await expect(host.launcher).toHaveAttribute("aria-expanded", "false");
  await expect(host.frameElement).toBeHidden();
  await expect.poll(() => host.launcherFocused()).toBe(true);

  // Open again from the keyboard; Esc on the launcher itself closes too.
  await page.keyboard.press("Enter");
  await expect(host.launcher).toHaveAttribute("aria-expanded", "true");
  await expect(host.input).toBeFocused();
  await host.launcher.focus();
  await page.keyboard.press("Escape");
  await expect(host.launcher).toHaveAttribute("aria-expanded", "false");

  // The panel's own close button also returns focus to the launcher.
  await page.keyboard.press("Enter");
  await expect(host.input).toBeFocused();
  await host.closeButton.click();
  await expect(host.launcher).toHaveAttribute("aria-expanded", "false");
  await expect.poll(() => host.launcherFocused()).toBe(true);
});

test("under 640 px wide the open panel fills the screen; on a desktop it is about 380 × 600", async ({
  page,
  server,
}) => {
  await page.setViewportSize({ width: 390, height: 740 });
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await expect
    .poll(() => host.frameElement.boundingBox())
    .toEqual({ x: 0, y: 0, width: 390, height: 740 });
  // 16 px inputs: mobile browsers do not zoom the page when the composer takes focus.
  expect(await host.input.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(16);
  // Full screen covers the launcher: the panel's own close button is the way out.
  await host.closeButton.click();
  await expect(host.launcher).toHaveAttribute("aria-expanded", "false");
  await expect(host.frameElement).toBeHidden();

  await page.setViewportSize({ width: 1280, height: 800 });
  await host.open();
  await expect.poll(() => host.frameElement.boundingBox().then((b) => b && [b.width, b.height])).toEqual([380, 600]);
});

test("Tidings() API: calls queued before the loader run, open/close/toggle fire their events, shutdown removes the launcher", async ({
  page,
  server,
}) => {
  await recordTidingsEvents(page, [["open"]]);
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await expect(host.launcher).toHaveAttribute("aria-expanded", "true");
  await expect(host.widget.getByTestId("chat-widget")).toBeVisible();
  expect(await eventNames(page, ["open", "close"])).toEqual(["open"]);

  await host.command("close");
  await expect(host.launcher).toHaveAttribute("aria-expanded", "false");
  await expect(host.frameElement).toBeHidden();
  await host.command("toggle");
  await expect(host.launcher).toHaveAttribute("aria-expanded", "true");
  await expect(host.frameElement).toBeVisible();
  await host.command("toggle");
  await expect(host.launcher).toHaveAttribute("aria-expanded", "false");
  await host.command("open");
  await host.command("open");
  await expect(host.launcher).toHaveAttribute("aria-expanded", "true");
  expect(await eventNames(page, ["open", "close"])).toEqual(["open", "close", "open", "close", "open"]);

  await host.command("shutdown");
  await expect(host.launcher).toHaveCount(0);
  await expect(host.frameElement).toHaveCount(0);
  await expect(page.locator("tidings-chat")).toHaveCount(0);
  await host.command("open");
  await expect(host.launcher).toHaveCount(0);
});

test("Tidings('identify') names the visitor in the console; 'message' and 'unread' events report agent messages", async ({
  page,
  server,
  agentConsole,
}) => {
  await recordTidingsEvents(page, [["identify", { name: "Zoe Visitor", email: "zoe@example.com" }]]);
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("who am I?");
  await agentConsole.openConversationWith("who am I?");
  const info = agentConsole.page.getByTestId("visitor-info");
  await expect(info.locator('[data-field="name"]')).toHaveText("Zoe Visitor");
  await expect(info.locator('[data-field="email"]')).toHaveText("zoe@example.com");
  // Identified again mid-conversation: the console follows without a reload.
  await host.command("identify", { name: "Zoe Q. Visitor", email: "zoe.q@example.com" });
  await expect(info.locator('[data-field="name"]')).toHaveText("Zoe Q. Visitor");
  await expect(info.locator('[data-field="email"]')).toHaveText("zoe.q@example.com");

  await agentConsole.say("You are Zoe.");
  await expect(host.message("You are Zoe.")).toHaveCount(1);
  await expect
    .poll(async () => (await events(page)).filter(([n]) => n === "message").map(([, m]) => [m.body, m.author]))
    .toEqual([["You are Zoe.", "Ada"]]);

  await host.close();
  await agentConsole.say("Still there?");
  await expect(host.unread).toHaveText("1");
  await expect.poll(async () => (await events(page)).filter(([n]) => n === "unread").map(([, n]) => n)).toEqual([1]);
  await host.open();
  await expect
    .poll(async () => (await events(page)).filter(([n]) => n === "unread").map(([, n]) => n))
    .toEqual([1, 0]);

  // Shutdown also takes the unread count out of the page title.
  await host.close();
  await agentConsole.say("Goodbye then");
  await expect(page).toHaveTitle(/^\(1\) /);
  await host.command("shutdown");
  await expect(host.launcher).toHaveCount(0);
  await expect(page).not.toHaveTitle(/\(\d+\)/);
});

test("the open panel stays open across a navigation in the tab; a new tab starts closed", async ({
  page,
  context,
  server,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();

  await host.goto(server.url("/?page=2"));
  await expect(host.launcher).toHaveAttribute("aria-expanded", "true");
  await expect(host.widget.getByTestId("chat-widget")).toBeVisible();

  const other = new HostPage(await context.newPage());
  await other.goto(server.url("/"));
  await expect(other.launcher).toHaveAttribute("aria-expanded", "false");
  await expect(other.frameElement).toBeHidden();
  await expect(host.launcher).toHaveAttribute("aria-expanded", "true");

  await host.close();
  await host.goto(server.url("/?page=3"));
  await expect(host.launcher).toHaveAttribute("aria-expanded", "false");
  await expect(host.frameElement).toBeHidden();
});

test("ticks: ✓ sent while no agent is around, ✓✓ delivered once a console has it, coloured ✓✓ read once she opens it", async ({
  page,
  browser,
  server,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  const bubble = await host.send("tick tock");
  await expect(bubble).toHaveAttribute("data-state", "sent");
  await expect(host.ticks(bubble)).toHaveText("✓");
  await expect(host.ticks(bubble)).toHaveAttribute("aria-label", "Sent");

  const [context, console_] = await agentLogsIn(browser, server);
  await expect(console_.items.filter({ hasText: "tick tock" })).toHaveCount(1);
  await expect(bubble).toHaveAttribute("data-state", "delivered");
  await expect(host.ticks(bubble)).toHaveText("✓✓");
  await expect(host.ticks(bubble)).toHaveAttribute("aria-label", "Delivered");
  await expect(host.ticks(bubble)).not.toHaveClass(/tw-read/);

  await console_.openConversationWith("tick tock");
  await expect(bubble).toHaveAttribute("data-state", "read");
  await expect(host.ticks(bubble)).toHaveText("✓✓");
  await expect(host.ticks(bubble)).toHaveAttribute("aria-label", "Read");
  await expect(host.ticks(bubble)).toHaveClass(/tw-read/);
  await context.close();
});

test("a message the server refuses shows failed with the reason, and Retry sends it", async ({
  page,
  context,
  server,
  adminToken,
}) => {
  // The widget never sends what the server would refuse, so the refusal is provoked on the
  // wire: the first attempt at each message arrives with its body padded past the limit, as a
  // client with a different idea of the limit would send it. The server's real refusal comes
  // back; later attempts pass untouched.
  const tampered = new Set<string>();
  await context.routeWebSocket(/\/v1\/socket/, (ws) => {
    const upstream = ws.connectToServer();
    ws.onMessage((m) => {
      const frame = typeof m === "string" ? JSON.parse(m) : null;
      if (frame?.type === "send" && frame.body.startsWith("refuse me") && !tampered.has(frame.id)) {
        tampered.add(frame.id);
        frame.body += " " + "x".repeat(4_000);
        upstream.send(JSON.stringify(frame));
        return;
      }
      upstream.send(m);
    });
    upstream.onMessage((m) => ws.send(m));
  });
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();

  const bubble = await host.send("refuse me once");
  await expect(bubble).toHaveAttribute("data-state", "failed");
  const failure = bubble.locator(".tw-failed");
  await expect(failure).toContainText("Not sent:");
  await expect(failure).toContainText("at most 4000 are allowed");
  await expect(host.ticks(bubble)).toHaveAttribute("aria-label", "Not sent");
  // Failed, but kept on this device: never silently dropped.
  expect((await host.outbox()).filter((s) => s.includes("refuse me once"))).toHaveLength(1);

  const discarded = await host.send("refuse me and forget it");
  await expect(discarded).toHaveAttribute("data-state", "failed");
  await discarded.getByRole("button", { name: "Discard" }).click();
  await expect(discarded).toHaveCount(0);

  // After a reload the failed message is still there, still failed (not quietly resent), and
  // the discarded one stays gone.
  await page.reload();
  await host.waitOnline();
  await expect(bubble).toHaveAttribute("data-state", "failed");
  await expect(failure).toContainText("at most 4000 are allowed");
  await expect(host.message("refuse me and forget it")).toHaveCount(0);

  await bubble.getByRole("button", { name: "Retry" }).click();
  await expect(host.message("refuse me once")).toHaveAttribute("data-state", SENT);
  await expect(host.message("refuse me once").locator(".tw-failed")).toHaveCount(0);
  await expect.poll(() => host.outbox()).toEqual([]);

  const conversations = await (
    await fetch(server.url("/v1/conversations?filter=all"), { headers: { authorization: `Bearer ${adminToken}` } })
  ).json();
  expect(conversations.conversations).toHaveLength(1);
  const stored = await history(server.origin, adminToken, conversations.conversations[0].id);
  expect(stored.map((m) => m.body)).toEqual(["refuse me once"]);
});

test("the script tag's data-title, data-greeting, data-color and data-position configure launcher and panel; reduced motion is respected", async ({
  page,
  server,
}) => {
  // A site owner's own page on the Tidings origin, embedding the loader with its settings.
  const url = server.url("/owner-page.html");
  await page.route(url, (route) =>
    route.fulfill({
      contentType: "text/html; charset=utf-8",
      body: `<!doctype html><html><head><meta charset="utf-8"><title>Owner</title></head><body><p>Shop</p>
<script src="/widget.js" async data-position="left" data-color="#0a7f3f" data-title="Ask Northwind"
  data-greeting="Hello from the roastery!"></script></body></html>`,
    }),
  );
  await page.emulateMedia({ reducedMotion: "reduce" });
  const host = new HostPage(page);
  await host.goto(url);
  await expect(host.launcher).toHaveAttribute("aria-label", "Ask Northwind");
  expect(await host.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(10, 127, 63)");
  // The launcher does not move, whatever the visitor's motion setting.
  expect(await host.launcher.evaluate((el) => getComputedStyle(el).transitionDuration)).toBe("0s");
  const launcher = (await host.launcher.boundingBox())!;
  expect(launcher.x).toBeLessThan(100);

  await host.open();
  await expect(host.widget.locator(".tw-title")).toHaveText("Ask Northwind");
  await expect(host.widget.getByText("Hello from the roastery!")).toBeVisible();
  const panel = (await host.frameElement.boundingBox())!;
  expect(panel.x).toBeLessThan(100);
  await expect(host.launcher).toHaveAttribute("aria-label", "Close chat: Ask Northwind");
});

test("a returning visitor's badge is live without a click: agent messages sent while no tab was open count", async ({
  page,
  context,
  server,
  agentConsole,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("I'll be back");
  await agentConsole.openConversationWith("I'll be back");
  await agentConsole.say("Take your time");
  await expect(host.message("Take your time")).toHaveAttribute("data-sender", "agent");
  await host.close();
  await expect(host.unread).toBeHidden();
  await page.close();

  await agentConsole.say("while you were away 1");
  await agentConsole.say("while you were away 2");

  const back = new HostPage(await context.newPage());
  await back.goto(server.url("/"));
  await expect(back.launcher).toHaveAttribute("aria-expanded", "false");
  // Only the app, loaded on idle in the hidden panel, can know about these two.
  await expect(back.unread).toHaveText("2");
  await expect(back.frameElement).toHaveCount(1);
  await expect(back.frameElement).toBeHidden();
  await expect(back.page).toHaveTitle(/^\(2\) /);
});

test("unread is the same in every tab and reading in one clears it in all", async ({
  page,
  context,
  server,
  agentConsole,
}) => {
  const first = new HostPage(page);
  await first.goto(server.url("/"));
  await first.open();
  await first.send("two tabs, one badge");
  await agentConsole.openConversationWith("two tabs, one badge");
  await agentConsole.say("first answer");
  await expect(first.message("first answer")).toHaveCount(1);
  await first.close();

  const second = new HostPage(await context.newPage());
  await second.goto(server.url("/"));
  await expect(second.frameElement).toHaveCount(1);

  await agentConsole.say("second answer");
  await expect(first.unread).toHaveText("1");
  await expect(second.unread).toHaveText("1");

  await second.open();
  await expect(second.message("second answer")).toBeVisible();
  await expect(second.unread).toBeHidden();
  await expect(first.unread).toBeHidden();
  await expect(first.page).not.toHaveTitle(/\(\d+\)/);
});

test("the list follows new messages at the bottom; scrolled up, a 'new messages' pill appears and jumps down; day separator, name and avatar", async ({
  page,
  server,
  agentConsole,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("tell me everything");
  await agentConsole.openConversationWith("tell me everything");
  for (let i = 1; i <= 14; i++) await agentConsole.say(`detail number ${i}.`);
  await expect(host.message("detail number 14.")).toBeInViewport();
  // One day separator; the agent's name and avatar lead her run of messages only once.
  await expect(host.widget.getByRole("separator")).toHaveText(["Today"]);
  const author = host.message("detail number 1.").locator(".tw-author");
  await expect(author.locator("span:not(.tw-avatar)")).toHaveText("Ada");
  await expect(author.locator(".tw-avatar")).toHaveText("A");
  await expect(host.message("detail number 2.").locator(".tw-author")).toHaveCount(0);
  await expect(host.message("detail number 2.").locator("time")).toHaveText(/\d{1,2}:\d{2}/);

  const scroller = host.widget.locator(".tw-scroll");
  const fromBottom = () => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  await expect.poll(fromBottom).toBeLessThan(48);
  const pill = host.widget.getByRole("button", { name: /New messages/ });
  await expect(pill).toHaveCount(0);

  await scroller.evaluate((el) => el.scrollTo(0, 0));
  await expect(host.message("detail number 1.")).toBeInViewport();
  await agentConsole.say("one more thing");
  await expect(pill).toBeVisible();
  await expect(host.message("one more thing")).not.toBeInViewport();
  expect(await fromBottom()).toBeGreaterThan(100);

  await pill.click();
  await expect(host.message("one more thing")).toBeInViewport();
  await expect(pill).toHaveCount(0);
  await agentConsole.say("and the last one");
  await expect(host.message("and the last one")).toBeInViewport();
  await expect(pill).toHaveCount(0);
});

test("a message written offline while the agent ends the chat is not lost: it starts a new conversation", async ({
  page,
  context,
  server,
  agentConsole,
  adminToken,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("first question");
  const first = await agentConsole.openConversationWith("first question");
  await agentConsole.say("answered, bye");
  await expect(host.message("answered, bye")).toHaveCount(1);

  await context.setOffline(true);
  await expect(host.connection).toHaveAttribute("data-state", "offline");
  const late = await host.send("one more question");
  await expect(late).toHaveAttribute("data-state", "pending");
  await agentConsole.close();
  await expect
    .poll(async () => {
      const res = await fetch(server.url(`/v1/conversations/${first}`), {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      return (await res.json()).status;
    })
    .toBe("ended");

  await context.setOffline(false);
  await host.waitOnline();
  await expect(host.message("one more question")).toHaveAttribute("data-state", SENT);
  await expect(host.status).toHaveAttribute("data-state", "waiting");
  await expect(host.messages).toHaveCount(1);
  await expect.poll(() => host.outbox()).toEqual([]);

  await agentConsole.filter("waiting").click();
  const next = await agentConsole.openConversationWith("one more question");
  expect(next).not.toBe(first);
  expect((await history(server.origin, adminToken, next)).map((m) => m.body)).toEqual(["one more question"]);
  expect((await history(server.origin, adminToken, first)).map((m) => m.body)).not.toContain("one more question");
});
