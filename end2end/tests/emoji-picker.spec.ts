// The emoji picker (issue 13, item 2): it lives in the extras module, which the widget loads
// on first use only; it is keyboard accessible, searchable by name, and inserts at the
// composer's cursor (replacing a selection), so the sent message carries the emoji.
import { EmojiPicker } from "../support/emoji-picker";
import { expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";

test("keyboard only: the picker loads on first use, arrows move, Enter inserts at the cursor, and the message carries the emoji", async ({
  page,
  server,
}) => {
  const host = new HostPage(page);
  const emoji = new EmojiPicker(page, host.widget);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();
  await expect(emoji.button).toBeVisible();
  expect(emoji.extrasRequests, "the extras are not loaded before they are used").toEqual([]);

  // The cursor after "Hello", moved there with the keyboard.
  await host.input.focus();
  await page.keyboard.type("Hello world");
  await page.keyboard.press("Home");
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");

  await page.keyboard.press("Tab");
  await expect(emoji.button).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(emoji.picker).toBeVisible();
  await expect(emoji.search).toBeFocused();
  expect(emoji.extrasRequests.some((u) => u.endsWith(".js"))).toBe(true);
  expect(emoji.extrasRequests.some((u) => u.endsWith(".wasm"))).toBe(true);
  await expect(emoji.button).toHaveAttribute("aria-expanded", "true");

  await page.keyboard.type("thumbs");
  await expect(emoji.options).toHaveCount(2);
  await page.keyboard.press("ArrowDown");
  await expect(emoji.options.nth(0)).toBeFocused();
  await expect(emoji.options.nth(0)).toHaveAttribute("aria-label", "thumbs up");
  await page.keyboard.press("ArrowRight");
  await expect(emoji.options.nth(1)).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(emoji.options.nth(0)).toBeFocused();
  await page.keyboard.press("Enter");

  await expect(emoji.picker).toBeHidden();
  await expect(host.input).toBeFocused();
  await expect(host.input).toHaveValue("Hello👍 world");
  await expect(emoji.button).toHaveAttribute("aria-expanded", "false");
  // The cursor is after the emoji, and the widget's state has the new text: Enter sends it.
  await page.keyboard.type("!");
  await expect(host.input).toHaveValue("Hello👍! world");
  await page.keyboard.press("Enter");
  await expect(host.message("Hello👍! world")).toHaveCount(1);
  await expect(host.input).toHaveValue("");
});

test("searching by name, a selection is replaced, Esc closes the picker only, and the emoji goes out", async ({
  page,
  server,
}) => {
  const host = new HostPage(page);
  const emoji = new EmojiPicker(page, host.widget);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();

  await host.input.fill("I XYZ this");
  await host.input.evaluate((t: HTMLTextAreaElement) => t.setSelectionRange(2, 5));
  await emoji.button.click();
  await expect(emoji.search).toBeFocused();
  await emoji.search.fill("RED heart");
  await expect(emoji.options).toHaveCount(1);
  await expect(emoji.options).toHaveAttribute("aria-label", "red heart");
  await emoji.options.click();
  await expect(host.input).toHaveValue("I ❤️ this");

  await emoji.button.click();
  await emoji.search.fill("no such emoji at all");
  await expect(emoji.options).toHaveCount(0);
  await expect(emoji.picker.getByText("No emoji found")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(emoji.picker).toBeHidden();
  await expect(host.input).toBeFocused();
  // Esc closed the picker, not the panel.
  await expect(host.widget.getByTestId("chat-widget")).toBeVisible();
  await expect(host.launcher).toHaveAttribute("aria-expanded", "true");

  // The button toggles the picker.
  await emoji.button.click();
  await expect(emoji.picker).toBeVisible();
  await emoji.button.click();
  await expect(emoji.picker).toBeHidden();

  await host.sendButton.click();
  await expect(host.message("I ❤️ this")).toHaveCount(1);
});

test("when the extras cannot be loaded the widget says so, the chat goes on, and a later try loads them", async ({
  page,
  server,
}) => {
  const host = new HostPage(page);
  const emoji = new EmojiPicker(page, host.widget);
  await page.route("**/chat/extras/**", (route) => route.abort("internetdisconnected"));
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();

  await emoji.button.click();
  await expect(host.widget.getByRole("alert").filter({ hasText: "could not be loaded" })).toBeVisible();
  await expect(emoji.picker).toHaveCount(0);
  await host.send("still here without emoji");

  await page.unroute("**/chat/extras/**");
  await emoji.button.click();
  await expect(emoji.picker).toBeVisible();
  await expect(emoji.options.first()).toBeVisible();
});
