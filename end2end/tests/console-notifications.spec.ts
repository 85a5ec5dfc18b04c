// Desktop notifications (issue 12, item 8), in real Chromium against a real server. The
// permission is granted through the context; an init script captures every `Notification`
// the page makes (and every permission request) and makes the page hidden and unfocused, or
// visible and focused, whatever the window manager does. With two console tabs of one
// agent: exactly one notification per event (a new waiting chat, a new message in her
// chat), a click on it opens the conversation in that tab; nothing when she switched them
// off, and nothing while a console tab is in front. The console notes each decision in
// `window.__tidingsDesktopAlerts`, which is what the tests wait for (never for time).
import { Browser, BrowserContext, Page } from "@playwright/test";
import { ConsolePage } from "../support/console-page";
import { AGENT, expect, test } from "../support/fixtures";
import { TidingsServer } from "../support/server";

type Captured = { title: string; body?: string; tag?: string; closed?: boolean };

/** Runs in every page before the console: captures notifications, counts permission
 * requests and focus calls, and fixes the page's visibility and focus. */
function fakeDesktop({ front }: { front: boolean }): void {
  Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (front ? "visible" : "hidden") });
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => !front });
  Document.prototype.hasFocus = () => front;
  const w = window as unknown as Record<string, unknown>;
  const shown: unknown[] = [];
  w.__shown = shown;
  w.__permissionAsks = 0;
  w.__focusCalls = 0;
  const realFocus = window.focus.bind(window);
  window.focus = () => {
    (w.__focusCalls as number)++;
    realFocus();
  };
  const Real = window.Notification;
  class CapturedNotification extends EventTarget {
    title: string;
    body?: string;
    tag?: string;
    closed = false;
    onclick: ((event: Event) => void) | null = null;
    constructor(title: string, options: NotificationOptions = {}) {
      super();
      this.title = title;
      this.body = options.body;
      this.tag = options.tag;
      shown.push(this);
    }
    close() {
      this.closed = true;
    }
    static get permission() {
      return Real.permission;
    }
    static requestPermission() {
      (w.__permissionAsks as number)++;
      return Real.requestPermission();
    }
  }
  w.Notification = CapturedNotification;
}

const opened: BrowserContext[] = [];
test.afterEach(async () => {
  for (const context of opened.splice(0)) await context.close();
});

async function desktopContext(browser: Browser, front: boolean): Promise<BrowserContext> {
  const context = await browser.newContext({ permissions: ["notifications"] });
  opened.push(context);
  await context.addInitScript(fakeDesktop, { front });
  return context;
}

/** A visitor with an open socket, who can write again later. */
class Visitor {
  private constructor(readonly page: Page) {}

  static async start(browser: Browser, server: TidingsServer, name: string): Promise<Visitor> {
    const context = await browser.newContext();
    opened.push(context);
    const page = await context.newPage();
    await page.goto(server.url("/healthz"));
    await page.evaluate(async (name) => {
      const res = await fetch("/v1/visitors", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
      const { token } = await res.json();
      const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/v1/socket`);
      const w = window as unknown as Record<string, unknown>;
      const acks = new Map<string, (conversation: string) => void>();
      await new Promise<void>((resolve, reject) => {
        ws.onmessage = (e) => {
          const frame = JSON.parse(e.data);
          if (frame.type === "hello") resolve();
          else if (frame.type === "ack") acks.get(frame.id)?.(frame.conversation_id);
          else if (frame.type === "error") reject(new Error(JSON.stringify(frame)));
        };
        ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token, version: 1 }));
        ws.onerror = () => reject(new Error("socket failed"));
      });
      w.__say = (body: string) =>
        new Promise<string>((resolve) => {
          const id = crypto.randomUUID();
          acks.set(id, resolve);
          ws.send(JSON.stringify({ type: "send", id, body }));
        });
    }, name);
    return new Visitor(page);
  }

  /** Sends `body` and returns the conversation id once it is stored. */
  say(body: string): Promise<string> {
    return this.page.evaluate((body) => (window as unknown as { __say: (b: string) => Promise<string> }).__say(body), body);
  }
}

function shown(page: Page): Promise<Captured[]> {
  return page.evaluate(() =>
    ((window as unknown as { __shown: Captured[] }).__shown ?? []).map((n) => ({ title: n.title, body: n.body, tag: n.tag, closed: n.closed })),
  );
}

function decisions(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __tidingsDesktopAlerts?: string[] }).__tidingsDesktopAlerts ?? []);
}

/** Waits until every tab decided about an event whose tag starts with `prefix`, and
 * returns their outcomes. */
async function decided(tabs: Page[], prefix: string): Promise<string[]> {
  const outcomes: string[] = [];
  for (const tab of tabs) {
    await expect.poll(async () => (await decisions(tab)).filter((d) => d.includes(`:${prefix}`)).length).toBe(1);
    outcomes.push(...(await decisions(tab)).filter((d) => d.includes(`:${prefix}`)).map((d) => d.split(":")[0]));
  }
  return outcomes.sort();
}

async function permissionAsks(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __permissionAsks: number }).__permissionAsks);
}

test("two background console tabs show exactly one notification per event, a click opens the chat, and none once switched off", async ({
  browser,
  server,
}) => {
  await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
  const context = await desktopContext(browser, false);
  const one = new ConsolePage(await context.newPage(), server);
  await one.loginOk(AGENT);
  const two = new ConsolePage(await context.newPage(), server);
  await two.page.goto(server.url("/console/"));
  await expect(two.page.getByTestId("filter-waiting")).toBeVisible();
  const tabs = [one.page, two.page];

  // Never asked on load; asked from the click.
  expect(await permissionAsks(one.page)).toBe(0);
  expect(await permissionAsks(two.page)).toBe(0);
  const toggle = one.page.getByTestId("notifications-toggle");
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  expect(await permissionAsks(one.page)).toBe(1);

  // A new waiting chat: one notification, in one of the two tabs.
  const zoe = await Visitor.start(browser, server, "Zoe");
  const id = await zoe.say("is the blue one in stock?");
  expect(await decided(tabs, `waiting:${id}`)).toEqual(["another-tab", "shown"]);
  const [firstShown, secondShown] = [await shown(one.page), await shown(two.page)];
  expect(firstShown.length + secondShown.length).toBe(1);
  const waitingNote = [...firstShown, ...secondShown][0];
  expect(waitingNote.title).toBe("New chat waiting: Zoe");
  expect(waitingNote.body).toBe("is the blue one in stock?");
  expect(waitingNote.tag).toBe(`tidings-${id}`);

  // A click on it focuses the console on that conversation, in the tab that showed it.
  const showing = firstShown.length === 1 ? one : two;
  await showing.page.evaluate(() => {
    const n = (window as unknown as { __shown: { onclick: (e: Event) => void }[] }).__shown[0];
    n.onclick(new Event("click"));
  });
  await expect(showing.page).toHaveURL(new RegExp(`#/c/${id}$`));
  await expect(showing.page.getByTestId("message-list")).toBeVisible();
  await expect(showing.message("is the blue one in stock?")).toHaveCount(1);
  expect(await showing.page.evaluate(() => (window as unknown as { __focusCalls: number }).__focusCalls)).toBe(1);
  expect((await shown(showing.page))[0].closed).toBe(true);

  // She takes the chat; the visitor writes again: one notification for that message.
  await showing.page.getByTestId("claim-conversation").click();
  await expect(showing.page.getByTestId("claim-conversation")).toHaveCount(0);
  await zoe.say("and in size 42?");
  expect(await decided(tabs, `message:${id}:`)).toEqual(["another-tab", "shown"]);
  // Either tab may be the one that shows each event: compare the two tabs' notifications
  // together, in no particular order.
  const all = [...(await shown(one.page)), ...(await shown(two.page))];
  expect(all.map((n) => n.title).sort()).toEqual(["New chat waiting: Zoe", "Zoe wrote"]);
  expect(all.find((n) => n.title === "Zoe wrote")?.body).toBe("and in size 42?");

  // Switched off (and kept off for her): another chat raises nothing in either tab.
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  const max = await Visitor.start(browser, server, "Max");
  const other = await max.say("hello there");
  expect(await decided(tabs, `waiting:${other}`)).toEqual(["off", "off"]);
  expect((await shown(one.page)).length + (await shown(two.page)).length).toBe(2);
  await one.page.reload();
  await expect(one.page.getByTestId("notifications-toggle")).toHaveAttribute("aria-pressed", "false");
});

test("nothing is shown while the console tab is visible and focused", async ({ browser, server }) => {
  await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
  const context = await desktopContext(browser, true);
  const tab = new ConsolePage(await context.newPage(), server);
  await tab.loginOk(AGENT);
  await tab.page.getByTestId("notifications-toggle").click();
  await expect(tab.page.getByTestId("notifications-toggle")).toHaveAttribute("aria-pressed", "true");
  // The setting is kept for her across a reload.
  await tab.page.reload();
  await expect(tab.page.getByTestId("notifications-toggle")).toHaveAttribute("aria-pressed", "true");

  const zoe = await Visitor.start(browser, server, "Zoe");
  const id = await zoe.say("anyone there?");
  expect(await decided([tab.page], `waiting:${id}`)).toEqual(["in-front"]);
  expect(await shown(tab.page)).toEqual([]);
});
