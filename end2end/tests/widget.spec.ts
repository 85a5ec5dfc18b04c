// The visitor widget in real Chromium, against a real server; the agent side speaks the wire
// protocol (tests/console.spec.ts runs the agent side through the console).
import { history, ProtocolClient } from "../support/protocol-client";
import { AGENT, expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { SocketGate } from "../support/socket-gate";

test("first message shows pending, then sent; the agent's reply arrives live with the joined notice", async ({
  page,
  context,
  server,
  agent,
}) => {
  const gate = await SocketGate.install(context);
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();

  gate.close();
  const bubble = await host.send("Hello, is anyone there?");
  await expect(bubble).toHaveAttribute("data-state", "pending");
  gate.release();
  await expect(bubble).toHaveAttribute("data-state", /sent|delivered|read/);
  await expect(host.status).toHaveAttribute("data-state", "waiting");

  const conversation = await agent.joinNewConversation();
  expect((await agent.received("Hello, is anyone there?")).sender).toBe("visitor");
  expect(await agent.say(conversation, "Hi! Ada here, how can I help?")).toMatchObject({ type: "ack" });

  await expect(host.message("Hi! Ada here, how can I help?")).toHaveAttribute("data-sender", "agent");
  await expect(host.status).toHaveAttribute("data-state", "active");
  const joined = host.messages.filter({ hasText: "Ada joined the chat" });
  await expect(joined).toHaveAttribute("data-sender", "system");
});

test("offline: messages stay pending in localStorage across a closed page and arrive once, in order", async ({
  page,
  context,
  server,
  agent,
}) => {
  let host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();

  await context.setOffline(true);
  await expect(host.connection).toHaveAttribute("data-state", "offline");
  const bodies = ["offline one", "offline two", "offline three"];
  for (const body of bodies) {
    await expect(await host.send(body)).toHaveAttribute("data-state", "pending");
  }
  const stored = await host.outbox();
  for (const body of bodies) expect(stored.filter((s) => s.includes(body))).toHaveLength(1);
  await page.close();

  await context.setOffline(false);
  host = new HostPage(await context.newPage());
  await host.goto(server.url("/"));
  await host.open();
  const conversation = await agent.joinNewConversation();
  for (const body of bodies) await agent.received(body);
  for (const body of bodies) {
    await expect(host.message(body)).toHaveAttribute("data-state", /sent|delivered|read/);
  }

  const stored_ = await history(server.origin, agent.token, conversation);
  expect(stored_.map((m) => m.body)).toEqual(bodies);
  for (const body of bodies) expect(agent.countFrames(body)).toBe(1);
  await expect.poll(() => host.outbox()).toEqual([]);
});

test("server killed and restarted: pending and agent messages all arrive once, with no gap", async ({
  page,
  server,
  agent,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();
  await expect(await host.send("before the crash")).toHaveAttribute("data-state", /sent|delivered|read/);
  const conversation = await agent.joinNewConversation();
  await agent.say(conversation, "agent before the crash");
  await expect(host.message("agent before the crash")).toBeVisible();

  await server.restart("SIGKILL");
  await expect(host.connection).not.toHaveAttribute("data-state", "online");
  await expect(await host.send("during the outage 1")).toHaveAttribute("data-state", "pending");
  await host.send("during the outage 2");

  const again = await ProtocolClient.loginAgent(server.origin, AGENT.email, AGENT.password);
  again.subscribe(conversation, 0);
  await again.say(conversation, "agent after the restart");

  await host.waitOnline();
  for (const body of ["during the outage 1", "during the outage 2"]) {
    await again.received(body);
    await expect(host.message(body)).toHaveAttribute("data-state", /sent|delivered|read/);
  }
  await expect(host.message("agent after the restart")).toHaveCount(1);
  await expect(host.message("agent before the crash")).toHaveCount(1);

  const stored = await history(server.origin, agent.token, conversation);
  expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
  const bodies = stored.map((m) => m.body);
  for (const body of ["before the crash", "during the outage 1", "during the outage 2", "agent after the restart"]) {
    expect(bodies.filter((b) => b === body)).toHaveLength(1);
  }
  expect(bodies.indexOf("during the outage 1")).toBeLessThan(bodies.indexOf("during the outage 2"));
  again.close();
});

test("two tabs stay in sync, store each message once, and only one plays the sound", async ({
  context,
  server,
  agent,
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
  await first.goto(server.url("/"));
  await first.open();
  await first.send("from the first tab");
  const conversation = await agent.joinNewConversation();

  const second = new HostPage(await context.newPage());
  await second.goto(server.url("/"));
  await second.open();
  await expect(second.message("from the first tab")).toHaveCount(1);

  await second.send("from the second tab");
  await expect(first.message("from the second tab")).toHaveCount(1);

  await agent.say(conversation, "to both tabs");
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

  const stored = await history(server.origin, agent.token, conversation);
  expect(stored.filter((m) => m.body === "from the second tab")).toHaveLength(1);
  expect(stored.filter((m) => m.body === "from the first tab")).toHaveLength(1);
});

test("unread: badge and title count while closed, kept across a reload, cleared on open", async ({
  page,
  server,
  agent,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("question");
  const conversation = await agent.joinNewConversation();
  await host.close();

  await agent.say(conversation, "answer one");
  await agent.say(conversation, "answer two");
  await expect(host.unread).toHaveText("2");
  await expect(page).toHaveTitle(/\(2\)/);

  await page.reload();
  await expect(host.unread).toHaveText("2");
  await expect(page).toHaveTitle(/\(2\)/);

  await host.open();
  await expect(host.message("answer two")).toBeVisible();
  await expect(host.unread).toBeHidden();
  await expect(page).not.toHaveTitle(/\(\d+\)/);
});

test("ended conversation: rating prompt, rating stored, a new conversation starts", async ({
  page,
  server,
  agent,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("please help");
  const conversation = await agent.joinNewConversation();
  await agent.say(conversation, "done, anything else?");
  const res = await fetch(server.url(`/v1/conversations/${conversation}/close`), {
    method: "POST",
    headers: { authorization: `Bearer ${agent.token}` },
  });
  expect(res.status).toBe(200);

  await expect(host.status).toHaveAttribute("data-state", "ended");
  const prompt = host.widget.getByTestId("rating-prompt");
  await expect(prompt).toBeVisible();
  await host.widget.getByTestId("rating-star-4").click();
  await host.widget.getByTestId("rating-feedback").fill("Quick, thanks");
  await host.widget.getByTestId("rating-submit").click();
  await agent.waitFor((f) => f.type === "conversation" && f.event === "rated");
  const stored = await (
    await fetch(server.url(`/v1/conversations/${conversation}`), {
      headers: { authorization: `Bearer ${agent.token}` },
    })
  ).json();
  expect(stored.rating).toBe(4);
  expect(stored.feedback).toBe("Quick, thanks");

  const from = agent.frames.length;
  await host.widget.getByTestId("new-conversation").click();
  await expect(host.widget.getByTestId("message")).toHaveCount(0);
  await host.send("a new question");
  const next = await agent.joinNewConversation(from);
  expect(next).not.toBe(conversation);
  await expect(host.status).toHaveAttribute("data-state", "waiting");
});

test("hostile markup and javascript: links render as inert text", async ({ page, server, agent }) => {
  let dialogs = 0;
  page.on("dialog", (d) => {
    dialogs += 1;
    void d.dismiss();
  });
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("<img src=x onerror=alert(1)>");
  const conversation = await agent.joinNewConversation();
  await agent.say(conversation, "<img src=x onerror=alert(2)> see javascript:alert(3) or https://example.com/help");

  const visitor = host.message("<img src=x onerror=alert(1)>");
  await expect(visitor).toContainText("<img src=x onerror=alert(1)>");
  await expect(visitor.locator("img")).toHaveCount(0);
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
