// One socket per browser: of a visitor's tabs, one (elected with a lock) holds the widget's
// socket and the others relay through it (BroadcastChannel). Three tabs, on the server's own
// page and on a shop on another site (where the lock is the host page's, lent by the loader).
import { BrowserContext } from "@playwright/test";
import { history } from "../support/api";
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
