// The console as a team's tool (issue 12), in real Chromium against a real server: canned
// responses an admin saves show at once in every open console and go into a reply with `/`,
// the arrows and Enter, names filled in; an admin adds an agent (with a password, or a
// one-time set-password link) who then logs in, and removes one, whose console is signed
// out; a plain agent sees no admin screens; every agent picker shows live presence.
import { Browser } from "@playwright/test";
import { ConsolePage } from "../support/console-page";
import { closeContexts, consoleFor, newPage } from "../support/contexts";
import { ADMIN, AGENT, expect, test } from "../support/fixtures";
import { addAgents, SENT } from "../support/people";
import { TidingsServer } from "../support/server";

test.afterEach(closeContexts);

/** A visitor (named, or not) opens a waiting chat with `body` over the protocol. */
async function visitorSays(browser: Browser, server: TidingsServer, name: string | null, body: string): Promise<void> {
  const page = await newPage(browser);
  await page.goto(server.url("/healthz"));
  await page.evaluate(
    async ({ name, body }) => {
      const res = await fetch("/v1/visitors", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(name ? { name } : {}),
      });
      if (!res.ok) throw new Error(`visitor: ${res.status} ${await res.text()}`);
      const { token } = await res.json();
      const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/v1/socket`);
      const id = crypto.randomUUID();
      await new Promise<void>((resolve, reject) => {
        ws.onmessage = (e) => {
          const frame = JSON.parse(e.data);
          if (frame.type === "hello") ws.send(JSON.stringify({ type: "send", id, body }));
          else if (frame.type === "ack" && frame.id === id) resolve();
          else if (frame.type === "error") reject(new Error(JSON.stringify(frame)));
        };
        ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token, version: 1 }));
        ws.onerror = () => reject(new Error("socket failed"));
      });
      ws.close();
    },
    { name, body },
  );
}

/** An admin saves a canned response on the admin screen. */
async function saveCanned(admin: ConsolePage, title: string, shortcut: string, body: string): Promise<void> {
  await admin.page.getByTestId("canned-title").fill(title);
  await admin.page.getByTestId("canned-shortcut").fill(shortcut);
  await admin.page.getByTestId("canned-body").fill(body);
  await admin.page.getByTestId("canned-save").click();
  await expect(admin.page.locator(`[data-testid="canned-row"][data-shortcut="${shortcut}"]`)).toBeVisible();
}

test("canned responses an admin saves show at once in another console, and go into a reply with /, the arrows and Enter", async ({
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = await consoleFor(browser, server, AGENT);
  const admin = await consoleFor(browser, server, ADMIN);
  await visitorSays(browser, server, "Zoe", "where is my parcel?");
  await ada.openConversationWith("where is my parcel?");
  const input = ada.page.getByTestId("composer-input");
  const menu = ada.page.getByTestId("canned-menu");
  const items = ada.page.getByTestId("canned-item");

  // Nothing saved yet: `/` opens no list.
  await input.fill("/gre");
  await expect(menu).toHaveCount(0);
  await input.fill("");

  await admin.page.getByTestId("canned-manage").click();
  await saveCanned(admin, "Greeting", "greet", "Hi {{visitor.name}}, I'm {{agent.name}}.");
  await saveCanned(admin, "Enthusiasm", "great", "That's great, {{visitor.name}}!");
  await saveCanned(admin, "Goodbye", "bye", "Bye!");

  // Ada's console had them pushed: typing filters the list, no reload.
  await input.pressSequentially("/gre");
  await expect(menu).toBeVisible();
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toHaveAttribute("data-shortcut", "great");
  await expect(items.nth(0)).toHaveAttribute("aria-selected", "true");
  await input.press("ArrowDown");
  await expect(items.nth(1)).toHaveAttribute("aria-selected", "true");
  await input.press("ArrowDown");
  await expect(items.nth(0)).toHaveAttribute("aria-selected", "true", { timeout: 1_000 });
  await input.press("ArrowUp");
  await expect(items.nth(1)).toHaveAttribute("aria-selected", "true");
  await input.pressSequentially("e");
  await expect(items).toHaveCount(1);
  await input.press("Enter");
  await expect(menu).toHaveCount(0);
  await expect(input).toHaveValue("Hi Zoe, I'm Ada.");
  // Enter again sends it as typed.
  await input.press("Enter");
  await expect(ada.message("Hi Zoe, I'm Ada.")).toHaveAttribute("data-state", SENT);

  // Escape closes the list and leaves the text alone.
  await input.pressSequentially("/by");
  await expect(items).toHaveCount(1);
  await input.press("Escape");
  await expect(menu).toHaveCount(0);
  await expect(input).toHaveValue("/by");
  await input.fill("");

  // An admin's edit and delete reach Ada's open console too.
  await admin.page.locator('[data-testid="canned-row"][data-shortcut="great"]').getByTestId("canned-delete").click();
  await expect(admin.page.locator('[data-testid="canned-row"][data-shortcut="great"]')).toHaveCount(0);
  await input.pressSequentially("/gr");
  await expect(items).toHaveCount(1);
  await expect(items.first()).toHaveAttribute("data-shortcut", "greet");
  await input.fill("");

  // A visitor with no name: the placeholder becomes nothing, never the raw text.
  await visitorSays(browser, server, null, "anyone there?");
  await ada.openConversationWith("anyone there?");
  await input.pressSequentially("/greet");
  await input.press("Enter");
  await expect(input).toHaveValue("Hi , I'm Ada.");
});

test("an admin adds agents who then log in, by password or by a one-time link, and removes one, who is signed out", async ({
  browser,
  server,
}) => {
  await addAgents(server);
  const admin = await consoleFor(browser, server, ADMIN);
  await admin.page.getByTestId("team-manage").click();
  const row = (email: string) => admin.page.locator(`[data-testid="agent-row"][data-email="${email}"]`);
  await expect(row(ADMIN.email)).toBeVisible();

  const cleo = { email: "cleo@example.com", password: "cleo-secret-password" };
  await admin.page.getByTestId("team-add-name").fill("Cleo");
  await admin.page.getByTestId("team-add-email").fill(cleo.email);
  await admin.page.getByTestId("team-add-password").fill(cleo.password);
  await admin.page.getByTestId("team-add-submit").click();
  await expect(row(cleo.email)).toHaveAttribute("data-status", "offline");
  const cleoConsole = await consoleFor(browser, server, cleo);
  // Her presence shows live in the team list.
  await expect(row(cleo.email)).toHaveAttribute("data-status", "online");

  await admin.page.getByTestId("team-add-name").fill("Dan");
  await admin.page.getByTestId("team-add-email").fill("dan@example.com");
  await admin.page.getByTestId("team-add-submit").click();
  const link = await admin.page.getByTestId("team-link").inputValue();
  expect(link).toContain("#/set-password/");
  const dan = new ConsolePage(await newPage(browser), server);
  await dan.page.goto(link);
  await dan.page.getByTestId("set-password-input").fill("dan-chose-this-one");
  await dan.page.getByTestId("set-password-submit").click();
  await expect(dan.page.getByTestId("set-password-done")).toBeVisible();
  await dan.loginOk({ email: "dan@example.com", password: "dan-chose-this-one" });
  // The link worked once.
  const again = await newPage(browser);
  await again.goto(link);
  await again.getByTestId("set-password-input").fill("someone-else-now");
  await again.getByTestId("set-password-submit").click();
  await expect(again.getByRole("alert")).toContainText("used or has expired");

  // Promoted, Cleo's console shows the admin screens without logging in again.
  await row(cleo.email).getByTestId("agent-toggle-admin").click();
  await expect(row(cleo.email).getByTestId("agent-role")).toHaveText("admin");
  await expect(cleoConsole.page.getByTestId("team-manage")).toBeVisible();

  // Removed, she is signed out of her open console.
  await row(cleo.email).getByTestId("agent-remove").click();
  await row(cleo.email).getByTestId("agent-remove-confirm").click();
  await expect(row(cleo.email)).toHaveCount(0);
  await expect(cleoConsole.page.getByTestId("login-email")).toBeVisible({ timeout: 15_000 });
  await cleoConsole.login(cleo);
  await expect(cleoConsole.page.getByTestId("login-error")).toBeVisible();
});

test("a plain agent sees no admin screens, and changes their own name", async ({ browser, server }) => {
  await addAgents(server);
  const ada = await consoleFor(browser, server, AGENT);
  await expect(ada.page.getByTestId("account-manage")).toBeVisible();
  await expect(ada.page.getByTestId("canned-manage")).toHaveCount(0);
  await expect(ada.page.getByTestId("team-manage")).toHaveCount(0);
  for (const screen of ["#/team", "#/canned"]) {
    await ada.page.goto(server.url(`/console/${screen}`));
    await expect(ada.page.getByTestId("admins-only")).toBeVisible();
    await expect(ada.page.getByTestId("team-add-name")).toHaveCount(0);
    await expect(ada.page.getByTestId("canned-save")).toHaveCount(0);
  }
  await ada.page.getByTestId("account-manage").click();
  await ada.page.getByTestId("account-name").fill("Ada L.");
  await ada.page.getByTestId("account-name-save").click();
  await expect(ada.page.getByTestId("agent-name")).toHaveText("Ada L.");
});

test("the reassign picker shows who is online, away or offline, live", async ({ browser, server }) => {
  await addAgents(server);
  await server.addAgent("hal@example.com", "Hal", "hal-secret-password", true);
  // Another admin's console is open before Grace's.
  const hal = await consoleFor(browser, server, { email: "hal@example.com", password: "hal-secret-password" });
  const admin = await consoleFor(browser, server, ADMIN);
  await visitorSays(browser, server, "Zoe", "who can help?");
  await admin.openConversationWith("who can help?");
  const option = (name: string) => admin.page.getByTestId("reassign-conversation").locator("option", { hasText: name });
  await expect(option("Hal")).toHaveText("Hal (online)");
  await expect(option("Grace")).toHaveText("Grace (online)");
  await expect(option("Ada")).toHaveText("Ada (offline)");

  const ada = await consoleFor(browser, server, AGENT);
  await expect(option("Ada")).toHaveText("Ada (online)");
  await ada.agentStatus.click();
  await expect(ada.agentStatus).toHaveAttribute("data-state", "away");
  await expect(option("Ada")).toHaveText("Ada (away)");
  await hal.page.close();
  await expect(option("Hal")).toHaveText("Hal (offline)");
});

test("an agent works the queue from the keyboard: next waiting chat, claim, reply, end, and ? lists the keys", async ({
  browser,
  server,
}) => {
  await addAgents(server);
  const ada = await consoleFor(browser, server, AGENT);
  await visitorSays(browser, server, "First", "I came first");
  await expect(ada.items.filter({ hasText: "I came first" })).toHaveCount(1);
  await visitorSays(browser, server, "Second", "I came second");
  await expect(ada.items).toHaveCount(2);
  const page = ada.page;
  const help = page.getByTestId("keyboard-help");

  await page.keyboard.press("?");
  await expect(help).toBeVisible();
  await expect(help).toContainText("Open the next waiting chat");
  await page.keyboard.press("?");
  await expect(help).toHaveCount(0);

  // n opens the longest-waiting chat, c claims it.
  await page.keyboard.press("n");
  await expect(ada.message("I came first")).toBeVisible();
  const first = await ada.items.filter({ hasText: "I came first" }).getAttribute("data-id");
  expect(page.url()).toContain(`#/c/${first}`);
  await page.keyboard.press("c");
  await ada.filter("mine").click();
  await expect(ada.item(first!)).toHaveAttribute("data-status", "active");

  // r puts the cursor in the reply box (the r is not typed), Enter sends, Esc leaves it.
  await page.keyboard.press("r");
  await expect(page.getByTestId("composer-input")).toBeFocused();
  await page.keyboard.type("On it!");
  await expect(page.getByTestId("composer-input")).toHaveValue("On it!");
  await page.keyboard.press("Enter");
  await expect(ada.message("On it!")).toHaveAttribute("data-state", SENT);
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("composer-input")).not.toBeFocused();

  // e ends it; n then opens the next one.
  await page.keyboard.press("e");
  await expect(ada.item(first!)).toHaveCount(0);
  await page.keyboard.press("n");
  await expect(ada.message("I came second")).toBeVisible();
});
