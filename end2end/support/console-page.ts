// Page object for the agent console at /console/.
import { expect, Locator, Page } from "@playwright/test";
import { TidingsServer } from "./server";

export type Login = { email: string; password: string };

export class ConsolePage {
  constructor(
    readonly page: Page,
    readonly server: TidingsServer,
  ) {}

  async login(who: Login): Promise<void> {
    await this.page.goto(this.server.url("/console/"));
    await this.page.getByTestId("login-email").fill(who.email);
    await this.page.getByTestId("login-password").fill(who.password);
    await this.page.getByTestId("login-submit").click();
  }

  async loginOk(who: Login): Promise<void> {
    await this.login(who);
    await expect(this.page.getByTestId("filter-waiting")).toBeVisible();
  }

  filter(name: "waiting" | "mine" | "all" | "ended"): Locator {
    return this.page.getByTestId(`filter-${name}`);
  }

  get items(): Locator {
    return this.page.getByTestId("conversation-item");
  }

  item(id: string): Locator {
    return this.page.locator(`[data-testid="conversation-item"][data-id="${id}"]`);
  }

  /** Waits for a conversation whose preview shows `text` to appear in the current list,
   * opens it and returns its id. */
  async openConversationWith(text: string): Promise<string> {
    const item = this.items.filter({ hasText: text });
    await expect(item).toHaveCount(1, { timeout: 20_000 });
    const id = (await item.getAttribute("data-id"))!;
    await this.openConversation(id);
    return id;
  }

  /** Sends a message and waits until the server acknowledged it. */
  async say(body: string): Promise<Locator> {
    const bubble = await this.send(body);
    await expect(bubble).toHaveAttribute("data-state", /sent|delivered|read/);
    return bubble;
  }

  async openConversation(id: string): Promise<void> {
    await this.item(id).click();
    await expect(this.page.getByTestId("message-list")).toBeVisible();
  }

  get messages(): Locator {
    return this.page.getByTestId("message");
  }

  message(body: string): Locator {
    return this.messages.filter({ hasText: body });
  }

  async send(body: string): Promise<Locator> {
    await this.page.getByTestId("composer-input").fill(body);
    await this.page.getByTestId("composer-send").click();
    const bubble = this.message(body);
    await expect(bubble).toHaveCount(1);
    return bubble;
  }

  async close(): Promise<void> {
    await this.page.getByTestId("close-conversation").click();
  }

  /** The count shown beside a filter tab. */
  count(name: "waiting" | "mine" | "all" | "ended"): Locator {
    return this.page.getByTestId(`count-${name}`);
  }

  /** The ids of the items in the current list, top to bottom. */
  itemIds(): Promise<string[]> {
    return this.items.evaluateAll((els) => els.map((el) => el.getAttribute("data-id") ?? ""));
  }

  /** The age shown on an item ("now", "5m", ...). */
  age(id: string): Locator {
    return this.item(id).locator(".age");
  }

  /** How many times this tab chimed (the console counts them in `window.__tidingsSounds`). */
  sounds(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { __tidingsSounds?: number }).__tidingsSounds ?? 0);
  }

  /** The online / away toggle (`data-state` = online|away). */
  get agentStatus(): Locator {
    return this.page.getByTestId("agent-status");
  }

  get visitorInfo(): Locator {
    return this.page.getByTestId("visitor-info");
  }

  /** One field of the visitor's details: name, email, page, browser, started. */
  visitorField(field: "name" | "email" | "page" | "browser" | "started"): Locator {
    return this.visitorInfo.locator(`[data-field="${field}"]`);
  }

  get loadOlder(): Locator {
    return this.page.getByTestId("load-older");
  }

  /** Back to the list with no conversation open. */
  async openInbox(): Promise<void> {
    await this.page.getByRole("link", { name: "Tidings", exact: true }).click();
    await expect(this.page.getByTestId("message-list")).toHaveCount(0);
  }

  /** Admins: gives the open conversation to the agent called `name`. */
  async reassignTo(name: string): Promise<void> {
    const select = this.page.getByTestId("reassign-conversation");
    const value = await select.locator("option", { hasText: name }).getAttribute("value");
    await select.selectOption(value!);
  }
}
