// A small client of the Tidings wire protocol (docs/protocol.md) for the agent side of widget
// tests and for checking what the server stored. It keeps every frame it received so tests
// can wait for a condition with a deadline instead of sleeping.
import { randomUUID } from "node:crypto";
import WebSocket from "ws";

export type Frame = { type: string; [key: string]: any };
export type Message = {
  id: string;
  conversation_id: string;
  seq: number;
  sender: "visitor" | "agent" | "system";
  body: string;
  author_name?: string;
};

export class ProtocolClient {
  frames: Frame[] = [];
  private ws?: WebSocket;
  private waiters: Array<() => void> = [];

  constructor(
    readonly origin: string,
    readonly token: string,
  ) {}

  static async loginAgent(origin: string, email: string, password: string): Promise<ProtocolClient> {
    const client = new ProtocolClient(origin, await loginToken(origin, email, password));
    await client.connect();
    return client;
  }

  async connect(): Promise<void> {
    const ws = new WebSocket(this.origin.replace(/^http/, "ws") + "/v1/socket");
    this.ws = ws;
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.type === "ping") ws.send(JSON.stringify({ type: "pong", nonce: frame.nonce }));
      this.frames.push(frame);
      this.waiters.splice(0).forEach((w) => w());
    });
    ws.on("close", () => this.waiters.splice(0).forEach((w) => w()));
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    this.send({ type: "auth", token: this.token, version: 1 });
    await this.waitFor((f) => f.type === "hello");
  }

  send(frame: Frame): void {
    this.ws!.send(JSON.stringify(frame));
  }

  /** Waits until a frame received since `from` (an index into `frames`) matches. */
  async waitFor(pred: (f: Frame) => boolean, timeoutMs = 15_000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.slice(from).find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.frames.map((f) => f.type).join(", ");
        throw new Error(`no matching frame within ${timeoutMs} ms; saw: ${seen}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for a conversation to be created (announced to the queue) and subscribes to it. */
  async joinNewConversation(from = 0): Promise<string> {
    const f = await this.waitFor((f) => f.type === "conversation" && f.event === "created", 20_000, from);
    const id = f.conversation.id as string;
    this.subscribe(id);
    await this.waitFor((f) => f.type === "synced" && f.conversation_id === id);
    return id;
  }

  /** Waits until this connection has received a message with this body. */
  async received(body: string, timeoutMs = 20_000): Promise<Message> {
    const f = await this.waitFor((f) => f.type === "message" && f.message.body === body, timeoutMs);
    return f.message as Message;
  }

  watchQueue(): void {
    this.send({ type: "watch_queue" });
  }

  subscribe(conversationId: string, afterSeq = 0): void {
    this.send({ type: "subscribe", conversation_id: conversationId, after_seq: afterSeq });
  }

  /** Sends a message and waits for its ack (which the server sends only after commit). */
  async say(conversationId: string, body: string): Promise<Frame> {
    const id = randomUUID();
    const from = this.frames.length;
    this.send({ type: "send", id, conversation_id: conversationId, body });
    return this.waitFor((f) => (f.type === "ack" || f.type === "error") && f.id === id, 15_000, from);
  }

  /** Messages received on this connection, de-duplicated by id, in seq order. */
  messages(conversationId?: string): Message[] {
    const byId = new Map<string, Message>();
    for (const f of this.frames) {
      if (f.type === "message" && (!conversationId || f.message.conversation_id === conversationId)) {
        byId.set(f.message.id, f.message);
      }
    }
    return [...byId.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Raw count of `message` frames with this body (to detect duplicates on the wire). */
  countFrames(body: string): number {
    return this.frames.filter((f) => f.type === "message" && f.message.body === body).length;
  }

  close(): void {
    this.ws?.close();
  }
}

/** Logs an agent in over HTTP and returns the session token. */
export async function loginToken(origin: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${origin}/v1/agents/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}

/** Everything stored in a conversation, read over HTTP with the given token. */
export async function history(origin: string, token: string, conversationId: string): Promise<Message[]> {
  const res = await fetch(`${origin}/v1/conversations/${conversationId}/messages?limit=200`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`history failed: ${res.status} ${await res.text()}`);
  return (await res.json()).messages;
}
