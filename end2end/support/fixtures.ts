// Test fixtures: each test gets its own freshly started server on a temporary database, and,
// when it asks for one, an agent logged in to the console in a browser context of her own.
import { test as base, expect } from "@playwright/test";
import { ConsolePage } from "./console-page";
import { loginToken } from "./api";
import { TidingsServer } from "./server";

export const AGENT = { email: "ada@example.com", name: "Ada", password: "ada-secret-password" };
export const ADMIN = { email: "root@example.com", name: "Grace", password: "grace-secret-password" };

type Fixtures = {
  server: TidingsServer;
  /** An agent (Ada) logged in to the console in a browser context of her own. */
  agentConsole: ConsolePage;
  /** An admin's session token, for reading what the server stored. */
  adminToken: string;
};

export const test = base.extend<Fixtures>({
  server: async ({}, use, testInfo) => {
    const server = await TidingsServer.start();
    await use(server);
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach("server.log", { body: server.log, contentType: "text/plain" });
    }
    await server.dispose();
  },
  agentConsole: async ({ server, browser }, use) => {
    await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
    const context = await browser.newContext();
    const console_ = new ConsolePage(await context.newPage(), server);
    await console_.loginOk(AGENT);
    await use(console_);
    await context.close();
  },
  adminToken: async ({ server }, use) => {
    await server.addAgent(ADMIN.email, ADMIN.name, ADMIN.password, true);
    await use(await loginToken(server.origin, ADMIN.email, ADMIN.password));
  },
});

export { expect };
