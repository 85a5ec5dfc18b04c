// Page object for a host page that embeds the loader, and for the widget inside its iframe.
import { expect, Frame, FrameLocator, Locator, Page } from "@playwright/test";

export class HostPage {
  readonly launcher: Locator;
  readonly unread: Locator;
  readonly frameElement: Locator;
  readonly widget: FrameLocator;

  constructor(readonly page: Page) {
    // Playwright's CSS locators pierce open shadow roots, where the loader draws.
    this.launcher = page.getByTestId("tidings-launcher");
    this.unread = page.getByTestId("tidings-unread");
    this.frameElement = page.getByTestId("tidings-frame");
    this.widget = page.frameLocator('[data-testid="tidings-frame"]');
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.launcher).toBeVisible();
  }

  /** Opens the panel and waits until the app is connected. */
  async open(): Promise<void> {
    if ((await this.launcher.getAttribute("aria-expanded")) !== "true") {
      await this.launcher.click();
    }
    await expect(this.launcher).toHaveAttribute("aria-expanded", "true");
    await expect(this.widget.getByTestId("chat-widget")).toBeVisible();
  }

  async close(): Promise<void> {
    await this.launcher.click();
    await expect(this.launcher).toHaveAttribute("aria-expanded", "false");
  }

  get connection(): Locator {
    return this.widget.getByTestId("connection-status");
  }

  get status(): Locator {
    return this.widget.getByTestId("conversation-status");
  }

  get messages(): Locator {
    return this.widget.getByTestId("message");
  }

  /** The rows whose bubble (or system line) shows `body`. Matched on the bubble, not the whole
   * row: the row's text runs on into its time ("m12" + "9:54 AM" reads "m129:54 AM"). */
  message(body: string): Locator {
    return this.messages.filter({ has: this.widget.locator(".tw-bubble, .tw-text", { hasText: body }) });
  }

  async waitOnline(): Promise<void> {
    await expect(this.connection).toHaveAttribute("data-state", "online");
  }

  /** Types and sends a message; returns its bubble. */
  async send(body: string): Promise<Locator> {
    const input = this.widget.getByTestId("composer-input");
    await input.fill(body);
    await this.widget.getByTestId("composer-send").click();
    const bubble = this.message(body);
    await expect(bubble).toHaveCount(1);
    return bubble;
  }

  /** The outbox entries (stored JSON) the widget keeps: in its own localStorage, or, where
   * the iframe has none, in the host page's under the loader's `tidings:<server>:` keys. */
  async outbox(): Promise<string[]> {
    const frame = this.appFrame();
    if (!frame) return [];
    const read = (prefix: string) => {
      const bodies: string[] = [];
      try {
        for (let i = 0; i < localStorage.length; i++) {
          const key = localStorage.key(i)!;
          if (key.startsWith(prefix)) bodies.push(localStorage.getItem(key) ?? "");
        }
      } catch {
        // No storage in this document.
      }
      return bodies;
    };
    const server = new URL(frame.url()).origin;
    const own = await frame.evaluate(read, "tidings.outbox.");
    const lent = await this.page.evaluate(read, `tidings:${server}:tidings.outbox.`);
    return [...own, ...lent];
  }

  /** The visitor token the widget keeps (in its own localStorage or, cross-site, in the host
   * page's), if any. */
  async visitorToken(): Promise<string | null> {
    const frame = this.appFrame();
    if (!frame) return null;
    const read = (key: string) => {
      try {
        return localStorage.getItem(key);
      } catch {
        return null;
      }
    };
    const server = new URL(frame.url()).origin;
    const own = await frame.evaluate(read, "tidings.visitor.token");
    return own ?? (await this.page.evaluate(read, `tidings:${server}:tidings.visitor.token`));
  }

  /** The widget app's frame, once created. */
  appFrame(): Frame | undefined {
    return this.page.frames().find((f) => f.url().includes("/chat/"));
  }

  /** What the app's own document may use: `localStorage`, Web Locks, storage access. */
  async ownStorage(): Promise<{ storage: string; locks: string; access: boolean }> {
    const frame = this.appFrame();
    if (!frame) throw new Error("the widget's frame is not there yet");
    return frame.evaluate(async () => {
      const name = (e: unknown) => (e instanceof DOMException ? e.name : String(e));
      let storage = "ok";
      try {
        localStorage.setItem("tidings.test.probe", "1");
        localStorage.removeItem("tidings.test.probe");
      } catch (e) {
        storage = name(e);
      }
      let locks = "ok";
      try {
        await navigator.locks.request("tidings.test.probe", () => undefined);
      } catch (e) {
        locks = name(e);
      }
      return { storage, locks, access: await document.hasStorageAccess() };
    });
  }

  /** The quiet line the panel shows when nothing can be kept on this device. */
  get storageNotice(): Locator {
    return this.widget.getByTestId("storage-notice");
  }

  get input(): Locator {
    return this.widget.getByTestId("composer-input");
  }

  get sendButton(): Locator {
    return this.widget.getByTestId("composer-send");
  }

  /** The character counter beside the composer (empty until the draft nears the limit). */
  get counter(): Locator {
    return this.widget.locator("#tw-counter");
  }

  get typing(): Locator {
    return this.widget.getByTestId("typing-indicator");
  }

  get list(): Locator {
    return this.widget.getByTestId("message-list");
  }

  /** The panel's own close button in its header. */
  get closeButton(): Locator {
    return this.widget.getByRole("button", { name: "Close chat" });
  }

  /** The delivery ticks under one of the visitor's own messages. */
  ticks(bubble: Locator): Locator {
    return bubble.locator(".tw-ticks");
  }

  /** Calls the host page's `Tidings(...)` API. */
  async command(...args: unknown[]): Promise<void> {
    await this.page.evaluate((a) => (window as any).Tidings(...a), args);
  }

  /** Whether keyboard focus is on the launcher inside the loader's shadow root. */
  async launcherFocused(): Promise<boolean> {
    return this.page.evaluate(() => {
      const host = document.activeElement;
      const inner = host?.shadowRoot?.activeElement;
      return inner?.getAttribute("data-testid") === "tidings-launcher";
    });
  }
}
