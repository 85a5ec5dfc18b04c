// A long conversation loads fast: a page load replays only its latest seqs over the socket,
// and older pages are read over HTTP when the visitor scrolls up (or presses the button),
// in order, with nothing twice and the rows in view kept in place (issue 11, item 7).
import { expectNoViolations } from "../support/axe";
import { expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { TidingsServer } from "../support/server";

const TOTAL = 130;
const TAIL = 50;

test("a reload replays only the latest page; older pages come on scrolling up, in order, once", async ({ page, context }) => {
  // A high frame rate so the test can fill the conversation quickly over one socket.
  const server = await TidingsServer.start(["--rate-per-second", "1000", "--rate-burst", "1000"]);
  try {
    const host = new HostPage(page);
    await host.goto(server.url("/"));
    await host.open();
    await host.send("m0");
    const token = await host.visitorToken();
    expect(token).toBeTruthy();

    // Fill the conversation: m1..m129 from a second socket of the same visitor.
    const frame = host.appFrame()!;
    await frame.evaluate(
      async ({ token, total }) => {
        const conversations = await fetch("/v1/visitor/conversations", {
          headers: { authorization: `Bearer ${token}` },
        }).then((r) => r.json());
        const conversationId = conversations.conversations?.[0]?.id ?? conversations[0]?.id;
        const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/v1/socket`);
        await new Promise<void>((resolve, reject) => {
          let acked = 0;
          ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token, version: 1 }));
          ws.onerror = () => reject(new Error("socket failed"));
          ws.onmessage = (event) => {
            const frame = JSON.parse(event.data);
            if (frame.type === "hello") {
              for (let i = 1; i < total; i++) {
                ws.send(
                  JSON.stringify({ type: "send", id: crypto.randomUUID(), conversation_id: conversationId, body: `m${i}` }),
                );
              }
            } else if (frame.type === "ack" && ++acked === total - 1) {
              resolve();
            } else if (frame.type === "error") {
              reject(new Error(JSON.stringify(frame)));
            }
          };
        });
        ws.close();
      },
      { token, total: TOTAL },
    );
    await expect(host.message(`m${TOTAL - 1}`)).toHaveCount(1);

    // Count the messages the server replays to the reloaded widget.
    let replayed = 0;
    await context.routeWebSocket(/\/v1\/socket/, (ws) => {
      const real = ws.connectToServer();
      real.onMessage((m) => {
        if (JSON.parse(String(m)).type === "message") replayed++;
        ws.send(m);
      });
    });
    await page.reload();
    await host.open();
    await expect(host.message(`m${TOTAL - 1}`)).toHaveCount(1);
    await expect(host.messages).toHaveCount(TAIL);
    expect(replayed).toBe(TAIL);
    await expect(host.message("m0")).toHaveCount(0);
    const older = host.widget.getByTestId("load-older");
    await expect(older).toBeVisible();
    await expectNoViolations(page, "the widget with older pages to read");

    // Scrolling to the top reads the page before; the row that was on top stays in view.
    const firstShown = host.message(`m${TOTAL - TAIL}`);
    await host.widget.locator(".tw-scroll").evaluate((el) => {
      el.scrollTop = 0;
    });
    await expect(host.messages).toHaveCount(2 * TAIL);
    await expect(firstShown).toBeInViewport();
    await expect(host.message(`m${TOTAL - 2 * TAIL}`)).toHaveCount(1);

    // The button reads the rest (the keyboard's way); then the greeting opens the list.
    await older.focus();
    await page.keyboard.press("Enter");
    await expect(host.messages).toHaveCount(TOTAL);
    await expect(older).toBeHidden();
    await expect(host.widget.locator(".tw-greeting")).toBeVisible();
    const bodies = await host.messages.evaluateAll((els) => els.map((el) => el.querySelector(".tw-bubble")?.textContent ?? ""));
    const order = bodies.map((b) => Number(/^m(\d+)$/.exec(b.trim())![1]));
    expect(order).toEqual([...Array(TOTAL).keys()]);

    // Live messages still arrive once, after the history.
    await host.send("after the history");
    await expect(host.messages).toHaveCount(TOTAL + 1);
  } finally {
    await server.dispose();
  }
});
