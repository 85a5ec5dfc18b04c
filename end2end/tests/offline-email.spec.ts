// Nobody online: the visitor leaves an email in the widget (offline-email), leaves, and the
// agent's later reply reaches them by email through a real SMTP server (a sink on 127.0.0.1)
// with a link back to the page they chatted on. Without SMTP on the server the field is not
// offered. A site can require the email (`data-offline-email="required"`): no message goes
// out before it. An ended chat offers its transcript by email. The form and the button come
// from the widget's extras module.
import { ConsolePage } from "../support/console-page";
import { AGENT, expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { HostSite } from "../support/host-server";
import { TidingsServer } from "../support/server";
import { SmtpSink } from "../support/smtp-sink";

const AWAY = "We're away — leave a message";
const VERA = "vera@example.test";

test("without SMTP on the server, no email is asked for, and the extras module is not downloaded", async ({
  page,
  server,
}) => {
  const extras: string[] = [];
  page.on("request", (r) => r.url().includes("/chat/extras/") && extras.push(r.url()));
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();
  await expect(host.status).toHaveText(AWAY);
  await host.send("nobody here, and no email either");
  await expect(host.widget.getByTestId("offline-email")).toHaveCount(0);
  expect(extras).toEqual([]);
});

test("an email left while nobody is online receives the agent's reply after the visitor left", async ({
  browser,
}) => {
  const sink = await SmtpSink.start();
  const server = await TidingsServer.start([
    "--smtp-url",
    sink.url,
    "--smtp-from",
    "Support <support@example.test>",
    "--email-offline-after-secs",
    "0",
  ]);
  try {
    const visitorContext = await browser.newContext();
    const host = new HostPage(await visitorContext.newPage());
    await host.goto(server.url("/"));
    await host.open();
    await host.waitOnline();
    await expect(host.status).toHaveText(AWAY);
    const field = host.widget.getByTestId("offline-email");
    await expect(field).toBeVisible();
    await field.fill(VERA);
    await host.widget.getByTestId("offline-email-submit").click();
    await expect(host.widget.getByText(`We'll email ${VERA} when we reply.`)).toBeVisible();
    await host.send("where is my parcel?");
    await visitorContext.close();

    await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
    const agentContext = await browser.newContext();
    const ada = new ConsolePage(await agentContext.newPage(), server);
    await ada.loginOk(AGENT);
    await ada.openConversationWith("where is my parcel?");
    await ada.say("It ships tomorrow");

    await expect.poll(() => sink.to(VERA).length, { timeout: 20_000 }).toBe(1);
    const [email] = sink.to(VERA);
    expect(email.subject).toBe("New reply from Ada");
    expect(email.body).toContain("It ships tomorrow");
    expect(email.body).toContain(`Continue the conversation: ${server.url("/")}`);
    await agentContext.close();
  } finally {
    await server.dispose();
    await sink.stop();
  }
});

/** A server that sends email through a fresh sink; `body` runs with both, then both stop. */
async function withEmail(body: (server: TidingsServer, sink: SmtpSink) => Promise<void>): Promise<void> {
  const sink = await SmtpSink.start();
  const server = await TidingsServer.start(["--smtp-url", sink.url, "--smtp-from", "Support <support@example.test>"]);
  try {
    await body(server, sink);
  } finally {
    await server.dispose();
    await sink.stop();
  }
}

test("a site that requires the email: no message goes out before it is saved", async ({ page }) => {
  await withEmail(async (server) => {
    const site = await HostSite.start(server.origin, "localhost");
    try {
      const host = new HostPage(page);
      await host.goto(site.page("/shop", { settings: { "offline-email": "required" } }));
      await host.open();
      await host.waitOnline();
      const field = host.widget.getByTestId("offline-email");
      await expect(field).toBeVisible();
      await expect(host.widget.getByText("Please leave your email first")).toBeVisible();

      // Enter in the composer and the send button both stop at the email field.
      await host.input.fill("is anyone there?");
      await host.input.press("Enter");
      await expect(field).toBeFocused();
      await host.sendButton.click();
      await expect(field).toBeFocused();
      await expect(host.messages).toHaveCount(0);
      await expect(host.input).toHaveValue("is anyone there?");

      await field.fill(VERA);
      await host.widget.getByTestId("offline-email-submit").click();
      await expect(host.widget.getByText(`We'll email ${VERA} when we reply.`)).toBeVisible();
      await host.input.press("Enter");
      await expect(host.message("is anyone there?")).toHaveCount(1);
    } finally {
      await site.stop();
    }
  });
});

test("a required email stops being asked for, and sending works, once an agent is online", async ({ page, browser }) => {
  await withEmail(async (server) => {
    const site = await HostSite.start(server.origin, "localhost");
    try {
      const host = new HostPage(page);
      await host.goto(site.page("/shop", { settings: { "offline-email": "required" } }));
      await host.open();
      await host.waitOnline();
      const field = host.widget.getByTestId("offline-email");
      await expect(field).toBeVisible();

      await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
      const agentContext = await browser.newContext();
      const ada = new ConsolePage(await agentContext.newPage(), server);
      await ada.loginOk(AGENT);
      await expect(field).toHaveCount(0);
      await host.input.fill("now someone is here");
      await host.input.press("Enter");
      await expect(host.message("now someone is here")).toHaveCount(1);
      await agentContext.close();
    } finally {
      await site.stop();
    }
  });
});

test("an ended chat offers the transcript by email, asking for the address when none is known", async ({
  page,
  browser,
}) => {
  await withEmail(async (server, sink) => {
    const host = new HostPage(page);
    await host.goto(server.url("/"));
    await host.open();
    await host.waitOnline();
    await host.send("please send me this chat");

    await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
    const agentContext = await browser.newContext();
    const ada = new ConsolePage(await agentContext.newPage(), server);
    await ada.loginOk(AGENT);
    await ada.openConversationWith("please send me this chat");
    await ada.say("Here is your answer");
    await ada.close();

    const button = host.widget.getByTestId("transcript-button");
    await expect(button).toBeVisible();
    const address = host.widget.getByTestId("transcript-email");
    await expect(address).toBeHidden();
    await button.click();
    await expect(address).toBeVisible();
    await address.fill(VERA);
    await button.click();
    await expect(host.widget.getByTestId("transcript-sent")).toHaveText(`The transcript is on its way to ${VERA}.`);

    await expect.poll(() => sink.to(VERA).length, { timeout: 20_000 }).toBe(1);
    const [email] = sink.to(VERA);
    expect(email.subject).toBe("Your chat transcript");
    expect(email.body).toContain("please send me this chat");
    expect(email.body).toContain("Here is your answer");
    await agentContext.close();
  });
});

test("without SMTP on the server, an ended chat offers no transcript", async ({ page, server, agentConsole }) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("no email here");
  await agentConsole.openConversationWith("no email here");
  await agentConsole.close();
  await expect(host.widget.getByTestId("rating-prompt")).toBeVisible();
  await expect(host.widget.getByTestId("transcript-button")).toHaveCount(0);
});
