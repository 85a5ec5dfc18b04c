// The HTTP API as tests use it to read what the server stored (docs/protocol.md).

export type Message = {
  id: string;
  conversation_id: string;
  seq: number;
  sender: "visitor" | "agent" | "system";
  body: string;
  author_name?: string;
};

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
