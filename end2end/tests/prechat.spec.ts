// The pre-chat form in real Chromium: off by default; turned on by the script tag's
// `data-prechat` and `data-prechat-required`, it stands before a new visitor's first
// message, says what is wrong next to the field and moves focus there, and its answers
// become the visitor's profile that the agent sees; a visitor already known (an earlier
// answer, or `Tidings('identify')`) is not asked; a server that takes only verified
// identities lets the visitor chat on without them.
import { Page } from "@playwright/test";
import { AGENT, expect, test } from "../support/fixtures";
import { ConsolePage } from "../support/console-page";
import { HostPage } from "../support/host-page";
import { HostSite } from "../support/host-server";
import { TidingsServer } from "../support/server";

/** A shop on another site whose script tag carries `settings` (as `data-*`). */
async function shopWith(server: TidingsServer, settings: Record<string, string>): Promise<{ url: string; site: HostSite }> {
  const site = await HostSite.start(server.origin, "localhost");
  return { url: site.page("/shop", { settings }), site };
}

/** A visitor in a browser context of their own. */
async function visitor(page: Page, url: string): Promise<HostPage> {
  const host = new HostPage(page);
  await host.goto(url);
  await host.open();
  await host.waitOnline();
  return host;
}

const form = (host: HostPage) => host.widget.getByTestId("prechat-form");
const nameField = (host: HostPage) => host.widget.getByTestId("prechat-name");
const emailField = (host: HostPage) => host.widget.getByTestId("prechat-email");
const submit = (host: HostPage) => host.widget.getByTestId("prechat-submit");
const input = (host: HostPage) => host.widget.getByTestId("composer-input");

/** The field's error: what `aria-describedby` points at. */
async function errorOf(host: HostPage, field: ReturnType<typeof nameField>) {
  await expect(field).toHaveAttribute("aria-invalid", "true");
  const id = await field.getAttribute("aria-describedby");
  expect(id).toBeTruthy();
  return host.widget.locator(`[id="${id}"]`);
}

test("no form unless the site asks for one", async ({ page, shop }) => {
  const host = await visitor(page, await shop("cross-site"));
  await expect(input(host)).toBeVisible();
  await host.send("no questions asked");
  await expect(form(host)).toHaveCount(0);
});

test("a required email and an optional name: checked, focused, and shown to the agent", async ({
  page,
  server,
  agentConsole,
}) => {
  const { url, site } = await shopWith(server, { prechat: "name,email", "prechat-required": "email" });
  const host = await visitor(page, url);
  await expect(form(host)).toBeVisible();
  // The form (from the extras module) stands in for the composer, which stays mounted, hidden.
  await expect(input(host)).toBeHidden();
  await expect(host.widget.getByLabel("Name (optional)")).toHaveCount(1);
  await expect(host.widget.getByLabel("Email", { exact: true })).toHaveCount(1);

  // Nothing typed: the optional name is fine, the email is missing.
  await submit(host).click();
  await expect(await errorOf(host, emailField(host))).toHaveText("Please enter your email address.");
  await expect(emailField(host)).toBeFocused();
  await expect(nameField(host)).toHaveAttribute("aria-invalid", "false");

  // A typing mistake.
  await emailField(host).fill("grace@example");
  await submit(host).click();
  await expect(await errorOf(host, emailField(host))).toHaveText(
    "Please enter a valid email address, like name@example.com.",
  );
  await expect(emailField(host)).toBeFocused();

  // Too long a name is caught before the server refuses it; focus goes to the first field.
  await nameField(host).fill("G".repeat(513));
  await emailField(host).fill("grace@example.com");
  await submit(host).click();
  await expect(await errorOf(host, nameField(host))).toContainText("512 characters");
  await expect(nameField(host)).toBeFocused();
  await expect(emailField(host)).toHaveAttribute("aria-invalid", "false");

  await nameField(host).fill("Grace Hopper");
  await submit(host).click();
  await expect(form(host)).toHaveCount(0);
  await expect(input(host)).toBeFocused();
  await host.send("hello, it is Grace");

  await agentConsole.openConversationWith("hello, it is Grace");
  await expect(agentConsole.visitorField("name")).toContainText("Grace Hopper");
  await expect(agentConsole.visitorField("email")).toContainText("grace@example.com");
  await site.stop();
});

test("a required name only; a visitor known by an earlier answer or by identify is not asked", async ({
  browser,
  server,
}) => {
  const { url, site } = await shopWith(server, { prechat: "name", "prechat-required": "name" });
  const context = await browser.newContext();
  const host = await visitor(await context.newPage(), url);
  await expect(emailField(host)).toHaveCount(0);
  await submit(host).click();
  await expect(await errorOf(host, nameField(host))).toHaveText("Please enter your name.");
  await expect(nameField(host)).toBeFocused();
  await nameField(host).fill("Ada");
  const saved = host.page.waitForResponse((r) => r.url().endsWith("/v1/visitor") && r.request().method() === "PATCH");
  await submit(host).click();
  expect((await saved).status()).toBe(200);
  await expect(input(host)).toBeVisible();

  // Back on another page before writing anything: the answer is known, no form.
  const again = new HostPage(await context.newPage());
  const checked = again.page.waitForResponse((r) => r.url().endsWith("/v1/visitor") && r.request().method() === "GET");
  await again.goto(url);
  await again.open();
  await checked;
  await again.send("my name is known");
  await expect(form(again)).toHaveCount(0);
  await context.close();

  // A page that identifies its visitor: no form either.
  const identified = new HostPage(await (await browser.newContext()).newPage());
  await identified.goto(url);
  await identified.command("identify", { name: "Grace", email: "grace@example.com" });
  await identified.open();
  await identified.waitOnline();
  await identified.send("identified by the page");
  await expect(form(identified)).toHaveCount(0);
  await site.stop();
});

test("a server that takes only verified identities lets the visitor chat on without the answers", async ({ page }) => {
  const server = await TidingsServer.start(["--identity-secret", "e2e-site-identity-secret", "--identity-required"]);
  try {
    await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
    const { url, site } = await shopWith(server, { prechat: "name,email" });
    const host = await visitor(page, url);
    await nameField(host).fill("Mallory");
    const refused = host.page.waitForResponse((r) => r.url().endsWith("/v1/visitor") && r.request().method() === "PATCH");
    await submit(host).click();
    expect((await refused).status()).toBe(403);
    await expect(form(host)).toHaveCount(0);
    await host.send("still here without a name");

    const agentPage = await (await page.context().browser()!.newContext()).newPage();
    const agent = new ConsolePage(agentPage, server);
    await agent.loginOk(AGENT);
    await agent.openConversationWith("still here without a name");
    await expect(agent.visitorInfo).not.toContainText("Mallory");
    await site.stop();
  } finally {
    await server.dispose();
  }
});
