// Verified identity in real Chromium: the host page identifies a logged-in customer with a
// `user_hash` its backend signed (here: computed in the test with Node's own HMAC); agents see
// "verified" beside them and "unverified" beside an impostor who copies their name and email
// with a forged hash; the customer's second browser finds the earlier conversation; and
// `Tidings('shutdown')` on a shared computer leaves the next visitor nothing, token included.
import { createHmac } from "node:crypto";
import { expect, SITES, test as base } from "../support/fixtures";
import { HostPage } from "../support/host-page";
import { TidingsServer } from "../support/server";

const SECRET = "e2e-site-identity-secret";
const sign = (userId: string) => createHmac("sha256", SECRET).update(userId).digest("hex");

const test = base.extend<{ server: TidingsServer }>({
  server: async ({}, use, testInfo) => {
    const server = await TidingsServer.start(["--identity-secret", SECRET]);
    await use(server);
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach("server.log", { body: server.log, contentType: "text/plain" });
    }
    await server.dispose();
  },
});

for (const site of SITES) {
  test(`a verified customer is verified for agents, follows their chat to another browser, and shutdown leaves nothing [${site}]`, async ({
    browser,
    server,
    shop,
    agentConsole,
  }) => {
    const url = await shop(site);
    const customer = { user_id: "customer-7", user_hash: sign("customer-7"), name: "Grace", email: "grace@example.com" };

    const laptop = new HostPage(await (await browser.newContext()).newPage());
    await laptop.goto(url);
    await laptop.command("identify", customer);
    await laptop.open();
    await laptop.send("where is my parcel?");
    const id = await agentConsole.openConversationWith("where is my parcel?");
    await expect(agentConsole.item(id).getByTestId("visitor-verified")).toHaveAttribute("data-state", "verified");
    await expect(agentConsole.page.locator("header").getByTestId("visitor-verified")).toHaveText("verified");
    await agentConsole.say("it is on its way");
    await expect(laptop.message("it is on its way")).toHaveCount(1);

    // Someone else types her name, email and user id, with a hash signed for another user.
    const impostor = new HostPage(await (await browser.newContext()).newPage());
    await impostor.goto(url);
    await impostor.command("identify", { ...customer, user_hash: sign("customer-8") });
    await impostor.open();
    await impostor.waitOnline();
    await impostor.send("I am Grace, where is my parcel");
    await expect(impostor.message("it is on its way")).toHaveCount(0);
    await agentConsole.filter("waiting").click();
    const impostors = agentConsole.items.filter({ hasText: "I am Grace, where is my parcel" });
    await expect(impostors.getByTestId("visitor-verified")).toHaveAttribute("data-state", "unverified");
    await expect(impostor.message("where is my parcel?")).toHaveCount(0);

    // Her phone: a browser of its own, the same signed user id.
    const phoneContext = await browser.newContext();
    const phone = new HostPage(await phoneContext.newPage());
    await phone.goto(url);
    await phone.command("identify", { user_id: customer.user_id, user_hash: customer.user_hash });
    await phone.open();
    await expect(phone.message("where is my parcel?")).toHaveCount(1);
    await expect(phone.message("it is on its way")).toHaveCount(1);
    await phone.send("thanks, from my phone");
    await agentConsole.filter("mine").click();
    await agentConsole.openConversation(id);
    await expect(agentConsole.messages.filter({ hasText: "thanks, from my phone" })).toHaveCount(1);
    await expect(laptop.message("thanks, from my phone")).toHaveCount(1);

    // She logs out on the phone, a shared computer: the next person there starts afresh.
    const token = await phone.visitorToken();
    expect(token).toBeTruthy();
    await phone.command("shutdown");
    await expect(phone.launcher).toHaveCount(0);
    const ended = await fetch(server.url("/v1/visitor"), { headers: { authorization: `Bearer ${token}` } });
    expect(ended.status).toBe(401);
    const next = new HostPage(await phoneContext.newPage());
    await next.goto(url);
    await expect(next.unread).toBeHidden();
    await next.open();
    await next.waitOnline();
    await expect(next.messages).toHaveCount(0);
    expect(await next.outbox()).toEqual([]);
    expect(await next.visitorToken()).not.toBe(token);
    await next.send("hello, I am someone else");
    await expect(next.message("where is my parcel?")).toHaveCount(0);
    await agentConsole.filter("waiting").click();
    const stranger = agentConsole.items.filter({ hasText: "hello, I am someone else" });
    await expect(stranger.getByTestId("visitor-verified")).toHaveAttribute("data-state", "unverified");
    // Her laptop goes on as before.
    await expect(laptop.message("thanks, from my phone")).toHaveCount(1);
    await laptop.send("still here on the laptop");
    await agentConsole.filter("mine").click();
    await agentConsole.openConversation(id);
    await expect(agentConsole.messages.filter({ hasText: "still here on the laptop" })).toHaveCount(1);
  });
}
