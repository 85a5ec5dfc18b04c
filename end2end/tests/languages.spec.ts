// Languages (issue 13, item 6): the widget speaks the visitor's language, chosen from
// data-locale, else the host page's <html lang>, else the browser; Arabic lays it out right
// to left with the launcher on the left; a visitor downloads only their own language's
// catalog; anything unknown, malformed or unreachable gives English and a working widget.
import AxeBuilder from "@axe-core/playwright";
import { Page } from "@playwright/test";
import { AGENT, expect, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { HostPageSpec, HostSite } from "../support/host-server";
import { TidingsServer } from "../support/server";
import { SmtpSink } from "../support/smtp-sink";

/** The rule tags of WCAG 2.0, 2.1 and 2.2, levels A and AA (as accessibility.spec.ts). */
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** Records the message catalogs (`/chat/<language>.json`) the page's frames ask for. */
function catalogRequests(page: Page): string[] {
  const asked: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (/^\/chat\/[a-z]+\.json$/.test(path)) asked.push(path);
  });
  return asked;
}

/** Records the extras' catalogs (`/chat/extras/<language>.json`) the page's frames ask for. */
function extrasCatalogRequests(page: Page): string[] {
  const asked: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (/^\/chat\/extras\/[a-z]+\.json$/.test(path)) asked.push(path);
  });
  return asked;
}

/** A server that sends email (so the offline email form applies) through a fresh sink. */
async function withEmail(body: (server: TidingsServer) => Promise<void>): Promise<void> {
  const sink = await SmtpSink.start();
  const server = await TidingsServer.start(["--smtp-url", sink.url, "--smtp-from", "Support <support@example.test>"]);
  try {
    await body(server);
  } finally {
    await server.dispose();
    await sink.stop();
  }
}

/** The CSS direction an element of the widget is laid out in. */
async function direction(element: import("@playwright/test").Locator): Promise<string> {
  return element.evaluate((e) => getComputedStyle(e).direction);
}

/** Opens a host page on another origin with `spec`, runs `body`, stops the site. */
async function onHostPage(
  page: Page,
  origin: string,
  spec: HostPageSpec,
  body: (host: HostPage) => Promise<void>,
): Promise<void> {
  const site = await HostSite.start(origin);
  try {
    const host = new HostPage(page);
    await host.goto(site.page("/languages", spec));
    await body(host);
  } finally {
    await site.stop();
  }
}

/** The widget document's `lang` and `dir`. */
async function documentLanguage(host: HostPage): Promise<{ lang: string; dir: string }> {
  return host.appFrame()!.evaluate(() => ({
    lang: document.documentElement.lang,
    dir: document.documentElement.dir,
  }));
}

test("Arabic: right to left, launcher on the left, bubbles mirrored, Arabic texts, plurals and times, and only ar.json fetched", async ({
  page,
  server,
  agentConsole,
}) => {
  const asked = catalogRequests(page);
  await onHostPage(page, server.origin, { settings: { locale: "ar" } }, async (host) => {
    const viewport = page.viewportSize()!;
    const launcher = (await host.launcher.boundingBox())!;
    expect(launcher.x + launcher.width, "the launcher sits on the left").toBeLessThan(viewport.width / 2);

    await host.open();
    /** `n` as the browser's Intl writes it for Arabic (its digits, whichever CLDR gives). */
    const arabic = (n: number) =>
      host.appFrame()!.evaluate((n) => new Intl.NumberFormat("ar").format(n), n);
    const panel = (await host.frameElement.boundingBox())!;
    expect(panel.x, "the panel opens on the left too").toBeLessThan(viewport.width / 2 - panel.width / 2);
    await host.waitOnline();
    expect(await documentLanguage(host)).toEqual({ lang: "ar", dir: "rtl" });
    await expect(host.input).toHaveAttribute("placeholder", "اكتب رسالة…");
    await expect(host.sendButton).toHaveAttribute("aria-label", "إرسال");
    await expect(host.widget.locator(".tw-greeting")).toHaveText("مرحبًا! كيف يمكننا مساعدتك اليوم؟");
    await expect(host.status).toHaveText("نرد عادةً خلال بضع دقائق");
    await expect(host.widget.getByRole("region")).toHaveAttribute("aria-label", "تحدث معنا");

    // The header mirrors: the close button at the left edge, the title towards the right.
    const close = (await host.widget.getByRole("button", { name: "إغلاق المحادثة" }).boundingBox())!;
    const heading = (await host.widget.locator(".tw-title").boundingBox())!;
    expect(close.x).toBeLessThan(heading.x);

    const mine = await host.send("مرحبا، لدي سؤال");
    await expect(host.widget.getByText("شكرًا! سنكون معك قريبًا.")).toBeVisible();
    await agentConsole.openConversationWith("مرحبا، لدي سؤال");
    await agentConsole.say("أهلاً، كيف أساعدك؟");
    const theirs = host.message("أهلاً، كيف أساعدك؟");
    await expect(theirs).toHaveCount(1);
    await expect(host.widget.getByRole("separator")).toHaveText(["اليوم"]);
    await expect(host.status).toHaveText("فريق الدعم معك");

    // The visitor's bubble is on the left, the agent's on the right: left to right swapped.
    const list = (await host.list.boundingBox())!;
    const visitorBubble = (await mine.locator(".tw-bubble").boundingBox())!;
    const agentBubble = (await theirs.locator(".tw-bubble").boundingBox())!;
    expect(visitorBubble.x - list.x).toBeLessThan(4);
    expect(list.x + list.width - (agentBubble.x + agentBubble.width)).toBeLessThan(4);
    expect(visitorBubble.x).toBeLessThan(agentBubble.x);

    // Times as Arabic writes them (the browser's Intl for `ar`: its digits, and ص / م for
    // a.m. / p.m.).
    const created = (await theirs.locator("time").innerText()).replace(/[\u200e\u200f\u061c]/g, "");
    const digits = (await arabic(7)) === "7" ? "0-9" : "٠-٩";
    expect(created).toMatch(new RegExp(`^[${digits}]{1,2}:[${digits}]{2}\\s?[صم]$`));
    await expect(mine.locator(".tw-ticks")).toHaveAttribute("aria-label", /^(أُرسلت|وصلت|قُرئت)$/);

    // Plural forms by Arabic's rules (one, two, few), numbers as Intl writes them for `ar`.
    await agentConsole.close();
    await expect(host.widget.getByTestId("rating-prompt")).toBeVisible();
    await expect(host.widget.getByText("كيف كانت هذه المحادثة؟")).toBeVisible();
    const [three, five] = [await arabic(3), await arabic(5)];
    await expect(host.widget.getByTestId("rating-star-1")).toHaveAttribute("aria-label", `نجمة واحدة من ${five}`);
    await expect(host.widget.getByTestId("rating-star-2")).toHaveAttribute("aria-label", `نجمتان من ${five}`);
    await expect(host.widget.getByTestId("rating-star-3")).toHaveAttribute("aria-label", `${three} نجوم من ${five}`);
    await host.widget.getByTestId("rating-star-2").click();
    await host.widget.getByTestId("rating-submit").click();
    await expect(host.widget.getByText(`شكرًا لملاحظاتك! قيّمتنا بنجمتين من ${five}.`)).toBeVisible();
  });
  expect(asked).toEqual(["/chat/ar.json"]);
});

test("axe finds no WCAG 2.2 AA violation in the Arabic widget", async ({ page, server, agentConsole }) => {
  await onHostPage(page, server.origin, { lang: "ar", settings: { locale: "ar-EG" } }, async (host) => {
    await host.open();
    await host.waitOnline();
    await host.send("سؤال عن الطلب");
    await agentConsole.openConversationWith("سؤال عن الطلب");
    await agentConsole.say("نعم، تفضل");
    await expect(host.message("نعم، تفضل")).toHaveCount(1);
    expect(await documentLanguage(host)).toEqual({ lang: "ar", dir: "rtl" });
    const results = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze();
    const found = results.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`,
    );
    expect(found, "axe violations on the Arabic widget").toEqual([]);
  });
});

test("German from the host page's <html lang> when there is no data-locale: German texts, left to right, launcher on the right", async ({
  page,
  server,
}) => {
  const asked = catalogRequests(page);
  await onHostPage(page, server.origin, { lang: "de-DE" }, async (host) => {
    const viewport = page.viewportSize()!;
    const launcher = (await host.launcher.boundingBox())!;
    expect(launcher.x).toBeGreaterThan(viewport.width / 2);
    await host.open();
    await host.waitOnline();
    expect(await documentLanguage(host)).toEqual({ lang: "de", dir: "ltr" });
    await expect(host.input).toHaveAttribute("placeholder", "Nachricht schreiben…");
    await expect(host.widget.locator(".tw-greeting")).toHaveText("Hallo! Wie können wir Ihnen heute helfen?");
    await expect(host.status).toHaveText("Wir sind nicht da — hinterlassen Sie eine Nachricht");
    await expect(host.widget.getByRole("button", { name: "Chat schließen" })).toBeVisible();
    const mine = await host.send("Hallo, eine Frage");
    await expect(host.widget.getByText("Danke! Wir sind gleich für Sie da.")).toBeVisible();
    await expect(host.widget.getByRole("separator")).toHaveText(["Heute"]);
    // Left to right: the visitor's bubble on the right.
    const list = (await host.list.boundingBox())!;
    const bubble = (await mine.locator(".tw-bubble").boundingBox())!;
    expect(list.x + list.width - (bubble.x + bubble.width)).toBeLessThan(4);
    await expect(mine.locator("time")).toHaveText(/^\d{1,2}:\d{2}$/);
  });
  expect(asked).toEqual(["/chat/de.json"]);
});

test("a data-locale wins over the page's language, and the site owner's title and greeting are kept", async ({
  page,
  server,
}) => {
  const asked = catalogRequests(page);
  const settings = { locale: "fr", title: "Northwind", greeting: "Bienvenue chez Northwind" };
  await onHostPage(page, server.origin, { lang: "de", settings }, async (host) => {
    await host.open();
    await host.waitOnline();
    expect(await documentLanguage(host)).toEqual({ lang: "fr", dir: "ltr" });
    await expect(host.input).toHaveAttribute("placeholder", "Écrivez un message…");
    await expect(host.widget.locator(".tw-title")).toHaveText("Northwind");
    await expect(host.widget.locator(".tw-greeting")).toHaveText("Bienvenue chez Northwind");
  });
  expect(asked).toEqual(["/chat/fr.json"]);
});

for (const [name, spec] of [
  ["a malformed data-locale (over a German page)", { lang: "de", settings: { locale: "@@ not a locale" } }],
  ["a language the widget does not ship (ja)", { settings: { locale: "ja-JP" } }],
] as const) {
  test(`${name} gives English and fetches no catalog`, async ({ page, server }) => {
    const asked = catalogRequests(page);
    await onHostPage(page, server.origin, spec, async (host) => {
      const viewport = page.viewportSize()!;
      expect((await host.launcher.boundingBox())!.x).toBeGreaterThan(viewport.width / 2);
      await host.open();
      await host.waitOnline();
      expect(await documentLanguage(host)).toEqual({ lang: "en", dir: "ltr" });
      await expect(host.input).toHaveAttribute("placeholder", "Write a message…");
      await expect(host.widget.locator(".tw-greeting")).toHaveText("Hi! How can we help you today?");
      await host.send(`hello with ${name}`);
    });
    expect(asked).toEqual([]);
  });
}

test("a catalog that cannot be fetched leaves the widget in English, working", async ({ page, server, agentConsole }) => {
  await page.route(/\/chat\/ar\.json/, (route) => route.abort());
  await onHostPage(page, server.origin, { settings: { locale: "ar" } }, async (host) => {
    await host.open();
    await host.waitOnline();
    expect(await documentLanguage(host)).toEqual({ lang: "en", dir: "ltr" });
    await expect(host.input).toHaveAttribute("placeholder", "Write a message…");
    await host.send("hello without a catalog");
    await agentConsole.openConversationWith("hello without a catalog");
    await agentConsole.say("still here");
    await expect(host.message("still here")).toHaveCount(1);
  });
});

test("a data-position on an Arabic page keeps the launcher where the site owner put it", async ({ page, server }) => {
  await onHostPage(page, server.origin, { settings: { locale: "ar", position: "right" } }, async (host) => {
    const viewport = page.viewportSize()!;
    expect((await host.launcher.boundingBox())!.x).toBeGreaterThan(viewport.width / 2);
  });
});

test("the console follows the agent's browser language: German texts, and Arabic right to left", async ({ browser, server }) => {
  await server.addAgent(AGENT.email, AGENT.name, AGENT.password);
  const german = await browser.newContext({ locale: "de-DE" });
  try {
    const page = await german.newPage();
    await page.goto(server.url("/console/"));
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page.locator("html")).toHaveAttribute("dir", "ltr");
    await expect(page.getByTestId("login-submit")).toHaveText("Anmelden");
    await page.getByTestId("login-email").fill(AGENT.email);
    await page.getByTestId("login-password").fill("not her password");
    await page.getByTestId("login-submit").click();
    await expect(page.getByText("Falsche E-Mail oder falsches Passwort.")).toBeVisible();
    await page.getByTestId("login-password").fill(AGENT.password);
    await page.getByTestId("login-submit").click();
    await expect(page.getByTestId("filter-waiting")).toContainText("Wartend");
    await expect(page.getByText("Niemand wartet. Neue Chats erscheinen hier sofort.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Abmelden" })).toBeVisible();
  } finally {
    await german.close();
  }
  const arabic = await browser.newContext({ locale: "ar-EG" });
  try {
    const page = await arabic.newPage();
    await page.goto(server.url("/console/"));
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByTestId("login-submit")).toHaveText("تسجيل الدخول");
  } finally {
    await arabic.close();
  }
});

test("Arabic extras: the offline email form and the emoji picker in Arabic, right to left, the launcher's label in Arabic, and only extras/ar.json fetched", async ({
  page,
}) => {
  const asked = extrasCatalogRequests(page);
  await withEmail(async (server) => {
    await onHostPage(page, server.origin, { settings: { locale: "ar" } }, async (host) => {
      // Before the app has loaded, the loader names the launcher with the Arabic title.
      await expect(host.launcher).toHaveAttribute("aria-label", "تحدث معنا");
      await host.open();
      await host.waitOnline();
      expect(await documentLanguage(host)).toEqual({ lang: "ar", dir: "rtl" });
      // The launcher speaks the visitor's language once the app has said its labels.
      await expect(host.launcher).toHaveAttribute("aria-label", "إغلاق الدردشة: تحدث معنا");
      // So do the panel (a dialog named by its title) and the frame's title.
      await expect(page.getByRole("dialog")).toHaveAttribute("aria-label", "تحدث معنا");
      await expect(host.frameElement).toHaveAttribute("title", "تحدث معنا");

      // Nobody online: the extras' offline email form, in Arabic and right to left.
      const field = host.widget.getByTestId("offline-email");
      await expect(field).toBeVisible();
      await expect(host.widget.getByText("لا يوجد أحد متصل الآن. اترك بريدك الإلكتروني وسنرد عليك هناك:")).toBeVisible();
      const form = host.widget.locator(".tx-offline");
      expect(await direction(form)).toBe("rtl");
      // The field starts at the right edge, its save button to its left.
      const save = host.widget.getByTestId("offline-email-submit");
      await expect(save).toHaveText("حفظ");
      expect((await save.boundingBox())!.x).toBeLessThan((await field.boundingBox())!.x);
      await field.fill("vera@example.test");
      await save.click();
      await expect(host.widget.getByText("سنراسلك على vera@example.test عندما نرد.")).toBeVisible();

      // The emoji picker: Arabic names and messages, English emoji names still searchable,
      // the grid mirrored (the first emoji at the right) and the arrows with it.
      await host.widget.getByTestId("emoji-button").click();
      const picker = host.widget.getByTestId("emoji-picker");
      await expect(picker).toBeVisible();
      await expect(picker).toHaveAttribute("aria-label", "الرموز التعبيرية");
      const search = host.widget.getByTestId("emoji-search");
      await expect(search).toHaveAttribute("placeholder", "ابحث عن رمز تعبيري");
      expect(await direction(picker)).toBe("rtl");
      await search.fill("no such emoji at all");
      await expect(picker.getByText("لم يُعثر على أي رمز تعبيري")).toBeVisible();
      await search.fill("heart");
      const options = host.widget.getByTestId("emoji-option");
      await expect(options.first()).toBeVisible();
      const [first, second] = [(await options.nth(0).boundingBox())!, (await options.nth(1).boundingBox())!];
      expect(first.x).toBeGreaterThan(second.x);
      await search.press("ArrowDown");
      await expect(options.nth(0)).toBeFocused();
      await options.nth(0).press("ArrowLeft");
      await expect(options.nth(1)).toBeFocused();
      await options.nth(1).press("ArrowRight");
      await expect(options.nth(0)).toBeFocused();
      await options.nth(0).press("Escape");
      await expect(picker).toBeHidden();

      // Closed, the launcher says "open" in Arabic.
      await host.close();
      await expect(host.launcher).toHaveAttribute("aria-label", "فتح الدردشة: تحدث معنا");
    });
  });
  expect(asked).toEqual(["/chat/extras/ar.json"]);
});

test("Spanish extras, left to right: the pre-chat form's labels and messages and the emoji picker in Spanish", async ({
  page,
  server,
}) => {
  const asked = extrasCatalogRequests(page);
  const settings = { locale: "es-ES", prechat: "name,email", "prechat-required": "email" };
  await onHostPage(page, server.origin, { settings }, async (host) => {
    await host.open();
    await host.waitOnline();
    expect(await documentLanguage(host)).toEqual({ lang: "es", dir: "ltr" });
    const form = host.widget.getByTestId("prechat-form");
    await expect(form).toBeVisible();
    expect(await direction(form)).toBe("ltr");
    await expect(form.getByText("Antes de empezar, dinos quién eres.")).toBeVisible();
    await expect(host.widget.getByLabel("Nombre (opcional)")).toHaveCount(1);
    await expect(host.widget.getByLabel("Correo electrónico", { exact: true })).toHaveCount(1);
    const email = host.widget.getByTestId("prechat-email");
    const submit = host.widget.getByTestId("prechat-submit");
    await expect(submit).toHaveText("Empezar a chatear");
    await submit.click();
    await expect(email).toHaveAttribute("aria-invalid", "true");
    await expect(form.getByText("Escribe tu dirección de correo electrónico.")).toBeVisible();
    await host.widget.getByTestId("prechat-name").fill("N".repeat(513));
    await email.fill("ana@example.test");
    await submit.click();
    await expect(form.getByText("Es demasiado largo: 512 caracteres como máximo.")).toBeVisible();
    await host.widget.getByTestId("prechat-name").fill("Ana");
    await submit.click();
    await expect(form).toHaveCount(0);

    await host.widget.getByTestId("emoji-button").click();
    const picker = host.widget.getByTestId("emoji-picker");
    await expect(picker).toHaveAttribute("aria-label", "Emojis");
    await expect(host.widget.getByTestId("emoji-search")).toHaveAttribute("placeholder", "Buscar emojis");
    expect(await direction(picker)).toBe("ltr");
    const options = host.widget.getByTestId("emoji-option");
    const [first, second] = [(await options.nth(0).boundingBox())!, (await options.nth(1).boundingBox())!];
    expect(first.x).toBeLessThan(second.x);
    await host.widget.getByTestId("emoji-search").press("ArrowDown");
    await options.nth(0).press("ArrowRight");
    await expect(options.nth(1)).toBeFocused();
  });
  expect(asked).toEqual(["/chat/extras/es.json"]);
});

test("an extras catalog that cannot be fetched leaves the extras in English, working, under the Arabic widget", async ({
  page,
  server,
}) => {
  await page.route(/\/chat\/extras\/ar\.json/, (route) => route.abort());
  await onHostPage(page, server.origin, { settings: { locale: "ar" } }, async (host) => {
    await host.open();
    await host.waitOnline();
    expect(await documentLanguage(host)).toEqual({ lang: "ar", dir: "rtl" });
    await host.widget.getByTestId("emoji-button").click();
    const picker = host.widget.getByTestId("emoji-picker");
    await expect(picker).toBeVisible();
    await expect(picker).toHaveAttribute("aria-label", "Emoji");
    await expect(host.widget.getByTestId("emoji-search")).toHaveAttribute("placeholder", "Search emoji");
    await host.widget.getByTestId("emoji-search").fill("thumbs up");
    await host.widget.getByTestId("emoji-search").press("Enter");
    await expect(host.input).toHaveValue("👍");
  });
});
