// The waiting queue under a flood, in real Chromium against a real server: an agent blocks a
// visitor (after a confirmation; the visitor's waiting chat leaves the queue and their next
// message shows failed, saying why), closes several waiting chats at once, and sees the
// longest-waiting first with more pages loaded on demand past the first 200.
import { Browser } from "@playwright/test";
import { ConsolePage } from "../support/console-page";
import { closeContexts, newPage } from "../support/contexts";
import { AGENT, expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { addAgents, SENT } from "../support/people";
import { TidingsServer } from "../support/server";

test.afterEach(closeContexts);

/** `count` visitors, one after the other, each opening a waiting chat with the message
 * `${prefix} ${i}` over the protocol (no widget: faster); returns the conversation ids in
 * the order they started. */
async function floodWaiting(browser: Browser, server: TidingsServer, count: number, prefix: string): Promise<string[]> {
  const page = await newPage(browser);
  await page.goto(server.url("/healthz"));
  return page.evaluate(
    async ({ count, prefix }) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const res = await fetch("/v1/visitors", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: `${prefix} ${i}` }),
        });
        if (!res.ok) throw new Error(`visitor: ${res.status} ${await res.text()}`);
        const { token } = await res.json();
        const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/v1/socket`);
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        const id = crypto.randomUUID();
        const acked = new Promise<string>((resolve, reject) => {
          ws.onmessage = (e) => {
            const frame = JSON.parse(e.data);
            if (frame.type === "hello") {
              ws.send(JSON.stringify({ type: "send", id, body: `${prefix} ${i}` }));
            } else if (frame.type === "ack" && frame.id === id) {
              resolve(frame.conversation_id);
            } else if (frame.type === "error") {
              reject(new Error(JSON.stringify(frame)));
            }
          };
        });
        ws.send(JSON.stringify({ type: "auth", token, version: 1 }));
        ids.push(await acked);
        ws.close();
      }
      return ids;
    },
    { count, prefix },
  );
}

test("an agent blocks a visitor: their waiting chat leaves the queue and their next message is refused", async ({
  page,
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  const host = new HostPage(await newPage(browser));
  await host.goto(server.url("/"));
  await host.open();
  await host.send("buy cheap watches");
  await expect(host.message("buy cheap watches")).toHaveAttribute("data-state", SENT);
  await expect(ada.count("waiting")).toHaveText("1");
  await ada.openConversationWith("buy cheap watches");

  // A confirmation comes first; cancelling it changes nothing.
  await page.getByTestId("block-visitor").click();
  await page.getByTestId("block-visitor-cancel").click();
  await expect(page.getByTestId("conversation-status")).toHaveAttribute("data-state", "waiting");
  await page.getByTestId("block-visitor").click();
  await page.getByTestId("block-visitor-confirm").click();
  await expect(page.getByTestId("visitor-blocked")).toBeVisible();
  await expect(page.getByTestId("conversation-status")).toHaveAttribute("data-state", "ended");
  await expect(ada.count("waiting")).toHaveText("0");

  // The visitor's chat ended; a new one is refused at its first message, shown failed with
  // why.
  await host.widget.getByTestId("new-conversation").click();
  await host.send("still selling watches");
  const bubble = host.message("still selling watches");
  await expect(bubble).toHaveAttribute("data-state", "failed");
  await expect(bubble.locator(".tw-failed")).toContainText("blocked");
  await expect(ada.count("waiting")).toHaveText("0");
});

test("waiting chats close in bulk after a confirmation", async ({ page, browser, server }) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  const ids = await floodWaiting(browser, server, 4, "spam");
  await expect(ada.count("waiting")).toHaveText("4");
  const tick = (id: string) => page.locator(`[data-testid="bulk-select"][data-id="${id}"]`);

  await expect(page.getByTestId("bulk-close")).toBeDisabled();
  await tick(ids[0]).check();
  await tick(ids[2]).check();
  await tick(ids[3]).check();
  await tick(ids[3]).uncheck();
  await page.getByTestId("bulk-close").click();
  await expect(page.getByTestId("bulk-close-question")).toHaveText("Close 2 waiting chats?");
  await page.getByTestId("bulk-close-confirm").click();
  await expect(ada.count("waiting")).toHaveText("2");
  await expect.poll(() => ada.itemIds()).toEqual([ids[1], ids[3]]);

  // Tick all, then think better of it: nothing closes.
  await page.getByTestId("bulk-select-all").click();
  await expect(tick(ids[1])).toBeChecked();
  await page.getByTestId("bulk-close").click();
  await page.getByTestId("bulk-close-cancel").click();
  await expect(ada.count("waiting")).toHaveText("2");
  // Tick all and close: the queue is empty.
  await page.getByTestId("bulk-close").click();
  await page.getByTestId("bulk-close-confirm").click();
  await expect(ada.count("waiting")).toHaveText("0");
});

test("the waiting tab shows the longest-waiting first and loads more than 200 on demand", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const server = await TidingsServer.start(["--visitor-create-per-minute", "0"]);
  try {
    await addAgents(server);
    const ids = await floodWaiting(browser, server, 205, "flood");
    const ada = new ConsolePage(page, server);
    await ada.loginOk(AGENT);
    await expect(ada.items).toHaveCount(200);
    await expect.poll(() => ada.itemIds()).toEqual(ids.slice(0, 200));
    await page.getByTestId("waiting-load-more").click();
    await expect(ada.items).toHaveCount(205);
    await expect.poll(() => ada.itemIds()).toEqual(ids);
    await expect(page.getByTestId("waiting-load-more")).toHaveCount(0);
  } finally {
    await server.dispose();
  }
});
