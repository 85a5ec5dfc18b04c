// Delivery and read receipts from the widget never run past a gap: "delivered up to seq N"
// means every message up to N is on the visitor's screen, so a message lost on the way
// cannot show as delivered or read in the console.
import { WebSocketRoute } from "@playwright/test";
import { expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";

type Event = { dir: "in"; seq: number } | { dir: "out"; type: string; seq: number };

test("the widget's delivered and read receipts stop at a missing message until it arrives", async ({
  page,
  context,
  server,
  agentConsole,
}) => {
  // Every message and ack the page receives, every receipt it sends, in order.
  const log: Event[] = [];
  let lose: string | undefined;
  const sockets: WebSocketRoute[] = [];
  await context.routeWebSocket(/\/v1\/socket/, (ws) => {
    sockets.push(ws);
    const real = ws.connectToServer();
    ws.onMessage((m) => {
      const frame = JSON.parse(String(m));
      if (frame.type === "delivered" || frame.type === "read") log.push({ dir: "out", type: frame.type, seq: frame.seq });
      real.send(m);
    });
    real.onMessage((m) => {
      const frame = JSON.parse(String(m));
      if (frame.type === "message") {
        if (frame.message.body === lose) return; // lost on the way, once
        log.push({ dir: "in", seq: frame.message.seq });
      }
      // The visitor's own message is held once its ack (with its seq) arrives.
      if (frame.type === "ack") log.push({ dir: "in", seq: frame.seq });
      ws.send(m);
    });
  });

  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("hello");
  await agentConsole.openConversationWith("hello");
  await agentConsole.say("first");
  await expect(host.message("first")).toHaveCount(1);
  lose = "second";
  await agentConsole.say("second");
  await agentConsole.say("third");
  await expect(host.message("third")).toHaveCount(1);
  await expect(host.message("second")).toHaveCount(0);
  lose = undefined;

  // A reconnect resumes from the last seq held without a gap and brings the lost one.
  sockets.at(-1)!.close();
  await expect(host.message("second")).toHaveCount(1);
  await expect.poll(() => Math.max(...log.filter((e) => e.dir === "out" && e.type === "read").map((e) => e.seq))).toBe(
    Math.max(...log.filter((e) => e.dir === "in").map((e) => e.seq)),
  );

  // No receipt ever covered a seq whose message (or one below it) had not arrived yet.
  const held = new Set<number>();
  for (const event of log) {
    if (event.dir === "in") {
      held.add(event.seq);
      continue;
    }
    for (let seq = 1; seq <= event.seq; seq++) {
      expect(held.has(seq), `${event.type} ${event.seq} sent before message ${seq} arrived`).toBe(true);
    }
  }
});
