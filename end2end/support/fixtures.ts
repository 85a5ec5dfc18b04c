// Test fixtures: each test gets its own freshly started server on a temporary database, and,
// when it asks for one, an agent connected over the real protocol.
import { test as base, expect } from "@playwright/test";
import { ProtocolClient } from "./protocol-client";
import { TidingsServer } from "./server";

export const AGENT = { email: "ada@example.com", name: "Ada", password: "ada-secret-password" };
export const ADMIN = { email: "root@example.com", name: "Grace", password: "grace-secret-password" };

type Fixtures = {
  server: TidingsServer;
  /** An agent (Ada) logged in over the protocol, watching the queue. */
  agent: ProtocolClient;
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
  agent: async ({ server }, use) => {
    await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
    const agent = await ProtocolClient.loginAgent(server.origin, AGENT.email, AGENT.password);
    agent.watchQueue();
    await agent.waitFor((f) => f.type === "queue");
    await use(agent);
    agent.close();
  },
});

export { expect };
