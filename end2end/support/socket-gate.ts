// Holds the server's frames to the browser while closed, so a test can see a message in its
// `pending` state before the server's ack is let through. Uses Playwright's WebSocket routing,
// which sits between every page and frame of the context and the real server.
import { BrowserContext, WebSocketRoute } from "@playwright/test";

export class SocketGate {
  private held: Array<[WebSocketRoute, string | Buffer]> = [];
  private open = true;

  static async install(context: BrowserContext): Promise<SocketGate> {
    const gate = new SocketGate();
    await context.routeWebSocket(/\/v1\/socket/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        if (gate.open) ws.send(m);
        else gate.held.push([ws, m]);
      });
    });
    return gate;
  }

  close(): void {
    this.open = false;
  }

  /** Lets every held frame through, in order, and keeps the gate open. */
  release(): void {
    this.open = true;
    for (const [ws, m] of this.held.splice(0)) ws.send(m);
  }
}
