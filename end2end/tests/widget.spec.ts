// The visitor widget in real Chromium, against a real server, with the agent answering from
// the real console in a browser context of her own.
import { history } from "../support/api";
import { expect, Site, SITES, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { SENT } from "../support/people";
import { SocketGate } from "../support/socket-gate";

// The core scenarios run twice: with the widget on the server's own demo page, and on a
// shop on another site, where the browser gives the app's iframe no storage and no Web
// Locks of its own (the loader lends it the host page's).

/** Opens the panel; on the other site, shows first that the app really has no storage of
 * its own in this run, so the run cannot pass by accident if the browser's default changes. */
async function openOn(host: HostPage, site: Site): Promise<void> {
  await host.open();
  if (site === "cross-site") {
    expect(await host.ownStorage()).toEqual({ storage: "SecurityError", locks: "SecurityError", access: false });
  }
}

for (const site of SITES) {
  test(`first message shows pending, then sent; the agent's reply arrives live with the joined notice [${site}]`, async ({
    shop,
    page,
    context,
    server,
    agentConsole,
  }) => {
    const gate = await SocketGate.install(context);
    const host = new HostPage(page);
    await host.goto(await shop(site));
    await openOn(host, site);
    await host.waitOnline();

    gate.close();
    const bubble = await host.send("Hello, is anyone there?");
    await expect(bubble).toHaveAttribute("data-state", "pending");
    gate.release();
    await expect(bubble).toHaveAttribute("data-state", SENT);
    await expect(host.status).toHaveAttribute("data-state", "waiting");

    await agentConsole.openConversationWith("Hello, is anyone there?");
    await expect(agentConsole.message("Hello, is anyone there?")).toHaveAttribute("data-sender", "visitor");
    await agentConsole.say("Hi! Ada here, how can I help?");

    await expect(host.message("Hi! Ada here, how can I help?")).toHaveAttribute("data-sender", "agent");
    await expect(host.status).toHaveAttribute("data-state", "active");
    const joined = host.messages.filter({ hasText: "Ada joined the chat" });
    await expect(joined).toHaveAttribute("data-sender", "system");
    // Kept on this device (its own storage or the host page's), so no "memory only" line.
    await expect(host.storageNotice).toHaveCount(0);
  });

  test(`offline: messages stay pending in storage across a closed page and arrive once, in order [${site}]`, async ({
    shop,
    page,
    context,
    server,
    agentConsole,
    adminToken,
  }) => {
    let host = new HostPage(page);
    await host.goto(await shop(site));
    await openOn(host, site);
    await host.waitOnline();

    await context.setOffline(true);
    await expect(host.connection).toHaveAttribute("data-state", "offline");
    const bodies = ["offline one", "offline two", "offline three"];
    for (const body of bodies) {
      await expect(await host.send(body)).toHaveAttribute("data-state", "pending");
    }
    // Kept before anything else; where the host page keeps it, one postMessage later.
    const kept = async () => {
      const stored = await host.outbox();
      return bodies.map((body) => stored.filter((s) => s.includes(body)).length);
    };
    await expect.poll(kept).toEqual([1, 1, 1]);
    await page.close();

    await context.setOffline(false);
    host = new HostPage(await context.newPage());
    await host.goto(await shop(site));
    await openOn(host, site);
    const conversation = await agentConsole.openConversationWith("offline");
    for (const body of bodies) {
      await expect(agentConsole.message(body)).toHaveCount(1);
      await expect(host.message(body)).toHaveAttribute("data-state", SENT);
    }
    await expect(agentConsole.messages).toHaveText(bodies.map((b) => new RegExp(b)));

    const saved = await history(server.origin, adminToken, conversation);
    expect(saved.map((m) => m.body)).toEqual(bodies);
    await expect.poll(() => host.outbox()).toEqual([]);
  });

  test(`server killed and restarted: pending and agent messages all arrive once, with no gap [${site}]`, async ({
    shop,
    page,
    server,
    agentConsole,
    adminToken,
  }) => {
    const host = new HostPage(page);
    await host.goto(await shop(site));
    await openOn(host, site);
    await host.waitOnline();
    await expect(await host.send("before the crash")).toHaveAttribute("data-state", SENT);
    const conversation = await agentConsole.openConversationWith("before the crash");
    await agentConsole.say("agent before the crash");
    await expect(host.message("agent before the crash")).toBeVisible();

    // Down for as long as the test needs: both sides write while there is no server.
    await server.stop("SIGKILL");
    await expect(host.connection).not.toHaveAttribute("data-state", "online");
    await expect(await host.send("during the outage 1")).toHaveAttribute("data-state", "pending");
    await host.send("during the outage 2");
    await expect(await agentConsole.send("agent after the restart")).toHaveAttribute("data-state", "pending");
    await server.startAgain();

    await host.waitOnline();
    for (const body of ["during the outage 1", "during the outage 2"]) {
      await expect(host.message(body)).toHaveAttribute("data-state", SENT);
      await expect(agentConsole.message(body)).toHaveCount(1);
    }
    await expect(host.message("agent after the restart")).toHaveCount(1);
    await expect(host.message("agent before the crash")).toHaveCount(1);
    await expect(agentConsole.message("agent after the restart")).toHaveAttribute("data-state", SENT);

    const stored = await history(server.origin, adminToken, conversation);
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    const bodies = stored.map((m) => m.body);
    for (const body of ["before the crash", "during the outage 1", "during the outage 2", "agent after the restart"]) {
      expect(bodies.filter((b) => b === body)).toHaveLength(1);
    }
    expect(bodies.indexOf("during the outage 1")).toBeLessThan(bodies.indexOf("during the outage 2"));
  });

  test(`two tabs stay in sync, store each message once, and only one plays the sound [${site}]`, async ({
    shop,
    context,
    server,
    agentConsole,
    adminToken,
  }) => {
    await context.addInitScript(() => {
      const w = window as any;
      w.__tidingsSounds = 0;
      const play = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
        w.__tidingsSounds += 1;
        return play.call(this).catch(() => undefined);
      };
    });
    const first = new HostPage(await context.newPage());
    await first.goto(await shop(site));
    await openOn(first, site);
    await first.send("from the first tab");
    const conversation = await agentConsole.openConversationWith("from the first tab");

    const second = new HostPage(await context.newPage());
    await second.goto(await shop(site));
    await openOn(second, site);
    await expect(second.message("from the first tab")).toHaveCount(1);

    await second.send("from the second tab");
    await expect(first.message("from the second tab")).toHaveCount(1);
    await expect(agentConsole.message("from the second tab")).toHaveCount(1);

    await agentConsole.say("to both tabs");
    await expect(first.message("to both tabs")).toHaveCount(1);
    await expect(second.message("to both tabs")).toHaveCount(1);

    const sounds = async () => {
      let total = 0;
      for (const page of context.pages()) {
        for (const frame of page.frames()) {
          total += await frame.evaluate(() => (window as any).__tidingsSounds ?? 0).catch(() => 0);
        }
      }
      return total;
    };
    await expect.poll(sounds).toBe(1);

    const stored = await history(server.origin, adminToken, conversation);
    expect(stored.filter((m) => m.body === "from the second tab")).toHaveLength(1);
    expect(stored.filter((m) => m.body === "from the first tab")).toHaveLength(1);
  });

  test(`unread: badge and title count while closed, kept across a reload, cleared on open [${site}]`, async ({
    shop,
    page,
    server,
    agentConsole,
  }) => {
    const host = new HostPage(page);
    await host.goto(await shop(site));
    await openOn(host, site);
    await host.send("question");
    await agentConsole.openConversationWith("question");
    await host.close();

    await agentConsole.say("answer one");
    await agentConsole.say("answer two");
    await expect(host.unread).toHaveText("2");
    await expect(page).toHaveTitle(/\(2\)/);

    await page.reload();
    await expect(host.unread).toHaveText("2");
    await expect(page).toHaveTitle(/\(2\)/);

    await openOn(host, site);
    await expect(host.message("answer two")).toBeVisible();
    await expect(host.unread).toBeHidden();
    await expect(page).not.toHaveTitle(/\(\d+\)/);
    await expect(agentConsole.message("answer two")).toHaveAttribute("data-state", "read");
  });

  test(`ended conversation: rating prompt, rating stored, a new conversation starts [${site}]`, async ({
    shop,
    page,
    server,
    agentConsole,
    adminToken,
  }) => {
    const host = new HostPage(page);
    await host.goto(await shop(site));
    await openOn(host, site);
    await host.send("please help");
    const conversation = await agentConsole.openConversationWith("please help");
    await agentConsole.say("done, anything else?");
    await agentConsole.close();

    await expect(host.status).toHaveAttribute("data-state", "ended");
    await expect(host.widget.getByTestId("rating-prompt")).toBeVisible();
    await host.widget.getByTestId("rating-star-4").click();
    await host.widget.getByTestId("rating-feedback").fill("Quick, thanks");
    await host.widget.getByTestId("rating-submit").click();
    await expect(agentConsole.page.getByTestId("conversation-rating")).toContainText("Quick, thanks");
    const stored = await (
      await fetch(server.url(`/v1/conversations/${conversation}`), {
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).json();
    expect(stored.rating).toBe(4);
    expect(stored.feedback).toBe("Quick, thanks");

    await host.widget.getByTestId("new-conversation").click();
    await expect(host.messages).toHaveCount(0);
    await host.send("a new question");
    await agentConsole.filter("waiting").click();
    const next = await agentConsole.openConversationWith("a new question");
    expect(next).not.toBe(conversation);
    await expect(host.status).toHaveAttribute("data-state", "waiting");
  });
}

test("hostile markup and javascript: links render as inert text on both sides", async ({
  page,
  server,
  agentConsole,
}) => {
  let dialogs = 0;
  for (const p of [page, agentConsole.page]) {
    p.on("dialog", (d) => {
      dialogs += 1;
      void d.dismiss();
    });
  }
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("<img src=x onerror=alert(1)>");
  await agentConsole.openConversationWith("<img src=x onerror=alert(1)>");
  await agentConsole.say("<img src=x onerror=alert(2)> see javascript:alert(3) or https://example.com/help");

  for (const side of [host.message("<img src=x onerror=alert(1)>"), agentConsole.message("<img src=x onerror=alert(1)>")]) {
    await expect(side).toContainText("<img src=x onerror=alert(1)>");
    await expect(side.locator("img")).toHaveCount(0);
  }
  const reply = host.message("javascript:alert(3)");
  await expect(reply).toContainText("<img src=x onerror=alert(2)>");
  await expect(reply.locator("img")).toHaveCount(0);
  await expect(reply.locator('a[href^="javascript"]')).toHaveCount(0);
  const link = reply.locator('a[href="https://example.com/help"]');
  await expect(link).toHaveAttribute("rel", /noopener/);
  await expect(link).toHaveAttribute("rel", /noreferrer/);
  await expect(link).toHaveAttribute("target", "_blank");
  expect(dialogs).toBe(0);
});
