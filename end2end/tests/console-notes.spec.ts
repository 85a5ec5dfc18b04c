// Private notes and transfer (issue 12, items 2 and 3), in real Chromium against a real
// server with the visitor on the real widget: a note shows in the console (as a note, also
// after a reload) and never in the widget, in its `message` events or after the visitor
// reloads, while the visitor's receipts still move past it; a chat handed from Ada to Bea
// with a note alerts Bea and shows in her Mine, the visitor sees "Bea joined the chat" and
// not the note, Ada loses sight of it, and Bea can put it back in the queue.
import { Browser, Page } from "@playwright/test";
import { closeContexts, consoleFor, newPage } from "../support/contexts";
import { AGENT, expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { addAgents, BEA, conversationIdOf, SENT } from "../support/people";
import { TidingsServer } from "../support/server";

test.afterEach(closeContexts);

/** Records the widget's `message` events on the demo page in `window.__messages`. */
async function recordMessages(page: Page): Promise<void> {
  await page.addInitScript(() => {
    if (location.pathname !== "/") return;
    const w = window as any;
    w.__messages = [];
    w.Tidings = function () {
      (w.Tidings.q = w.Tidings.q || []).push(arguments);
    };
    w.Tidings("on", "message", (m: { body: string }) => w.__messages.push(m.body));
  });
}

/** A visitor on the demo page (its own browser context) says `body`. */
async function visitorSays(browser: Browser, server: TidingsServer, body: string): Promise<HostPage> {
  const page = await newPage(browser);
  await recordMessages(page);
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send(body);
  await expect(host.message(body)).toHaveAttribute("data-state", SENT);
  return host;
}

const NOTE = "NOTE-ONLY: this customer is a VIP";

test("a private note shows in the console and never in the widget, its events or after a reload; receipts move past it", async ({
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = await consoleFor(browser, server, AGENT);
  const visitor = await visitorSays(browser, server, "Where is my order?");
  const id = await conversationIdOf(ada, "Where is my order?");
  await ada.openConversation(id);
  await ada.say("Checking now.");
  await expect(visitor.message("Checking now.")).toBeVisible();

  // A note: the composer switches, and the note shows as one in the console.
  await ada.page.getByTestId("note-toggle").click();
  await expect(ada.page.getByTestId("note-toggle")).toHaveAttribute("aria-pressed", "true");
  await ada.page.getByTestId("composer-input").fill(NOTE);
  await ada.page.getByTestId("composer-send").click();
  await expect(ada.message(NOTE)).toHaveAttribute("data-sender", "note");
  await expect(ada.page.getByTestId("composer-input")).toHaveValue("");
  await ada.page.getByTestId("note-toggle").click();
  await expect(ada.page.getByTestId("note-toggle")).toHaveAttribute("aria-pressed", "false");
  const after = await ada.say("It ships tomorrow.");

  // The visitor gets the reply after the note, not the note; the widget's read receipt
  // goes past the note's seq, so Ada's reply shows read.
  await expect(visitor.message("It ships tomorrow.")).toHaveAttribute("data-sender", "agent");
  await expect(after).toHaveAttribute("data-state", "read");
  await expect(visitor.message("NOTE-ONLY")).toHaveCount(0);
  await expect(visitor.widget.getByText("VIP")).toHaveCount(0);
  const heard: string[] = await visitor.page.evaluate(() => (window as any).__messages);
  expect(heard).toContain("It ships tomorrow.");
  expect(heard.join("\n")).not.toContain("NOTE-ONLY");

  // A note as the latest seq, then a reply: the widget neither shows it nor stalls on it.
  await ada.page.getByTestId("note-toggle").click();
  await ada.page.getByTestId("composer-input").fill(`${NOTE} (again)`);
  await ada.page.getByTestId("composer-send").click();
  await expect(ada.message(`${NOTE} (again)`)).toHaveAttribute("data-sender", "note");
  await ada.page.getByTestId("note-toggle").click();
  const last = await ada.say("Anything else?");
  await expect(visitor.message("Anything else?")).toBeVisible();
  await expect(last).toHaveAttribute("data-state", "read");

  // After a reload on both sides: the console still has both notes, the widget none.
  await visitor.page.reload();
  await visitor.open();
  await expect(visitor.message("Anything else?")).toBeVisible();
  await expect(visitor.message("Checking now.")).toBeVisible();
  await expect(visitor.messages).toHaveCount(5); // question, joined, three replies
  await expect(visitor.message("NOTE-ONLY")).toHaveCount(0);
  await ada.page.reload();
  await ada.filter("mine").click();
  await ada.openConversation(id);
  await expect(ada.messages.filter({ hasText: "NOTE-ONLY" })).toHaveCount(2);
  await expect(ada.message(NOTE).first()).toHaveAttribute("data-sender", "note");
  // The list's preview is the last reply, never a note.
  await expect(ada.item(id)).toContainText("Anything else?");
  await expect(ada.item(id)).not.toContainText("NOTE-ONLY");
});

test("Ada transfers a chat to Bea with a note: Bea is alerted and has it in Mine, the visitor sees Bea join, Ada loses it; Bea returns it to the queue", async ({
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = await consoleFor(browser, server, AGENT);
  const bea = await consoleFor(browser, server, BEA);
  const visitor = await visitorSays(browser, server, "I want a refund");
  const id = await conversationIdOf(ada, "I want a refund");
  await ada.openConversation(id);
  await ada.say("Let me see.");
  await expect(visitor.message("Let me see.")).toBeVisible();

  // The picker: online colleagues first (Bea is online, Grace the admin is not), no Ada.
  await ada.page.getByTestId("transfer-conversation").click();
  const targets = ada.page.getByTestId("transfer-target");
  await expect(targets).toHaveCount(2);
  await expect(targets.first()).toContainText("Bea (online)");
  await expect(targets.nth(1)).toContainText("Grace (offline)");
  await expect(targets.filter({ hasText: "Ada" })).toHaveCount(0);
  const beaId = (await targets.first().getAttribute("data-id"))!;
  await ada.page.getByTestId("transfer-note").fill("NOTE-ONLY: order 1234, refund approved");
  await ada.page.locator(`[data-testid="transfer-target"][data-id="${beaId}"]`).click();

  // Bea is alerted and finds it in Mine.
  await expect(bea.page.getByTestId("handover-alert")).toBeVisible();
  await bea.filter("mine").click();
  await expect(bea.item(id)).toHaveAttribute("data-status", "active");
  // The visitor sees Bea join, never the note.
  await expect(visitor.message("Bea joined the chat")).toHaveAttribute("data-sender", "system");
  await expect(visitor.message("NOTE-ONLY")).toHaveCount(0);
  // Ada loses sight of it.
  await ada.filter("mine").click();
  await expect(ada.item(id)).toHaveCount(0);
  await expect(ada.page.getByTestId("conversation-unavailable")).toBeVisible();

  // Bea reads the note, answers, then puts the chat back in the queue.
  await bea.page.getByTestId("handover-alert").getByRole("link", { name: "Open" }).click();
  await expect(bea.message("order 1234")).toHaveAttribute("data-sender", "note");
  await bea.say("Hi, Bea here: your refund is on its way.");
  await expect(visitor.message("your refund is on its way")).toBeVisible();
  await bea.page.getByTestId("transfer-conversation").click();
  await bea.page.getByTestId("return-to-queue").click();
  await ada.filter("waiting").click();
  await expect(ada.item(id)).toHaveAttribute("data-status", "waiting");
  await expect(visitor.message("NOTE-ONLY")).toHaveCount(0);
});
