// A tiny SMTP server on 127.0.0.1 for browser tests: enough SMTP for the Tidings server's
// client (greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT); keeps every email.
import { createServer, Server, Socket } from "node:net";

export type Email = { from: string; to: string[]; data: string; subject: string; body: string };

export class SmtpSink {
  readonly emails: Email[] = [];
  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(): Promise<SmtpSink> {
    const emails: Email[] = [];
    const server = createServer((socket) => session(socket, emails));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const sink = new SmtpSink(server, port);
    (sink as any).emails = emails;
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): Email[] {
    return this.emails.filter((e) => e.to.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function address(argument: string): string {
  const m = /<([^>]*)>/.exec(argument);
  return (m ? m[1] : argument).trim();
}

function session(socket: Socket, emails: Email[]): void {
  let buffer = "";
  let inData = false;
  let data = "";
  let from = "";
  let to: string[] = [];
  socket.write("220 sink ESMTP ready\r\n");
  socket.on("data", (chunk) => {
    buffer += chunk.toString("utf8");
    let end: number;
    while ((end = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (inData) {
        if (line === ".") {
          inData = false;
          const [head, ...rest] = data.split("\r\n\r\n");
          const subject = /^subject:\s*(.*)$/im.exec(head)?.[1] ?? "";
          emails.push({ from, to, data, subject, body: rest.join("\r\n\r\n") });
          from = "";
          to = [];
          data = "";
          socket.write("250 queued\r\n");
        } else {
          data += (line.startsWith(".") ? line.slice(1) : line) + "\r\n";
        }
        continue;
      }
      const upper = line.toUpperCase();
      if (upper.startsWith("EHLO")) socket.write("250-sink\r\n250 8BITMIME\r\n");
      else if (upper.startsWith("HELO") || upper.startsWith("NOOP") || upper.startsWith("RSET")) socket.write("250 OK\r\n");
      else if (upper.startsWith("MAIL FROM:")) {
        from = address(line.slice(10));
        socket.write("250 OK\r\n");
      } else if (upper.startsWith("RCPT TO:")) {
        to.push(address(line.slice(8)));
        socket.write("250 OK\r\n");
      } else if (upper === "DATA") {
        inData = true;
        socket.write("354 end with .\r\n");
      } else if (upper.startsWith("QUIT")) {
        socket.end("221 bye\r\n");
      } else socket.write("502 not implemented\r\n");
    }
  });
  socket.on("error", () => {});
}
