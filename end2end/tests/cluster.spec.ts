// Two Tidings nodes on one PostgreSQL: the visitor's widget talks to node one, the agent's
// console to node two, and the conversation works as on one node.
import { test, expect } from "@playwright/test";
import { ConsolePage } from "../support/console-page";
import { AGENT } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { conversationIdOf, SENT } from "../support/people";
import { PostgresCluster } from "../support/postgres";
import { TidingsServer } from "../support/server";

test("a visitor on node one and an agent on node two hold a conversation, live both ways", async ({ browser }) => {
  const postgres = await PostgresCluster.start();
  const one = await TidingsServer.start([], postgres.url);
  const two = await TidingsServer.start([], postgres.url);
  try {
    await two.addAgent(AGENT.email, AGENT.name, AGENT.password);
    const agentContext = await browser.newContext();
    const console_ = new ConsolePage(await agentContext.newPage(), two);
    await console_.loginOk(AGENT);
    await console_.filter("waiting").click();

    const visitorContext = await browser.newContext();
    const visitor = new HostPage(await visitorContext.newPage());
    await visitor.goto(one.url("/"));
    await visitor.open();
    // The agent on node two is online: the visitor on node one is told so.
    await expect(visitor.widget.getByTestId("connection-status")).not.toHaveAttribute("data-away");
    await visitor.send("Hello from node one");
    await expect(visitor.message("Hello from node one")).toHaveAttribute("data-state", SENT);

    // The console on node two lists it without a reload, and the reply reaches node one.
    const id = await conversationIdOf(console_, "Hello from node one");
    await console_.openConversation(id);
    await console_.send("Hello from node two");
    await expect(visitor.message("Ada joined the chat")).toHaveAttribute("data-sender", "system");
    await expect(visitor.message("Hello from node two")).toHaveAttribute("data-sender", "agent");
    await expect(console_.message("Hello from node one")).toHaveAttribute("data-sender", "visitor");
    // Read receipts and typing cross nodes too.
    await expect(visitor.message("Hello from node one")).toHaveAttribute("data-state", "read");
    await visitor.widget.getByTestId("composer-input").pressSequentially("typing");
    await expect(console_.page.getByTestId("typing-indicator")).toBeVisible();
    await visitor.send("And back again");
    await expect(console_.message("And back again")).toBeVisible();
    await agentContext.close();
    await visitorContext.close();
  } finally {
    await one.dispose();
    await two.dispose();
    await postgres.dispose();
  }
});
