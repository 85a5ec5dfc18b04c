// Reports (issue 12, item 5), in real Chromium against a real server: an admin whose browser
// is in Auckland opens the reports page, sees charts and figures for the conversations this
// test made (one answered, rated 4 and closed; one closed with no reply, a missed chat),
// counted in the browser's time zone, and downloads the CSV of those conversations; a plain
// agent has no reports control, and the server refuses them the figures.
import * as fs from "node:fs/promises";
import { Browser, BrowserContext, Page } from "@playwright/test";
import { ConsolePage } from "../support/console-page";
import { loginToken } from "../support/api";
import { ADMIN, AGENT, expect, test } from "../support/fixtures";
import { addAgents } from "../support/people";
import { TidingsServer } from "../support/server";

const TZ = "Pacific/Auckland";

const opened: BrowserContext[] = [];
test.afterEach(async () => {
  for (const context of opened.splice(0)) await context.close();
});

async function newPage(browser: Browser, timezoneId?: string): Promise<Page> {
  const context = await browser.newContext({ timezoneId, acceptDownloads: true });
  opened.push(context);
  return context.newPage();
}

/** A visitor who opens a chat with `body` over the protocol; returns the conversation id
 * and the visitor's token. */
async function visitorChat(browser: Browser, server: TidingsServer, body: string): Promise<{ id: string; token: string }> {
  const page = await newPage(browser);
  await page.goto(server.url("/healthz"));
  return page.evaluate(async (body) => {
    const res = await fetch("/v1/visitors", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Zoe" }),
    });
    if (!res.ok) throw new Error(`visitor: ${res.status} ${await res.text()}`);
    const { token } = await res.json();
    const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/v1/socket`);
    const id = crypto.randomUUID();
    const conversation = await new Promise<string>((resolve, reject) => {
      ws.onmessage = (e) => {
        const frame = JSON.parse(e.data);
        if (frame.type === "hello") ws.send(JSON.stringify({ type: "send", id, body }));
        else if (frame.type === "ack" && frame.id === id) resolve(frame.conversation_id);
        else if (frame.type === "error") reject(new Error(JSON.stringify(frame)));
      };
      ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token, version: 1 }));
      ws.onerror = () => reject(new Error("socket failed"));
    });
    ws.close();
    return { id: conversation, token };
  }, body);
}

async function call(server: TidingsServer, method: string, path: string, token: string, body?: unknown): Promise<Response> {
  return fetch(server.url(path), {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Today in `tz`, as the reports page labels a day ("2 Dec") and as the API names it. */
function today(tz: string): { label: string; iso: string } {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return { label: `${Number(get("day"))} ${months[Number(get("month")) - 1]}`, iso: `${get("year")}-${get("month")}-${get("day")}` };
}

test("an admin sees the team's figures as charts in their time zone and downloads the conversations as CSV", async ({ browser, server }) => {
  await addAgents(server);
  const adminToken = await loginToken(server.origin, ADMIN.email, ADMIN.password);

  // One chat Ada answers and closes, which the visitor rates 4.
  const ada = new ConsolePage(await newPage(browser), server);
  await ada.loginOk(AGENT);
  const answered = await visitorChat(browser, server, "where is my parcel?");
  await ada.openConversationWith("where is my parcel?");
  await ada.say("It left this morning.");
  await ada.close();
  await expect
    .poll(async () => (await (await call(server, "GET", `/v1/conversations/${answered.id}`, adminToken)).json()).status)
    .toBe("ended");
  const rated = await call(server, "POST", `/v1/conversations/${answered.id}/rating`, answered.token, { rating: 4 });
  expect(rated.status).toBe(200);
  // One nobody answers, closed from the queue: a missed chat.
  const missed = await visitorChat(browser, server, "hello? anyone?");
  const closed = await call(server, "POST", "/v1/conversations/close-waiting", adminToken, { conversation_ids: [missed.id] });
  expect(closed.status).toBe(200);

  // Ada has no reports control, and the server refuses her the figures.
  await expect(ada.page.getByTestId("team-manage")).toHaveCount(0);
  await expect(ada.page.getByTestId("reports")).toHaveCount(0);
  const adaToken = await loginToken(server.origin, AGENT.email, AGENT.password);
  const day = today(TZ);
  for (const path of ["/v1/reports", "/v1/reports/conversations.csv"]) {
    const refused = await call(server, "GET", `${path}?from=${day.iso}&to=${day.iso}&tz=${TZ}`, adaToken);
    expect(refused.status).toBe(403);
  }

  // The admin, in Auckland, opens the reports: the last 7 days there, today included.
  const admin = new ConsolePage(await newPage(browser, TZ), server);
  await admin.loginOk(ADMIN);
  await admin.page.getByTestId("reports").click();
  await expect(admin.page.getByTestId("report-tz")).toHaveText(`Days in ${TZ}`);
  await expect(admin.page.getByTestId("report-to")).toHaveValue(day.iso);
  await expect(admin.page.getByTestId("report-summary")).toContainText("2 conversations");
  await expect(admin.page.getByTestId("report-summary")).toContainText("1 missed");

  const charts = admin.page.getByTestId("report-chart");
  await expect(charts).toHaveCount(4);
  // Each chart is an image with a name and its values in words.
  for (const chart of await charts.all()) {
    await expect(chart).toHaveAttribute("role", "img");
    await expect(chart).toHaveAttribute("aria-label", /.+/);
    const described = await chart.getAttribute("aria-describedby");
    await expect(admin.page.locator(`[id="${described}"]`)).not.toBeEmpty();
  }
  const perDay = admin.page.locator('[data-testid="report-chart"][data-chart="per-day"]');
  const perDayText = await admin.page.locator(`[id="${await perDay.getAttribute("aria-describedby")}"]`).textContent();
  // Seven days, every one 0 but today's 2.
  const days = perDayText!.split("; ");
  expect(days).toHaveLength(7);
  expect(days[6]).toBe(`${day.label}: 2`);
  expect(days.slice(0, 6).every((d) => d.endsWith(": 0"))).toBe(true);
  // The bar's value is drawn on the chart too.
  await expect(perDay.locator("text.bar-value").last()).toHaveText("2");
  const csat = admin.page.locator('[data-testid="report-chart"][data-chart="csat"]');
  await expect(csat).toHaveAttribute("aria-label", "Ratings (whole team): average 4.0, 1 rated");
  const csatText = await admin.page.locator(`[id="${await csat.getAttribute("aria-describedby")}"]`).textContent();
  expect(csatText).toBe("1 ★: 0; 2 ★: 0; 3 ★: 0; 4 ★: 1; 5 ★: 0");
  const firstResponse = admin.page.locator('[data-testid="report-chart"][data-chart="first-response"]');
  const frText = await admin.page.locator(`[id="${await firstResponse.getAttribute("aria-describedby")}"]`).textContent();
  expect(frText).toMatch(/^Whole team: median \d+ s, p90 \d+ s; /);
  expect(frText).toContain("Ada: median");

  const team = admin.page.locator('[data-testid="report-row"][data-agent="team"]');
  await expect(team.locator('[data-figure="conversations"]')).toHaveText("2");
  await expect(team.locator('[data-figure="missed"]')).toHaveText("1");
  await expect(team.locator('[data-figure="csat-average"]')).toHaveText("4.0");
  await expect(team.locator('[data-figure="csat-distribution"]')).toHaveText("0 / 0 / 0 / 1 / 0");
  const adaRow = admin.page.locator('[data-testid="report-row"]').filter({ hasText: "Ada" });
  await expect(adaRow.locator('[data-figure="conversations"]')).toHaveText("1");
  await expect(adaRow.locator('[data-figure="missed"]')).toHaveText("0");
  await expect(adaRow.locator('[data-figure="resolution-median"]')).not.toHaveText("–");

  // The CSV: a header and one row per conversation, times in Auckland's offset.
  const [download] = await Promise.all([admin.page.waitForEvent("download"), admin.page.getByTestId("report-export").click()]);
  expect(download.suggestedFilename()).toMatch(/^tidings-conversations-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await fs.readFile((await download.path())!, "utf8");
  const lines = csv.split("\r\n").filter((l) => l !== "");
  expect(lines[0]).toBe(
    "conversation_id,day,agent_id,agent_name,status,started_at,first_visitor_message_at,first_agent_reply_at,first_response_ms,ended_at,resolution_ms,rating,missed",
  );
  expect(lines).toHaveLength(3);
  const rows = new Map(lines.slice(1).map((l) => [l.slice(0, 36), l.split(",")]));
  const first = rows.get(answered.id)!;
  expect(first[1]).toBe(day.iso);
  expect(first[3]).toBe("Ada");
  expect(first[4]).toBe("ended");
  expect(first[5]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+1[23]:00$/);
  expect(Number(first[8])).toBeGreaterThanOrEqual(0);
  expect(first[11]).toBe("4");
  expect(first[12]).toBe("0");
  const second = rows.get(missed.id)!;
  expect(second[4]).toBe("ended");
  expect(second[7]).toBe("");
  expect(second[8]).toBe("");
  expect(second[11]).toBe("");
  expect(second[12]).toBe("1");
});

test("a plain agent has no reports control, and the page refuses them", async ({ server, agentConsole }) => {
  await expect(agentConsole.page.getByTestId("filter-waiting")).toBeVisible();
  await expect(agentConsole.page.getByTestId("reports")).toHaveCount(0);
  await agentConsole.page.goto(server.url("/console/#/reports"));
  await expect(agentConsole.page.getByTestId("admins-only")).toBeVisible();
  await expect(agentConsole.page.getByTestId("report-chart")).toHaveCount(0);
});
