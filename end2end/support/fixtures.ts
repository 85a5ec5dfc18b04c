// Test fixtures: each test gets its own freshly started server on a temporary database, and,
// when it asks for one, an agent logged in to the console in a browser context of her own.
import { test as base, expect } from "@playwright/test";
import { ConsolePage } from "./console-page";
import { loginToken } from "./api";
import { TidingsServer } from "./server";
import { HostSite } from "./host-server";

export const AGENT = { email: "ada@example.com", name: "Ada", password: "ada-secret-password" };
export const ADMIN = { email: "root@example.com", name: "Grace", password: "grace-secret-password" };

/** Where the widget's host page is: the server's own demo page (`/` on 127.0.0.1), or a
 * shop on another site (`localhost`), where the browser denies the iframe storage and
 * Web Locks of its own. The core widget scenarios run on both. */
export type Site = "same-site" | "cross-site";
export const SITES: Site[] = ["same-site", "cross-site"];

type Fixtures = {
  server: TidingsServer;
  /** The URL of a host page with the widget on `site` (started on first use). */
  shop: (site: Site) => Promise<string>;
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
  shop: async ({ server }, use) => {
    let site: HostSite | undefined;
    await use(async (where) => {
      if (where === "same-site") return server.url("/");
      site ??= await HostSite.start(server.origin, "localhost");
      return site.page("/shop", {});
    });
    await site?.stop();
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
