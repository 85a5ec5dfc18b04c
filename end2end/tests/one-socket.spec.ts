// One socket per browser: of a visitor's tabs, one (elected with a lock) holds the widget's
// socket and the others relay through it (BroadcastChannel). Three tabs, on the server's own
// page and on a shop on another site (where the lock is the host page's, lent by the loader).
import { BrowserContext, WebSocketRoute } from "@playwright/test";
import { history } from "../support/api";
import { ConsolePage } from "../support/console-page";
import { expect, Site, SITES, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { SENT } from "../support/people";
import { TidingsServer } from "../support/server";
import { serverSockets, VisitorTabs } from "../support/visitor-tabs";

async function openOn(tab: HostPage, site: Site): Promise<void> {
  await tab.open();
  if (site === "cross-site") {
    expect(await tab.ownStorage()).toEqual({ storage: "SecurityError", locks: "SecurityError", access: false });
  }
}

/** Each of `bodies` shows once in `tab`, in this order. */
async function showsOnceInOrder(tab: HostPage, bodies: string[]): Promise<void> {
  for (const body of bodies) await expect(tab.message(body)).toHaveCount(1);
  const texts = await tab.messages.allTextContents();
  const at = bodies.map((b) => texts.findIndex((t) => t.includes(b)));
  expect(at).toEqual([...at].sort((a, b) => a - b));
}

/** `count` tabs of the shop on `site`, each with its panel open, with the server's socket
 * count from before them (the console's) and the tab that leads. */
async function openTabs(
  { shop, context, server }: { shop: (site: Site) => Promise<string>; context: BrowserContext; server: TidingsServer },
  site: Site,
  count: number,
): Promise<{ tabs: VisitorTabs; consoleSockets: number; leader: HostPage }> {
  const consoleSockets = await serverSockets(server);
  const tabs = new VisitorTabs(context);
  await tabs.open(await shop(site), count, (tab) => openOn(tab, site));
  return { tabs, consoleSockets, leader: await tabs.leader() };
}

/** A leader tab whose widget socket runs through `route`, in a conversation (a question and an
 * answer); `arm` readies the route, a second tab opens, and once `done` the agent writes again.
 * Both tabs must then show the three messages once, in order. */
async function secondTabThroughRoute(
  { shop, context, agentConsole }: { shop: (site: Site) => Promise<string>; context: BrowserContext; agentConsole: ConsolePage },
  site: Site,
  route: (ws: WebSocketRoute) => void,
  { arm, done }: { arm: () => void; done: () => boolean },
): Promise<void> {
  const url = await shop(site);
  const page = await context.newPage();
  await page.routeWebSocket(/\/v1\/socket/, route);
  const leader = new HostPage(page);
  await leader.goto(url);
  await openOn(leader, site);
  const bodies = ["a question from the first tab", "an answer in the first tab", "after the second tab opened"];
  await expect(await leader.send(bodies[0])).toHaveAttribute("data-state", SENT);
  await agentConsole.openConversationWith(bodies[0]);
  await agentConsole.say(bodies[1]);

  arm();
  const second = new HostPage(await context.newPage());
  await second.goto(url);
  await openOn(second, site);
  await expect.poll(done).toBe(true);
  await agentConsole.say(bodies[2]);
  for (const tab of [second, leader]) {
    await tab.waitOnline();
    await showsOnceInOrder(tab, bodies);
  }
}

for (const site of SITES) {
  test(`three tabs share one socket, every tab stays live, a follower's message arrives once [${site}]`, async ({
    shop,
    context,
    server,
    agentConsole,
    adminToken,
  }) => {
    const { tabs, consoleSockets, leader } = await openTabs({ shop, context, server }, site, 3);
    for (const tab of tabs.tabs) await tab.waitOnline();
    await expect.poll(() => serverSockets(server)).toBe(consoleSockets + 1);
    const [follower, other] = tabs.followers(leader);

    await expect(await follower.send("from a follower")).toHaveAttribute("data-state", SENT);
    const conversation = await agentConsole.openConversationWith("from a follower");
    await agentConsole.say("to all three tabs");
    await expect(await other.send("from the other follower")).toHaveAttribute("data-state", SENT);
    await expect(await leader.send("from the leader")).toHaveAttribute("data-state", SENT);
    const bodies = ["from a follower", "to all three tabs", "from the other follower", "from the leader"];
    for (const tab of tabs.tabs) await showsOnceInOrder(tab, bodies);
    for (const body of bodies) await expect(agentConsole.message(body)).toHaveCount(1);

    const stored = (await history(server.origin, adminToken, conversation)).map((m) => m.body);
    for (const body of bodies) expect(stored.filter((b) => b === body)).toHaveLength(1);
    expect(tabs.socketsPerTab().reduce((a, b) => a + b, 0)).toBe(1);
    expect(await serverSockets(server)).toBe(consoleSockets + 1);
  });

  test(`closing the leader's tab loses nothing: another tab takes over and resumes with no gap or duplicate [${site}]`, async ({
    shop,
    context,
    server,
    agentConsole,
    adminToken,
  }) => {
    const { tabs, consoleSockets, leader } = await openTabs({ shop, context, server }, site, 3);
    await expect(await tabs.followers(leader)[0].send("before the leader leaves")).toHaveAttribute("data-state", SENT);
    const conversation = await agentConsole.openConversationWith("before the leader leaves");

    // Sent by the agent as the leader's tab closes: it reaches the others through the next leader.
    await agentConsole.say("while the leader closes");
    await leader.page.close();
    await agentConsole.say("after the leader closed");
    const [first, second] = tabs.live;
    await expect(await first.send("from a tab after the takeover")).toHaveAttribute("data-state", SENT);
    await agentConsole.say("and one more");

    const bodies = [
      "before the leader leaves",
      "while the leader closes",
      "after the leader closed",
      "from a tab after the takeover",
      "and one more",
    ];
    for (const tab of [first, second]) await showsOnceInOrder(tab, bodies);
    await expect.poll(() => serverSockets(server)).toBe(consoleSockets + 1);
    await tabs.leader();
    const stored = (await history(server.origin, adminToken, conversation)).map((m) => m.body);
    expect(stored.filter((b) => bodies.includes(b))).toEqual(bodies);
  });

  test(`a frozen leader gives the socket up and another tab takes over within a second [${site}]`, async ({
    shop,
    context,
    server,
    agentConsole,
  }) => {
    const { tabs, consoleSockets, leader } = await openTabs({ shop, context, server }, site, 3);
    await expect(await leader.send("before the freeze")).toHaveAttribute("data-state", SENT);
    await agentConsole.openConversationWith("before the freeze");

    // Chrome's Page Lifecycle freeze, as a background tab gets it (see `lifecycle`).
    await tabs.lifecycle(leader, "freeze");
    const others = () => tabs.followers(leader).map((t) => tabs.socketsPerTab()[tabs.tabs.indexOf(t)]);
    await expect.poll(() => others().reduce((a, b) => a + b, 0), { timeout: 1_000 }).toBe(1);
    await agentConsole.say("while the leader is frozen");
    for (const tab of tabs.followers(leader)) {
      await tab.waitOnline();
      await showsOnceInOrder(tab, ["before the freeze", "while the leader is frozen"]);
    }
    await expect.poll(() => serverSockets(server)).toBe(consoleSockets + 1);

    // Back again, it follows the new leader and catches up from its own last seq.
    await tabs.lifecycle(leader, "resume");
    await agentConsole.say("after the thaw");
    for (const tab of tabs.tabs) {
      await tab.waitOnline();
      await showsOnceInOrder(tab, ["before the freeze", "while the leader is frozen", "after the thaw"]);
    }
    expect(tabs.socketsPerTab().reduce((a, b) => a + b, 0)).toBe(1);
    await expect.poll(() => serverSockets(server)).toBe(consoleSockets + 1);
  });

  // The server may refuse a subscribe for a passing reason (`overloaded` when the conversation
  // kept changing during the check, `internal` when the database did not answer). On the shared
  // socket the refused one is another tab's: the leader sends it again, and that tab gets its
  // replay. Here the route answers the second tab's first subscribe as the server would have.
  test(`a tab's subscribe the server refused for a passing reason is sent again through the leader [${site}]`, async ({
    shop,
    context,
    agentConsole,
  }) => {
    let refusing = false;
    let refused = 0;
    const route = (ws: WebSocketRoute) => {
      const server = ws.connectToServer();
      ws.onMessage((text) => {
        const frame = JSON.parse(String(text));
        if (refusing && frame.type === "subscribe") {
          refusing = false;
          refused += 1;
          const message = "the conversation keeps changing; subscribe again";
          ws.send(JSON.stringify({ type: "error", code: "overloaded", message, conversation_id: frame.conversation_id }));
          return;
        }
        server.send(text);
      });
    };
    await secondTabThroughRoute({ shop, context, agentConsole }, site, route, {
      arm: () => (refusing = true),
      done: () => refused === 1,
    });
  });

  // The shared socket carries every tab's replays to every tab. A tab whose own subscribe was
  // lost with a connection must not take the end of the leader's replay (which starts at the
  // leader's last seq) for its own: on the next connection it still asks from its own point.
  // The route drops the second tab's subscribes on two connections in a row and closes each
  // once it has dropped one (the second also once the leader's replay has ended).
  test(`a tab whose subscribe was lost twice still gets every message: another tab's replay is not its own [${site}]`, async ({
    shop,
    context,
    agentConsole,
  }) => {
    let dropping = 0;
    const route = (ws: WebSocketRoute) => {
      const server = ws.connectToServer();
      const needsReplay = dropping === 1;
      let dropped = false;
      let leadersReplayEnded = false;
      let closed = false;
      const closeOnceBoth = () => {
        if (!closed && dropped && (leadersReplayEnded || !needsReplay)) {
          closed = true;
          void ws.close();
          void server.close();
        }
      };
      server.onMessage((text) => {
        ws.send(text);
        if (JSON.parse(String(text)).type === "synced") {
          leadersReplayEnded = true;
          closeOnceBoth();
        }
      });
      ws.onMessage((text) => {
        const frame = JSON.parse(String(text));
        if (dropping > 0 && frame.type === "subscribe" && frame.after_seq === 0) {
          dropping -= 1;
          dropped = true;
          closeOnceBoth();
          return;
        }
        server.send(text);
      });
    };
    await secondTabThroughRoute({ shop, context, agentConsole }, site, route, {
      arm: () => (dropping = 2),
      done: () => dropping === 0,
    });
  });

  // Another tab's `Tidings('shutdown')` reloads the frame. Cross-site, the locks are the host
  // page's, held by the loader for the document before: a new document must get them back.
  test(`a leader whose frame reloads lets the lock go: a tab leads again and every tab stays live [${site}]`, async ({
    shop,
    context,
    server,
    agentConsole,
  }) => {
    const { tabs, consoleSockets, leader } = await openTabs({ shop, context, server }, site, 2);
    await expect(await leader.send("before the reload")).toHaveAttribute("data-state", SENT);
    await agentConsole.openConversationWith("before the reload");

    const reloaded = leader.page.waitForEvent("framenavigated", (f) => f === leader.appFrame());
    await leader.appFrame()!.evaluate(() => location.reload());
    await reloaded;
    await agentConsole.say("after the reload");
    for (const tab of tabs.tabs) {
      await tab.waitOnline();
      await showsOnceInOrder(tab, ["before the reload", "after the reload"]);
    }
    // Counted by the server: the browser may report no `close` for the socket of the
    // document that went away.
    await expect.poll(() => serverSockets(server)).toBe(consoleSockets + 1);
  });
}
