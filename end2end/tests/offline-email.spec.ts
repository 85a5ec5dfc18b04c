// Nobody online: the visitor leaves an email in the widget (offline-email), leaves, and the
// agent's later reply reaches them by email through a real SMTP server (a sink on 127.0.0.1)
// with a link back to the page they chatted on. Without SMTP on the server the field is not
// offered.
import { ConsolePage } from "../support/console-page";
import { AGENT, expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { TidingsServer } from "../support/server";
import { SmtpSink } from "../support/smtp-sink";

const AWAY = "We're away — leave a message";
const VERA = "vera@example.test";

test("without SMTP on the server, no email is asked for", async ({ page, server }) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();
  await expect(host.status).toHaveText(AWAY);
  await expect(host.widget.getByTestId("offline-email")).toHaveCount(0);
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
