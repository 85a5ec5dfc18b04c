// Accessibility proven in CI (issue 13, item 7): axe-core scans the widget and the console at
// the WCAG 2.2 AA rule tags in real Chromium (attachments shown included) and must find
// nothing; a visitor holds a whole conversation with the keyboard alone; and on phones (an iPhone and a Pixel, Playwright's
// device descriptors) the open panel's composer is fully on screen and usable.
import { devices } from "@playwright/test";
import { expectNoViolations } from "../support/axe";
import { ConsolePage } from "../support/console-page";
import { ADMIN, AGENT, expect, test } from "../support/fixtures";
import { pdf, png } from "../support/files";
import { HostPage } from "../support/host-page";

/** The WCAG contrast ratio of two sRGB colours given as 0–255 channels. */
function contrast(a: number[], b: number[]): number {
  const luminance = (c: number[]) => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test("axe finds no WCAG 2.2 AA violation in the widget: closed, open and empty, with messages, rating prompt", async ({
  page,
  server,
  agentConsole,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await expect(host.launcher).toBeVisible();
  await expectNoViolations(page, "the closed launcher");

  await host.open();
  await host.waitOnline();
  await expectNoViolations(page, "the open, empty widget");

  await host.send("hello, is anyone there?");
  await agentConsole.openConversationWith("hello, is anyone there?");
  await agentConsole.say("Yes, how can I help? See https://example.com/help");
  await expect(host.messages.filter({ hasText: "how can I help" })).toBeVisible();
  await expectNoViolations(page, "a conversation with messages");

  // A picture from the visitor and a PDF from the agent, shown in both apps.
  await host.widget.getByTestId("attach-input").setInputFiles(png("screenshot.png"));
  await agentConsole.page.getByTestId("attach-input").setInputFiles(pdf("guide.pdf"));
  await expect(host.widget.getByTestId("attachment-image")).toHaveCount(1);
  await expect(host.widget.getByTestId("attachment-file")).toHaveCount(1);
  await expect(agentConsole.page.getByTestId("attachment-image")).toHaveCount(1);
  await expectNoViolations(page, "a conversation with a picture and a file");
  await expectNoViolations(agentConsole.page, "the console's conversation with a picture and a file");

  await agentConsole.close();
  await expect(host.widget.getByTestId("rating-prompt")).toBeVisible();
  await expectNoViolations(page, "the rating prompt");
});

test("axe finds no WCAG 2.2 AA violation in the open emoji picker (from the extras module)", async ({ page, server }) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();
  await host.widget.getByTestId("emoji-button").click();
  await expect(host.widget.getByTestId("emoji-picker")).toBeVisible();
  await expect(host.widget.getByTestId("emoji-option").first()).toBeVisible();
  await expectNoViolations(page, "the open emoji picker");

  await host.widget.getByTestId("emoji-search").fill("no such emoji");
  await expect(host.widget.getByText("No emoji found")).toBeVisible();
  await expectNoViolations(page, "the emoji picker with no match");
});

test("axe finds no WCAG 2.2 AA violation in the console: login, list, conversation, search, reports", async ({
  page,
  server,
  browser,
}) => {
  await server.addAgent(ADMIN.email, ADMIN.name, ADMIN.password, true);
  const context = await browser.newContext();
  const console_ = new ConsolePage(await context.newPage(), server);
  await console_.page.goto(server.url("/console/"));
  await expect(console_.page.getByTestId("login-submit")).toBeVisible();
  await expectNoViolations(console_.page, "the console's login page");

  await console_.loginOk(ADMIN);
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.send("my order has not arrived");
  await expect(console_.items.filter({ hasText: "my order has not arrived" })).toHaveCount(1);
  await expectNoViolations(console_.page, "the console's conversation list");

  await console_.openConversationWith("my order has not arrived");
  await console_.say("Sorry to hear that, let me check");
  await expectNoViolations(console_.page, "an open conversation in the console");

  await console_.page.getByTestId("search-input").fill("order");
  await expect(console_.page.getByTestId("search-result").first()).toBeVisible();
  await expectNoViolations(console_.page, "search results in the console");

  await console_.page.getByTestId("reports").click();
  await expect(console_.page.getByTestId("report-chart").first()).toBeVisible();
  await expectNoViolations(console_.page, "the reports page");
  await context.close();
});

for (const color of ["#ffd400", "lightyellow", "#0a7f3f", "black"]) {
  test(`text on the launcher, header and visitor bubbles contrasts with data-color ${color}`, async ({ page, server }) => {
    const url = server.url("/owner-page.html");
    await page.route(url, (route) =>
      route.fulfill({
        contentType: "text/html; charset=utf-8",
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Owner</title></head>
<body><main><p>Shop</p></main><script src="/widget.js" async data-color="${color}"></script></body></html>`,
      }),
    );
    const host = new HostPage(page);
    await host.goto(url);
    await host.open();
    await host.waitOnline();
    await host.send("a bubble in the site's colour");
    await expectNoViolations(page, `the widget coloured ${color}`);
    // The launcher's icon (no text, so axe leaves it alone) needs 3:1 against its button
    // (WCAG 1.4.11): the browser resolves both colours, the test compares them.
    const [fg, bg] = await host.launcher.evaluate((el) => {
      const rgb = (c: string) => {
        const canvas = document.createElement("canvas").getContext("2d")!;
        canvas.fillStyle = c;
        canvas.fillRect(0, 0, 1, 1);
        return Array.from(canvas.getImageData(0, 0, 1, 1).data.slice(0, 3));
      };
      const style = getComputedStyle(el);
      return [rgb(style.color), rgb(style.backgroundColor)];
    });
    expect(contrast(fg, bg), `icon ${fg} on ${bg}`).toBeGreaterThanOrEqual(3);
  });
}

test("keyboard only: a visitor opens the widget, writes, sends, reads the reply and closes it without the mouse", async ({
  page,
  server,
  agentConsole,
}) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await expect(host.launcher).toBeVisible();
  // Tab from the top of the page until the launcher has the focus, as a keyboard user would.
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press("Tab");
    if (await host.launcher.evaluate((el) => el.matches(":focus"))) break;
  }
  await expect(host.launcher).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(host.launcher).toHaveAttribute("aria-expanded", "true");
  await expect(host.input).toBeFocused();
  await page.keyboard.type("typed without a mouse");
  await page.keyboard.press("Enter");
  await expect(host.messages.filter({ hasText: "typed without a mouse" })).toHaveAttribute(
    "data-state",
    /sent|delivered|read/,
  );
  await agentConsole.openConversationWith("typed without a mouse");
  await agentConsole.say("Answered while you kept your hands on the keys");
  await expect(host.messages.filter({ hasText: "Answered while you kept" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(host.launcher).toHaveAttribute("aria-expanded", "false");
  await expect(host.launcher).toBeFocused();
});

// The device descriptors name WebKit for iPhones; the suite runs Debian's Chromium, so keep
// everything else (viewport, scale, touch, mobile, user agent) and drop the browser choice.
for (const name of ["iPhone 13", "Pixel 7"] as const) {
  const { defaultBrowserType: _ignored, ...device } = devices[name];
  test.describe(`on a phone (${name})`, () => {
    test.use(device);

    test(`the open panel fills the screen and its composer is fully visible and usable (${name})`, async ({
      page,
      server,
    }) => {
      const host = new HostPage(page);
      await host.goto(server.url("/"));
      await host.open();
      await host.waitOnline();
      const viewport = page.viewportSize()!;
      for (const part of [host.input, host.sendButton]) {
        const box = (await part.boundingBox())!;
        expect(box, "on screen").toBeTruthy();
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.y).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(viewport.width + 0.5);
        expect(box.y + box.height).toBeLessThanOrEqual(viewport.height + 0.5);
      }
      await host.input.tap();
      await host.input.fill("sent from a phone");
      await host.sendButton.tap();
      await expect(host.messages.filter({ hasText: "sent from a phone" })).toHaveAttribute(
        "data-state",
        /sent|delivered|read/,
      );
    });
  });
}
