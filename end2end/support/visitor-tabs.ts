// Several tabs of one visitor's browser, each a host page with the widget, and the visitor
// sockets each tab has open (seen from the browser: `page.on("websocket")` covers the
// widget's frame too, on the same site or another).
import { BrowserContext, expect, Page, WebSocket } from "@playwright/test";
import { HostPage } from "./host-page";
import { TidingsServer } from "./server";

export class VisitorTabs {
  readonly tabs: HostPage[] = [];
  private readonly sockets = new Map<Page, Set<WebSocket>>();

  constructor(private readonly context: BrowserContext) {}

  /** Opens `count` tabs of `url`, one after the other, each with its panel open. */
  async open(url: string, count: number, opened: (tab: HostPage) => Promise<void>): Promise<void> {
    for (let i = 0; i < count; i++) {
      const page = await this.context.newPage();
      this.watch(page);
      const tab = new HostPage(page);
      await tab.goto(url);
      await opened(tab);
      this.tabs.push(tab);
    }
  }

  private watch(page: Page): void {
    const open = new Set<WebSocket>();
    this.sockets.set(page, open);
    page.on("websocket", (ws) => {
      if (!ws.url().includes("/v1/socket")) return;
      open.add(ws);
      ws.on("close", () => open.delete(ws));
    });
    page.on("close", () => open.clear());
  }

  /** The tabs still open. */
  get live(): HostPage[] {
    return this.tabs.filter((t) => !t.page.isClosed());
  }

  /** Visitor sockets open in each tab, in tab order. */
  socketsPerTab(): number[] {
    return this.tabs.map((t) => this.sockets.get(t.page)?.size ?? 0);
  }

  /** The one tab holding a socket (fails unless exactly one socket is open). */
  async leader(): Promise<HostPage> {
    await expect.poll(() => this.socketsPerTab().reduce((a, b) => a + b, 0)).toBe(1);
    return this.tabs[this.socketsPerTab().indexOf(1)];
  }

  /** Fires Chrome's Page Lifecycle event `freeze` or `resume` in every frame of `tab`, as
   * Chrome does before it freezes a page and when it thaws it. (`Page.setWebLifecycleState`
   * over CDP does nothing to a visible page in the headless Chromium the suite runs: no event,
   * and scripts keep running.) */
  async lifecycle(tab: HostPage, event: "freeze" | "resume"): Promise<void> {
    for (const frame of tab.page.frames()) {
      await frame.evaluate((name) => document.dispatchEvent(new Event(name)), event);
    }
  }

  followers(leader: HostPage): HostPage[] {
    return this.live.filter((t) => t !== leader);
  }
}

/** The server's count of open sockets (`tidings_connections_open`, every socket of every
 * client): it drops only after the server has forgotten a closed connection. */
export async function serverSockets(server: TidingsServer): Promise<number> {
  const text = await (await fetch(`${server.origin}/metrics`)).text();
  return Number(/^tidings_connections_open (\d+)/m.exec(text)![1]);
}
