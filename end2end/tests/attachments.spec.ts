// Attachments both ways (issue 13, item 1): a visitor sends a picture by the paperclip's file
// picker (a progress bar while it uploads; a thumbnail in the widget and the console that
// opens full size), by pasting it and by dropping a file on the panel; the agent sends a PDF,
// which the visitor sees as a named link with its size and downloads; a refused type and a
// file over the limit show the server's reason, and the refused file can be retried; a file
// as the very first message starts the conversation.
import { Locator, Page } from "@playwright/test";
import { ConsolePage } from "../support/console-page";
import { expect, test } from "../support/fixtures";
import { FilePayload, overLimit, pageNamedPng, pdf, png } from "../support/files";
import { HostPage } from "../support/host-page";

/** A visitor in a conversation the agent has open. */
async function chatting(page: Page, url: string, agent: ConsolePage): Promise<HostPage> {
  const host = new HostPage(page);
  await host.goto(url);
  await host.open();
  await host.waitOnline();
  await host.send("I have a screenshot for you");
  await agent.openConversationWith("I have a screenshot for you");
  return host;
}

/** Whether the picture in `img` was fetched and decoded (a broken image has no width). */
async function decoded(img: Locator): Promise<number> {
  return img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0));
}

/** Dispatches a paste (on the composer) or a drop (on the panel) carrying `file`. */
async function pasteOrDrop(target: Locator, kind: "paste" | "drop", file: FilePayload): Promise<void> {
  await target.evaluate(
    (el, { kind, name, type, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], name, { type }));
      const event =
        kind === "paste"
          ? new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
          : new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
      el.dispatchEvent(event);
    },
    { kind, name: file.name, type: file.mimeType, base64: file.buffer.toString("base64") },
  );
}

test("a visitor sends a picture by the file picker: progress while it uploads, a thumbnail in the widget and the console that opens full size", async ({
  page,
  server,
  agentConsole,
}) => {
  const host = await chatting(page, server.url("/"), agentConsole);
  // Hold the upload until the progress bar has been seen.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/v1\/attachments\?/, async (route) => {
    await held;
    await route.continue();
  });
  const chooser = page.waitForEvent("filechooser");
  await host.widget.getByTestId("attach-button").click();
  await (await chooser).setFiles(png("screenshot.png"));
  const progress = host.widget.getByTestId("upload-progress");
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("role", "progressbar");
  release();
  await expect(progress).toHaveCount(0);

  const mine = host.messages.filter({ has: host.widget.getByTestId("attachment") });
  await expect(mine).toHaveCount(1);
  await expect(mine).toHaveAttribute("data-sender", "visitor");
  await expect(mine.getByTestId("attachment")).toHaveAttribute("data-kind", "image");
  const thumbnail = mine.getByTestId("attachment-image");
  await expect(thumbnail).toHaveAttribute("alt", "screenshot.png");
  await expect.poll(() => decoded(thumbnail)).toBe(64);

  const theirs = agentConsole.page.getByTestId("attachment-image");
  await expect(theirs).toHaveCount(1);
  await expect.poll(() => decoded(theirs)).toBe(64);

  // Full size in a new tab, served as the picture it is, from the server's origin.
  const popup = agentConsole.page.waitForEvent("popup");
  await theirs.click();
  const tab = await popup;
  await tab.waitForLoadState();
  expect(new URL(tab.url()).origin).toBe(server.origin);
  expect(tab.url()).toContain("/v1/attachments/");
  const full = await tab.request.get(tab.url());
  expect(full.headers()["content-type"]).toBe("image/png");
  expect(full.headers()["x-content-type-options"]).toBe("nosniff");
  expect(full.headers()["content-security-policy"]).toBe("default-src 'none'; sandbox");
  await tab.close();

  const visitorTab = page.waitForEvent("popup");
  await thumbnail.click();
  const opened = await visitorTab;
  await opened.waitForLoadState();
  expect(opened.url()).toContain("/v1/attachments/");
  await opened.close();
});

test("a visitor pastes a picture into the composer and drops a file on the panel", async ({
  page,
  server,
  agentConsole,
}) => {
  const host = await chatting(page, server.url("/"), agentConsole);
  await pasteOrDrop(host.widget.getByTestId("composer-input"), "paste", png("pasted.png", 20, 10));
  const pasted = host.widget.locator('[data-testid="attachment-image"][alt="pasted.png"]');
  await expect(pasted).toHaveCount(1);
  await expect.poll(() => decoded(pasted)).toBe(20);
  // The pasted picture was sent, not typed.
  await expect(host.widget.getByTestId("composer-input")).toHaveValue("");

  await pasteOrDrop(host.widget.getByTestId("chat-widget"), "drop", pdf("dropped.pdf"));
  const dropped = host.widget.getByTestId("attachment-file").filter({ hasText: "dropped.pdf" });
  await expect(dropped).toHaveCount(1);
  await expect(agentConsole.page.getByTestId("attachment-file").filter({ hasText: "dropped.pdf" })).toHaveCount(1);
  await expect(agentConsole.page.locator('[data-testid="attachment-image"][alt="pasted.png"]')).toHaveCount(1);
});

test("the agent sends a PDF: the visitor sees its name and size and downloads it", async ({
  page,
  server,
  agentConsole,
}) => {
  const host = await chatting(page, server.url("/"), agentConsole);
  const file = pdf("Delivery guide.pdf");
  await agentConsole.page.getByTestId("attach-input").setInputFiles(file);
  await expect(agentConsole.page.getByTestId("attachment-file")).toHaveCount(1);

  const link = host.widget.getByTestId("attachment-file");
  await expect(link).toHaveCount(1);
  await expect(link).toHaveText(`Delivery guide.pdf (${Math.ceil(file.buffer.length / 1024)} KB)`);
  const message = host.messages.filter({ has: link });
  await expect(message).toHaveAttribute("data-sender", "agent");
  await expect(message.getByTestId("attachment")).toHaveAttribute("data-kind", "file");

  const download = page.waitForEvent("download");
  await link.click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe("Delivery guide.pdf");
  const path = await saved.path();
  const { readFile } = await import("node:fs/promises");
  expect((await readFile(path!)).equals(file.buffer)).toBe(true);
});

test("a refused type and a file over the limit show the server's reason; a refused file can be retried or dismissed", async ({
  page,
  server,
  agentConsole,
}) => {
  const host = await chatting(page, server.url("/"), agentConsole);
  const input = host.widget.getByTestId("attach-input");
  const error = host.widget.getByTestId("upload-error");

  await input.setInputFiles(pageNamedPng("cat.png"));
  await expect(error).toContainText("cat.png");
  await expect(error).toContainText("text/html");
  await expect(error.getByRole("button", { name: "Retry" })).toBeVisible();
  // A retry gets the same answer, and nothing was sent.
  await error.getByRole("button", { name: "Retry" }).click();
  await expect(error).toContainText("text/html");
  await expect(host.widget.getByTestId("attachment")).toHaveCount(0);
  await error.getByRole("button", { name: "Dismiss" }).click();
  await expect(error).toHaveCount(0);

  await input.setInputFiles(overLimit("huge.txt"));
  await expect(error).toContainText("huge.txt");
  await expect(error).toContainText("too large");
  await expect(error).toContainText("10 MB");
  await expect(host.widget.getByTestId("attachment")).toHaveCount(0);
  await expect(agentConsole.page.getByTestId("attachment")).toHaveCount(0);

  // The console shows its refusals too.
  await agentConsole.page.getByTestId("attach-input").setInputFiles(pageNamedPng("dog.png"));
  await expect(agentConsole.page.getByTestId("upload-error")).toContainText("text/html");
});

test("a file as the visitor's very first message starts the conversation", async ({ page, server, agentConsole }) => {
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();
  await host.widget.getByTestId("attach-input").setInputFiles(png("first.png", 30, 20));
  const thumbnail = host.widget.locator('[data-testid="attachment-image"][alt="first.png"]');
  await expect(thumbnail).toHaveCount(1);
  await expect.poll(() => decoded(thumbnail)).toBe(30);
  // The new conversation waits in the console with the file's name as its preview.
  await agentConsole.openConversationWith("first.png");
  await expect(agentConsole.page.locator('[data-testid="attachment-image"][alt="first.png"]')).toHaveCount(1);
});

test("the upload's views come with the extras on the first file, not with the open panel; extras that cannot be loaded are said, and a later file loads them", async ({
  page,
  server,
}) => {
  const extras: string[] = [];
  page.on("request", (r) => r.url().includes("/chat/extras/") && extras.push(r.url()));
  await page.route("**/chat/extras/**", (route) => route.abort("internetdisconnected"));
  const host = new HostPage(page);
  await host.goto(server.url("/"));
  await host.open();
  await host.waitOnline();
  await host.send("a file is coming");
  expect(extras, "nothing of the extras before a file is picked").toEqual([]);

  const input = host.widget.getByTestId("attach-input");
  await input.setInputFiles(png("first.png", 4, 4));
  await expect(host.widget.getByRole("alert").filter({ hasText: "could not be loaded" })).toBeVisible();
  await expect(host.widget.getByTestId("attachment")).toHaveCount(0);

  await page.unroute("**/chat/extras/**");
  await input.setInputFiles(png("second.png", 6, 6));
  await expect(host.widget.locator('[data-testid="attachment-image"][alt="second.png"]')).toHaveCount(1);
  await expect(host.widget.getByTestId("upload-progress")).toHaveCount(0);
  await expect(host.widget.getByTestId("upload-error")).toHaveCount(0);
});
