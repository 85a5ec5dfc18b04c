// Page object for the widget's emoji picker (from the extras module, loaded on first use).
import { FrameLocator, Locator, Page } from "@playwright/test";

export class EmojiPicker {
  readonly button: Locator;
  readonly picker: Locator;
  readonly search: Locator;
  readonly options: Locator;
  /** URLs of the extras module's files the page has requested so far. */
  readonly extrasRequests: string[] = [];

  constructor(page: Page, widget: FrameLocator) {
    this.button = widget.getByTestId("emoji-button");
    this.picker = widget.getByTestId("emoji-picker");
    this.search = widget.getByTestId("emoji-search");
    this.options = widget.getByTestId("emoji-option");
    // Requests from the widget's iframe are the page's requests too.
    page.on("request", (request) => {
      if (request.url().includes("/chat/extras/")) this.extrasRequests.push(request.url());
    });
  }
}
