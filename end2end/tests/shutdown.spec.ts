// `Tidings('shutdown')` at a site's logout ends the visitor's session in this browser: the
// next person on the same computer sees nothing of the previous one, on the server's own
// page and on another site (where the loader keeps the app's storage in the host page).
import { expect, SITES, test } from "../support/fixtures";
import { HostPage } from "../support/host-page";

for (const site of SITES) {
  test(`shutdown forgets the visitor in this browser: other tabs drop the chat and the next visitor starts afresh [${site}]`, async ({
    context,
    shop,
    agentConsole,
  }) => {
    const url = await shop(site);
    const first = new HostPage(await context.newPage());
    await first.goto(url);
    await first.open();
    await first.send("my order number is 1234");
    const previous = await agentConsole.openConversationWith("my order number is 1234");
    await agentConsole.say("noted, thanks");
    await expect(first.message("noted, thanks")).toHaveCount(1);

    const second = new HostPage(await context.newPage());
    await second.goto(url);
    await second.open();
    await expect(second.message("noted, thanks")).toHaveCount(1);

    await first.command("shutdown");
    await expect(first.launcher).toHaveCount(0);
    // The other tab's panel starts again as a stranger's.
    await expect(second.message("my order number is 1234")).toHaveCount(0);
    await expect(second.message("noted, thanks")).toHaveCount(0);
    await second.waitOnline();

    const next = new HostPage(await context.newPage());
    await next.goto(url);
    await expect(next.unread).toBeHidden();
    await next.open();
    await next.waitOnline();
    await expect(next.messages).toHaveCount(0);
    expect(await next.outbox()).toEqual([]);
    await next.send("hello, I am someone else");
    await agentConsole.filter("waiting").click();
    const fresh = await agentConsole.openConversationWith("hello, I am someone else");
    expect(fresh).not.toBe(previous);
    await expect(next.messages).toHaveCount(1);
  });
}
