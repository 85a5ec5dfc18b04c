// Past conversations in real Chromium: a visitor with two conversations opens the list
// from the panel header (newest first, each with its date and latest message), reads the
// old one read-only, and is one click from the current one again. The screen comes from the
// extras module and stands in for the panel's body, whose views stay mounted (hidden).
import { expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";

test("a returning visitor lists their conversations, reads an old one and returns to the current one", async ({
  page,
  shop,
  agentConsole,
}) => {
  const host = new HostPage(page);
  await host.goto(await shop("cross-site"));
  await host.open();
  await host.waitOnline();
  const history = host.widget.getByRole("button", { name: "Past conversations" });

  // The first conversation: answered, then closed by the agent.
  await host.send("where is my first order?");
  await expect(history).toBeVisible();
  const first = await agentConsole.openConversationWith("where is my first order?");
  await agentConsole.say("it left yesterday");
  await agentConsole.close();
  await expect(host.status).toHaveAttribute("data-state", "ended");
  await host.widget.getByTestId("new-conversation").click();

  // The second one.
  await host.send("a second question");
  await expect(host.message("where is my first order?")).toHaveCount(0);
  await agentConsole.openInbox();
  await agentConsole.filter("waiting").click();
  const second = await agentConsole.openConversationWith("a second question");

  await history.click();
  const list = host.widget.getByTestId("past-conversations");
  const items = list.getByTestId("past-conversation");
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toHaveAttribute("data-id", second);
  await expect(items.nth(0)).toContainText("a second question");
  await expect(items.nth(0)).toContainText("Current conversation");
  await expect(items.nth(1)).toHaveAttribute("data-id", first);
  await expect(items.nth(1)).toContainText("it left yesterday");
  await expect(items.nth(1)).toContainText("Ended");
  await expect(items.nth(1)).toContainText("Today");
  await expect(host.widget.getByTestId("composer-input")).toBeHidden();

  // The old one, read-only.
  await items.nth(1).click();
  const old = host.widget.getByRole("log", { name: "Earlier conversation" });
  // Its messages in order (system notices such as the agent joining aside), none of today's.
  const said = old.locator('[data-testid="message"]:not([data-sender="system"])');
  await expect(said).toHaveCount(2);
  await expect(said.nth(0)).toContainText("where is my first order?");
  await expect(said.nth(0)).toHaveAttribute("data-sender", "visitor");
  await expect(said.nth(1)).toContainText("it left yesterday");
  await expect(said.nth(1)).toHaveAttribute("data-sender", "agent");
  await expect(old.getByTestId("message").filter({ hasText: "a second question" })).toHaveCount(0);
  await expect(host.widget.getByTestId("composer-input")).toBeHidden();

  // One click back to the current conversation.
  await host.widget.getByRole("button", { name: "Back to the current conversation" }).click();
  await expect(host.message("a second question")).toHaveCount(1);
  await expect(host.message("where is my first order?")).toHaveCount(0);
  await expect(host.widget.getByTestId("composer-input")).toBeFocused();
  await host.send("still talking");
  await expect(agentConsole.message("still talking")).toHaveCount(1);

  // From the list, the current conversation's item also leads back.
  await history.click();
  await items.nth(0).click();
  await expect(host.message("still talking")).toHaveCount(1);
});
