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
}
