// Embedding on third-party pages: no wasm before the first click, hostile CSS, strict CSP,
// and a host page on another site that cannot keep data either.
import { expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { HostSite } from "../support/host-server";
import { SENT } from "../support/people";
import { TidingsServer } from "../support/server";

test("a new visitor's page loads no wasm and no iframe before the first click", async ({ page, server }) => {
  const wasm: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith(".wasm") || r.url().includes("/chat/")) wasm.push(r.url());
  });
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await page.waitForLoadState("networkidle");
  expect(wasm).toEqual([]);
  await expect(host.frameElement).toHaveCount(0);
  await expect(host.launcher).toHaveAttribute("aria-expanded", "false");

  await host.open();
  expect(wasm.some((u) => u.endsWith(".wasm"))).toBe(true);
});

for (const [name, spec] of [
  ["hostile CSS", { css: "* { all: unset !important; } div { display: none !important; } iframe { width: 0 !important; }" }],
  ["a strict CSP", { csp: "" }],
] as const) {
  test(`the widget works on a host page with ${name}`, async ({ page, server, agentConsole }) => {
    const site = await HostSite.start(server.origin);
    try {
      const csp = name === "a strict CSP" ? `default-src 'none'; script-src 'self' ${server.origin}; frame-src ${server.origin}` : undefined;
      const url = site.page("/shop", { ...spec, csp, clickTarget: true });
      const host = new HostPage(page);
      await host.goto(url);
      const box = await host.launcher.boundingBox();
      expect(box && box.width > 20 && box.height > 20).toBe(true);
      await host.open();
      const frame = await host.frameElement.boundingBox();
      expect(frame && frame.width >= 300 && frame.height >= 400).toBe(true);
      await host.waitOnline();
      await host.send(`hello from ${name}`);
      await agentConsole.openConversationWith(`hello from ${name}`);
      await expect(agentConsole.message(`hello from ${name}`)).toHaveCount(1);
      await host.close();
      await expect(host.frameElement).toBeHidden();
      // Where the open panel was, the host page takes clicks again.
      const viewport = page.viewportSize()!;
      await page.mouse.click(viewport.width - 200, viewport.height - 300);
      expect(await page.evaluate(() => (window as any).__hostClicks)).toBe(1);
    } finally {
      await site.stop();
    }
  });
}

test("on another site whose page cannot keep data either, the widget works in memory, says so, and loses nothing while the page is open", async ({
  page,
  context,
  server,
  agentConsole,
}) => {
  const site = await HostSite.start(server.origin, "localhost");
  try {
    // The host page's own storage is gone too (as in some private modes and sandboxes).
    const head = `Object.defineProperty(window, "localStorage", { get() { throw new DOMException("denied", "SecurityError"); } });`;
    const host = new HostPage(page);
    await host.goto(site.page("/no-storage", { head }));
    await host.open();
    expect(await host.ownStorage()).toEqual({ storage: "SecurityError", locks: "SecurityError", access: false });
    await host.waitOnline();
    await expect(host.storageNotice).toHaveText("This chat is kept only while this page is open.");

    await context.setOffline(true);
    await expect(host.connection).toHaveAttribute("data-state", "offline");
    await expect(await host.send("kept in memory")).toHaveAttribute("data-state", "pending");
    await context.setOffline(false);
    await expect(host.message("kept in memory")).toHaveAttribute("data-state", SENT);
    await agentConsole.openConversationWith("kept in memory");
    await expect(agentConsole.message("kept in memory")).toHaveCount(1);
    await agentConsole.say("heard you");
    await expect(host.message("heard you")).toHaveCount(1);
    await expect(host.message("kept in memory")).toHaveCount(1);
  } finally {
    await site.stop();
  }
});

// Playwright's browser context speaks en-US, so the malformed tag falls back to its shape.
const US_TIME = /^\d{1,2}:\d{2}\s?[AP]M$/;
const DE_TIME = /^\d{1,2}:\d{2}$/;
for (const [name, spec, time] of [
  ["a POSIX-style data-locale (en_US)", { settings: { locale: "en_US" } }, US_TIME],
  ["a malformed data-locale", { settings: { locale: "@@ not a locale" } }, US_TIME],
  ["a page language (de-DE) and no data-locale", { lang: "de-DE" }, DE_TIME],
] as const) {
  test(`${name} never breaks the widget: dates and times follow a usable locale`, async ({ page, server, agentConsole }) => {
    const site = await HostSite.start(server.origin);
    try {
      const host = new HostPage(page);
      await host.goto(site.page("/locale", spec));
      await host.open();
      await host.waitOnline();
      const bubble = await host.send(`hello with ${name}`);
      await agentConsole.openConversationWith(`hello with ${name}`);
      await agentConsole.say("a reply with a time");
      await expect(host.message("a reply with a time")).toHaveCount(1);
      await expect(bubble.locator("time")).toHaveText(time);
      await expect(host.message("a reply with a time").locator("time")).toHaveText(time);
    } finally {
      await site.stop();
    }
  });
}

test("the loader and the app agree on data-color: an 8-digit colour reaches both", async ({ page, server }) => {
  const site = await HostSite.start(server.origin);
  try {
    const host = new HostPage(page);
    await host.goto(site.page("/colour", { settings: { color: "#0a7d3c80" } }));
    await expect(host.launcher).toHaveCSS("background-color", "rgba(10, 125, 60, 0.5)");
    await host.open();
    const accent = await host.appFrame()!.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue("--tw-accent").trim(),
    );
    expect(accent).toBe("#0a7d3c80");
  } finally {
    await site.stop();
  }
});

test("the chat app talks only to a parent the server allows, under its real origin, whatever ?origin= claims", async ({
  page,
}) => {
  const shop = await HostSite.start("", "localhost");
  const stranger = await HostSite.start("");
  const server = await TidingsServer.start(["--allowed-origin", shop.origin]);
  try {
    // As a browser that ignores frame-ancestors would: the app's own check is all there is.
    await page.route(`${server.origin}/chat/**`, async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers["content-security-policy"];
      await route.fulfill({ response, headers });
    });
    const framing = (claimed: string) => ({
      body: `<iframe data-testid="raw-frame" src="${server.url("/chat/")}?origin=${encodeURIComponent(claimed)}"></iframe>`,
      head: `window.__heard = []; addEventListener("message", (e) => window.__heard.push(e.data && e.data.type));`,
    });
    const heard = () => page.evaluate(() => (window as any).__heard as string[]);
    const frame = page.frameLocator('[data-testid="raw-frame"]');

    // The allowed shop hears the app.
    await page.goto(shop.page("/frames-chat", framing(shop.origin)));
    await expect.poll(heard).toContain("ready");

    // A page the server does not allow, honest or claiming to be the shop, hears nothing.
    for (const claimed of [stranger.origin, shop.origin]) {
      await page.goto(stranger.page(`/frames-chat-${claimed === shop.origin ? "lying" : "honest"}`, framing(claimed)));
      await expect(frame.getByTestId("chat-refused")).toHaveText("This chat can't be shown on this page.");
      await expect(frame.getByTestId("chat-widget")).toHaveCount(0);
      expect(await heard()).toEqual([]);
    }
  } finally {
    await server.dispose();
    await shop.stop();
    await stranger.stop();
  }
});
