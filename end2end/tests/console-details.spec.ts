// The agent console's finer behaviours (SPEC section 5) in real Chromium against a real
// server: the chime and the tab title for new chats, live tab counts, ordering, unread
// counts and ages in the list, reassignment, the Ended tab, agent presence as visitors see
// it, the visitor's details, and history longer than one page across a reload.
import { Browser, BrowserContext, Page } from "@playwright/test";
import { ConsolePage } from "../support/console-page";
import { ADMIN, AGENT, expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { addAgents, BEA, conversationIdOf, SENT } from "../support/people";
import { loginToken } from "../support/api";
import { TidingsServer } from "../support/server";

/** The widget header's line while a chat waits (SPEC 4.9). */
const AGENTS_AROUND = /typically reply/;
const AGENTS_AWAY = /We.re away/;

/** Browser contexts a test opened itself, closed after it (the server goes with the test). */
const opened: BrowserContext[] = [];
test.afterEach(async () => {
  for (const context of opened.splice(0)) await context.close();
});

async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  opened.push(context);
  return context;
}

/** An agent logged in to the console in a browser context of their own. */
async function consoleFor(browser: Browser, server: TidingsServer, who: typeof AGENT): Promise<ConsolePage> {
  const console_ = new ConsolePage(await (await newContext(browser)).newPage(), server);
  await console_.loginOk(who);
  return console_;
}

/** A visitor (in a browser context of their own) on the demo page at `path` sends a first
 * message through the widget and waits for its ack; returns the host page. */
async function visitorSays(browser: Browser, server: TidingsServer, body: string, path = "/"): Promise<HostPage> {
  const host = new HostPage(await (await newContext(browser)).newPage());
  await host.goto(server.url(path));
  await host.open();
  await host.send(body);
  await expect(host.message(body)).toHaveAttribute("data-state", SENT);
  return host;
}

/** An agent action over HTTP (claim, close), as another agent's console would do it. */
async function act(server: TidingsServer, who: typeof AGENT, id: string, action: "claim" | "close"): Promise<void> {
  const token = await loginToken(server.origin, who.email, who.password);
  const res = await fetch(`${server.origin}/v1/conversations/${id}/${action}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status, await res.text()).toBe(200);
}

/**
 * Collects the console's warnings about frames the server refused for the connection's
 * rate (`frames::refused` logs every refusal that names no message).
 */
function rateLimitedWarnings(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (msg) => {
    if (msg.text().includes("RateLimited")) seen.push(msg.text());
  });
  return seen;
}

/** The agent side's read seq as the server stored it. */
async function agentReadSeq(server: TidingsServer, who: typeof AGENT, id: string): Promise<number> {
  const token = await loginToken(server.origin, who.email, who.password);
  const res = await fetch(`${server.origin}/v1/conversations/${id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()).agent_read_seq;
}

/** The server's count of open sockets (`tidings_connections_open`): it drops only after the
 * server has forgotten a closed connection, presence included. */
async function openSockets(server: TidingsServer): Promise<number> {
  const text = await (await fetch(`${server.origin}/metrics`)).text();
  return Number(/^tidings_connections_open (\d+)/m.exec(text)![1]);
}

/**
 * A visitor who speaks the wire protocol directly (no widget), from a page on the server's
 * origin, so that a test can store many messages quickly. Two sockets take turns; they share
 * the visitor's frame rate, so a send refused as `rate_limited` is sent again a moment later
 * under the same id; every message waits for its ack.
 */
class ProtocolVisitor {
  private constructor(readonly page: Page) {}

  static async connect(browser: Browser, server: TidingsServer): Promise<ProtocolVisitor> {
    const page = await (await newContext(browser)).newPage();
    await page.goto(server.url("/healthz"));
    await page.evaluate(async () => {
      type Frame = { type: string; [key: string]: unknown };
      const res = await fetch("/v1/visitors", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ page_url: location.href }),
      });
      if (!res.ok) throw new Error(`visitor: ${res.status} ${await res.text()}`);
      const { token } = await res.json();
      const open = async () => {
        const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/v1/socket`);
        const frames: Frame[] = [];
        let wake = () => {};
        ws.onmessage = (e) => {
          const frame = JSON.parse(e.data) as Frame;
          if (frame.type === "ping") ws.send(JSON.stringify({ type: "pong", nonce: frame.nonce }));
          frames.push(frame);
          wake();
        };
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        const next = async (wanted: (f: Frame) => boolean): Promise<Frame> => {
          for (;;) {
            const at = frames.findIndex(wanted);
            if (at >= 0) return frames.splice(at, 1)[0];
            await new Promise<void>((resolve) => (wake = resolve));
          }
        };
        ws.send(JSON.stringify({ type: "auth", token, version: 1 }));
        await next((f) => f.type === "hello");
        return { ws, next };
      };
      (window as any).__visitor = { sockets: [await open(), await open()], turn: 0 };
    });
    return new ProtocolVisitor(page);
  }

  /** Sends the bodies in order, each after the previous one's ack; returns the conversation id. */
  send(bodies: string[]): Promise<string> {
    return this.page.evaluate(async (bodies) => {
      const visitor = (window as any).__visitor;
      let conversation: string | undefined = visitor.conversation;
      for (const body of bodies) {
        const id = crypto.randomUUID();
        // The visitor's sockets share one frame rate: over it, the same id is sent again a
        // moment later, as the widget's outbox does.
        let answer: any;
        for (;;) {
          const socket = visitor.sockets[visitor.turn++ % visitor.sockets.length];
          socket.ws.send(JSON.stringify({ type: "send", id, conversation_id: conversation, body }));
          answer = await socket.next((f: any) => (f.type === "ack" || f.type === "error") && f.id === id);
          if (answer.type === "error" && answer.code === "rate_limited") {
            await new Promise((resolve) => setTimeout(resolve, 250));
            continue;
          }
          break;
        }
        if (answer.type !== "ack") throw new Error(`refused: ${JSON.stringify(answer)}`);
        conversation = answer.conversation_id;
      }
      visitor.conversation = conversation;
      return conversation!;
    }, bodies);
  }
}

test("a new waiting chat chimes once, in one console tab of two; the other tab takes over when that one closes", async ({
  browser,
  server,
}) => {
  await addAgents(server);
  const context = await newContext(browser);
  const first = new ConsolePage(await context.newPage(), server);
  await first.loginOk(AGENT);
  const second = new ConsolePage(await context.newPage(), server);
  await second.page.goto(server.url("/console/"));
  await expect(second.filter("waiting")).toBeVisible();
  for (const tab of [first, second]) {
    await expect(tab.page.getByTestId("connection-status")).toHaveAttribute("data-state", "online");
  }
  const chimes = async () => [await first.sounds(), await second.sounds()];

  const visitor = await visitorSays(browser, server, "chime for me");
  const id = await conversationIdOf(first, "chime for me");
  await expect(second.item(id)).toHaveCount(1);
  await expect.poll(chimes).toEqual(expect.arrayContaining([0, 1]));
  const [leader, other] = (await first.sounds()) === 1 ? [first, second] : [second, first];

  // More from the same visitor is no new chat: no sound.
  await visitor.send("still here");
  await expect(first.item(id)).toHaveAttribute("data-unread", "2");
  await expect(second.item(id)).toHaveAttribute("data-unread", "2");
  expect(await leader.sounds()).toBe(1);
  expect(await other.sounds()).toBe(0);

  // With the chiming tab closed, the other one chimes for the next chat.
  await leader.page.close();
  await visitorSays(browser, server, "second chat");
  await conversationIdOf(other, "second chat");
  await expect.poll(() => other.sounds()).toBe(1);
});

test("the tab title counts waiting chats up as they arrive and down as they are claimed", async ({
  page,
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  await expect(page).toHaveTitle("Tidings console");

  await visitorSays(browser, server, "title one");
  await expect(page).toHaveTitle("(1) Tidings console");
  await visitorSays(browser, server, "title two");
  await expect(page).toHaveTitle("(2) Tidings console");

  // Another agent takes the first one.
  await act(server, BEA, await conversationIdOf(ada, "title one"), "claim");
  await expect(page).toHaveTitle("(1) Tidings console");
  // Ada answers the second, and reads it while she does.
  await ada.openConversation(await conversationIdOf(ada, "title two"));
  await ada.say("On it");
  await expect(page).toHaveTitle("Tidings console");
});

test("the counts on the filter tabs follow arrivals, claims and closes live", async ({ page, browser, server }) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  await expect(ada.count("waiting")).toHaveText("0");
  await expect(ada.count("mine")).toHaveText("0");
  await expect(ada.count("ended")).toHaveText("0");

  await visitorSays(browser, server, "count me");
  await expect(ada.count("waiting")).toHaveText("1");
  await visitorSays(browser, server, "count me too");
  await expect(ada.count("waiting")).toHaveText("2");

  const mine = await conversationIdOf(ada, "count me too");
  await ada.openConversation(mine);
  await page.getByTestId("claim-conversation").click();
  await expect(ada.count("waiting")).toHaveText("1");
  await expect(ada.count("mine")).toHaveText("1");

  await ada.close();
  await expect(ada.count("mine")).toHaveText("0");
  await expect(ada.count("ended")).toHaveText("1");

  // Taken by another agent: it leaves Ada's Waiting count and never reaches her Mine.
  await act(server, BEA, await conversationIdOf(ada, "count me"), "claim");
  await expect(ada.count("waiting")).toHaveText("0");
  await expect(ada.count("mine")).toHaveText("0");
  await expect(ada.count("ended")).toHaveText("1");
});

test("waiting: the longest-waiting first, whoever wrote last; other tabs: newest activity first", async ({
  page,
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  const first = await visitorSays(browser, server, "order first");
  const a = await conversationIdOf(ada, "order first");
  const second = await visitorSays(browser, server, "order second");
  const b = await conversationIdOf(ada, "order second");
  await expect.poll(() => ada.itemIds()).toEqual([a, b]);

  // Writing again does not jump the queue.
  await second.send("order second again");
  await expect(ada.item(b)).toContainText("order second again");
  await expect.poll(() => ada.itemIds()).toEqual([a, b]);

  // Once both are Ada's, the Mine tab shows the newest activity first.
  await act(server, AGENT, a, "claim");
  await act(server, AGENT, b, "claim");
  await ada.filter("mine").click();
  await first.send("order first again");
  await expect(ada.item(a)).toContainText("order first again");
  await expect.poll(() => ada.itemIds()).toEqual([a, b]);
  await second.send("order second once more");
  await expect(ada.item(b)).toContainText("order second once more");
  await expect.poll(() => ada.itemIds()).toEqual([b, a]);
});

test("an item's unread count rises with visitor messages and clears when the agent opens it", async ({
  page,
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  const visitor = await visitorSays(browser, server, "unread one");
  const id = await conversationIdOf(ada, "unread one");
  await expect(ada.item(id)).toHaveAttribute("data-unread", "1");
  await visitor.send("unread two");
  await expect(ada.item(id)).toHaveAttribute("data-unread", "2");
  await visitor.send("unread three");
  await expect(ada.item(id)).toHaveAttribute("data-unread", "3");

  await ada.openConversation(id);
  await expect(ada.message("unread three")).toBeVisible();
  await expect(ada.item(id)).toHaveAttribute("data-unread", "0");
  await expect(visitor.message("unread three")).toHaveAttribute("data-state", "read");

  // Read while on screen: a new message does not count as unread.
  await visitor.send("seen at once");
  await expect(ada.message("seen at once")).toBeVisible();
  await expect(visitor.message("seen at once")).toHaveAttribute("data-state", "read");
  await expect(ada.item(id)).toHaveAttribute("data-unread", "0");

  // Back at the list, new messages count again.
  await ada.openInbox();
  await visitor.send("while away");
  await expect(ada.item(id)).toContainText("while away");
  await expect(ada.item(id)).toHaveAttribute("data-unread", "1");
  await expect(page).toHaveTitle("(1) Tidings console");
});

test("ages on items and in the visitor's details grow with the clock", async ({ browser, server }) => {
  await addAgents(server);
  const context = await newContext(browser);
  await context.clock.install();
  const ada = new ConsolePage(await context.newPage(), server);
  await ada.loginOk(AGENT);

  await visitorSays(browser, server, "how long ago");
  const id = await conversationIdOf(ada, "how long ago");
  await expect(ada.age(id)).toHaveText("now");
  await ada.openConversation(id);
  await expect(ada.visitorField("started")).toContainText("just now");

  await ada.page.clock.fastForward("05:30");
  await expect(ada.age(id)).toHaveText("5m");
  await expect(ada.visitorField("started")).toContainText("5 minutes ago");
});

test("an admin reassigns a conversation: it joins the new agent's Mine at once and leaves the admin's", async ({
  page,
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  await ada.filter("mine").click();
  await expect(ada.filter("all")).toHaveCount(0);
  const admin = await consoleFor(browser, server, ADMIN);
  await expect(admin.filter("all")).toBeVisible();

  const visitor = await visitorSays(browser, server, "hand me over");
  await admin.filter("all").click();
  const id = await conversationIdOf(admin, "hand me over");
  await admin.openConversation(id);
  await admin.page.getByTestId("claim-conversation").click();
  await admin.filter("mine").click();
  await expect(admin.item(id)).toHaveAttribute("data-status", "active");
  await expect(ada.item(id)).toHaveCount(0);

  await admin.reassignTo("Ada");
  await expect(ada.item(id)).toHaveAttribute("data-status", "active");
  await expect(admin.item(id)).toHaveCount(0);
  await admin.filter("all").click();
  await expect(admin.item(id)).toContainText("Ada");

  // Ada can carry on at once, and the visitor hears from her.
  await ada.openConversation(id);
  await expect(ada.message("hand me over")).toBeVisible();
  await ada.say("Ada taking over");
  await expect(visitor.message("Ada taking over")).toHaveAttribute("data-sender", "agent");

  // Given to Bea: it leaves Ada's Mine, and her open view, at once.
  await admin.openConversation(id);
  await admin.reassignTo("Bea");
  await expect(ada.item(id)).toHaveCount(0);
  await expect(page.getByTestId("conversation-unavailable")).toBeVisible();
  await expect(ada.message("hand me over")).toHaveCount(0);
});

test("the Ended tab lists closed conversations with their rating, after a reload too", async ({
  page,
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  const visitor = await visitorSays(browser, server, "rate after");
  const id = await conversationIdOf(ada, "rate after");
  await ada.openConversation(id);
  await ada.say("Done, bye");
  await ada.close();
  await expect(visitor.status).toHaveAttribute("data-state", "ended");
  await visitor.widget.getByTestId("rating-star-4").click();
  await visitor.widget.getByTestId("rating-feedback").fill("Quick and kind");
  await visitor.widget.getByTestId("rating-submit").click();
  await expect(page.getByTestId("conversation-rating")).toHaveAttribute("data-rating", "4");

  // A fresh console, from what the server stored.
  await page.goto(server.url("/console/"));
  await ada.filter("ended").click();
  await expect(ada.item(id)).toHaveAttribute("data-status", "ended");
  await ada.filter("waiting").click();
  await expect(ada.item(id)).toHaveCount(0);
  await ada.filter("ended").click();
  await ada.openConversation(id);
  const rating = page.getByTestId("conversation-rating");
  await expect(rating).toHaveAttribute("data-rating", "4");
  await expect(rating).toContainText("Quick and kind");
  await expect(page.getByTestId("composer-input")).toHaveCount(0);
  await expect(page.getByTestId("close-conversation")).toHaveCount(0);

  // The admin sees it under Ended too; another plain agent does not.
  const admin = await consoleFor(browser, server, ADMIN);
  await admin.filter("ended").click();
  await admin.openConversation(id);
  await expect(admin.page.getByTestId("conversation-rating")).toContainText("Quick and kind");
  const bea = await consoleFor(browser, server, BEA);
  await bea.filter("ended").click();
  await expect(bea.count("ended")).toHaveText("0");
  await expect(bea.item(id)).toHaveCount(0);
});

test("the agent's online / away toggle reaches the visitor's widget header", async ({ page, browser, server }) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  await expect(ada.agentStatus).toHaveAttribute("data-state", "online");
  const visitor = await visitorSays(browser, server, "anyone around?");
  await expect(visitor.status).toHaveText(AGENTS_AROUND);

  await ada.agentStatus.click();
  await expect(ada.agentStatus).toHaveAttribute("data-state", "away");
  await expect(visitor.status).toHaveText(AGENTS_AWAY);

  await ada.agentStatus.click();
  await expect(ada.agentStatus).toHaveAttribute("data-state", "online");
  await expect(visitor.status).toHaveText(AGENTS_AROUND);
});

test("an agent idle for 5 minutes turns away by themself, and back online on the next input", async ({
  browser,
  server,
}) => {
  await addAgents(server);
  const context = await newContext(browser);
  await context.clock.install();
  const ada = new ConsolePage(await context.newPage(), server);
  await ada.loginOk(AGENT);
  const visitor = await visitorSays(browser, server, "are you idle?");
  await expect(visitor.status).toHaveText(AGENTS_AROUND);
  await expect(ada.agentStatus).toHaveAttribute("data-state", "online");

  await ada.page.clock.fastForward("05:30");
  await expect(ada.agentStatus).toHaveAttribute("data-state", "away");
  await expect(ada.agentStatus).toContainText("Away (idle)");
  await expect(visitor.status).toHaveText(AGENTS_AWAY);

  await ada.page.mouse.move(200, 200);
  await ada.page.mouse.move(240, 260);
  await expect(ada.agentStatus).toHaveAttribute("data-state", "online");
  await expect(visitor.status).toHaveText(AGENTS_AROUND);
});

test("an agent goes offline for visitors when their last console tab closes, not before", async ({
  browser,
  server,
}) => {
  await addAgents(server);
  const context = await newContext(browser);
  const first = new ConsolePage(await context.newPage(), server);
  await first.loginOk(AGENT);
  const second = new ConsolePage(await context.newPage(), server);
  await second.page.goto(server.url("/console/"));
  await expect(second.page.getByTestId("connection-status")).toHaveAttribute("data-state", "online");
  const visitor = await visitorSays(browser, server, "is the shop open?");
  await expect(visitor.status).toHaveText(AGENTS_AROUND);
  const adminToken = await loginToken(server.origin, ADMIN.email, ADMIN.password);
  const adaStatus = async () => {
    const res = await fetch(`${server.origin}/v1/agents`, { headers: { authorization: `Bearer ${adminToken}` } });
    const { agents } = await res.json();
    return agents.find((a: { email: string }) => a.email === AGENT.email).status;
  };

  const sockets = await openSockets(server);
  await first.page.close();
  await expect.poll(() => openSockets(server)).toBe(sockets - 1);
  expect(await adaStatus()).toBe("online");
  await expect(visitor.status).toHaveText(AGENTS_AROUND);

  await second.page.close();
  await expect(visitor.status).toHaveText(AGENTS_AWAY);
  expect(await adaStatus()).toBe("offline");
});

test("the visitor's details show their page (without its query) and browser, and online now until their tab closes", async ({
  page,
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  const visitor = await visitorSays(browser, server, "where am I?", "/?reset_token=s3cret#step-2");
  const id = await conversationIdOf(ada, "where am I?");
  await ada.openConversation(id);

  // The page without its query and fragment, where reset and login tokens live.
  const pageLink = ada.visitorField("page").getByRole("link");
  await expect(pageLink).toHaveText(server.url("/"));
  await expect(pageLink).toHaveAttribute("rel", "noopener noreferrer");
  await expect(ada.visitorField("browser")).toHaveText(/Chrome \d+ on Linux/);
  await expect(ada.visitorInfo).toContainText("Online now");

  await visitor.page.close();
  await expect(ada.visitorInfo).toContainText("Last seen just now");
  await expect(ada.visitorInfo).not.toContainText("Online now");
});

test("history longer than one page loads older messages on demand, and a reload keeps the conversation whole", async ({
  page,
  browser,
  server,
}) => {
  const refusals = rateLimitedWarnings(page);
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  const visitor = await ProtocolVisitor.connect(browser, server);
  const bodies = Array.from({ length: 60 }, (_, i) => `history ${String(i + 1).padStart(2, "0")}`);
  const id = await visitor.send(bodies);
  await expect(ada.item(id)).toContainText("history 60");
  await ada.openConversation(id);

  // The latest page of 50, oldest first; the rest on demand.
  await expect(ada.messages).toHaveCount(50);
  await expect(ada.messages.first()).toContainText("history 11");
  await expect(ada.messages.last()).toContainText("history 60");
  // Opened means read.
  await expect(ada.messages.last()).toHaveAttribute("data-state", "read");
  await ada.loadOlder.click();
  await expect(ada.messages).toHaveCount(60);
  await expect(ada.loadOlder).toHaveCount(0);
  const seqs = () => ada.messages.evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-seq"))));
  expect(await seqs()).toEqual(bodies.map((_, i) => i + 1));

  await ada.say("I have read all sixty");
  // Joined notice + reply.
  await expect(ada.messages).toHaveCount(62);

  await page.reload();
  await expect(page).toHaveURL(new RegExp(`#/c/${id}$`));
  await expect(ada.message("I have read all sixty")).toHaveCount(1);
  await expect(ada.messages).toHaveCount(50);
  await ada.loadOlder.click();
  await expect(ada.messages).toHaveCount(62);
  await expect(ada.loadOlder).toHaveCount(0);

  await visitor.send(["one more after the reload"]);
  await expect(ada.message("one more after the reload")).toHaveCount(1);
  await expect(ada.messages).toHaveCount(63);
  expect(await seqs()).toEqual(Array.from({ length: 63 }, (_, i) => i + 1));
  const texts = await ada.messages.allTextContents();
  for (const body of [...bodies, "I have read all sixty", "one more after the reload"]) {
    expect(texts.filter((t) => t.includes(body)), body).toHaveLength(1);
  }
  // Sixty messages reached the console while it listed the chat: its receipts for them
  // stayed within the socket's rate.
  expect(refusals).toEqual([]);
});

test("a burst of messages into an open conversation is answered with a few receipts, never over the socket's rate, and the chat stays live", async ({
  page,
  browser,
  server,
}) => {
  const refusals = rateLimitedWarnings(page);
  await addAgents(server);
  const ada = new ConsolePage(page, server);
  await ada.loginOk(AGENT);
  const visitor = await ProtocolVisitor.connect(browser, server);
  const id = await visitor.send(["before the burst"]);
  await ada.openConversation(id);
  await expect(ada.messages).toHaveCount(1);

  // More messages than the server lets one socket send frames in a burst (40), each
  // sent as soon as the previous one is acknowledged.
  const burst = Array.from({ length: 60 }, (_, i) => `burst ${String(i + 1).padStart(2, "0")}`);
  await visitor.send(burst);
  await expect(ada.messages).toHaveCount(61);
  await expect(ada.messages.last()).toContainText("burst 60");
  // The coalesced read receipt for the last one reached the server.
  await expect.poll(() => agentReadSeq(server, AGENT, id)).toBe(61);

  await ada.say("all sixty arrived");
  // Joined notice + reply, live.
  await expect(ada.messages).toHaveCount(63);
  await expect(ada.message("Ada joined the chat")).toHaveCount(1);
  expect(refusals).toEqual([]);
});

test("a subscribe the server refuses for the socket's rate is sent again, so the open conversation still streams live", async ({
  page,
  browser,
}) => {
  // A small burst, so that the frames spent below exhaust it deterministically.
  const server = await TidingsServer.start(["--rate-per-second", "5", "--rate-burst", "10"]);
  try {
    // Just before the console's first subscribe, spend the socket's whole burst (as a
    // flood of other frames would), so the server refuses that subscribe with
    // `rate_limited`, an error that names neither the frame nor the conversation.
    await page.addInitScript(() => {
      const send = WebSocket.prototype.send;
      let spent = false;
      WebSocket.prototype.send = function (data) {
        if (!spent && typeof data === "string" && data.startsWith('{"type":"subscribe"')) {
          spent = true;
          for (let i = 0; i < 12; i++) send.call(this, JSON.stringify({ type: "ping", nonce: 1_000_000 + i }));
        }
        return send.call(this, data);
      };
    });
    const refusals = rateLimitedWarnings(page);
    await addAgents(server);
    const ada = new ConsolePage(page, server);
    await ada.loginOk(AGENT);
    const visitor = await ProtocolVisitor.connect(browser, server);
    const id = await visitor.send(["are you there?"]);
    await ada.openConversation(id);
    await expect(ada.messages).toHaveCount(1);
    // The refusal happened: the subscribe really was caught in the burst.
    await expect.poll(() => refusals.length).toBeGreaterThan(0);

    // Only a live subscription brings these without a reload.
    await visitor.send(["still here"]);
    await expect(ada.message("still here")).toHaveCount(1);
    await ada.say("yes, sorry");
    await expect(ada.message("Ada joined the chat")).toHaveCount(1);
    await expect(ada.messages).toHaveCount(4);
    // Receipts refused in that burst went again: the server knows what Ada has read.
    await expect.poll(() => agentReadSeq(server, AGENT, id)).toBeGreaterThanOrEqual(2);
  } finally {
    await server.dispose();
  }
});
