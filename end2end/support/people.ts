// Who takes part in the browser tests besides the fixtures' Ada and Grace, and small helpers
// the console tests share.
import { ConsolePage } from "./console-page";
import { ADMIN, AGENT, expect } from "./fixtures";
import { TidingsServer } from "./server";

/** A second plain agent. */
export const BEA = { email: "bea@example.com", name: "Bea", password: "bea-secret-password" };

/** A message the server has acknowledged, whatever the other side did with it since. */
export const SENT = /sent|delivered|read/;

/** Ada and Bea (plain agents) and Grace (admin). */
export async function addAgents(server: TidingsServer): Promise<void> {
  await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
  await server.addAgent(BEA.email, BEA.name, BEA.password);
  await server.addAgent(ADMIN.email, ADMIN.name, ADMIN.password, true);
}

/** The id of the one list item whose text shows `preview`. */
export async function conversationIdOf(console_: ConsolePage, preview: string): Promise<string> {
  const item = console_.items.filter({ hasText: preview });
  await expect(item).toHaveCount(1);
  return (await item.getAttribute("data-id"))!;
}
