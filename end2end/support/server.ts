// A real Tidings server for one test: the binary xtask built, a temporary SQLite database (or
// a given database, such as a PostgreSQL that several nodes share), the assets xtask built. It can be killed and started again on the same port and database,
// which is how the suite proves that nothing acknowledged is ever lost.
import { ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with \`cargo xtask test\``);
  return value;
}

export class TidingsServer {
  readonly bin = required("TIDINGS_SERVER_BIN");
  readonly assets = required("TIDINGS_ASSETS");
  readonly dir = mkdtempSync(join(tmpdir(), "tidings-e2e-"));
  databaseUrl = `sqlite://${join(this.dir, "tidings.db")}`;
  private child?: ChildProcess;
  /** Everything the server printed, shown when a test fails. */
  log = "";
  port = 0;

  static async start(extraArgs: string[] = [], databaseUrl?: string): Promise<TidingsServer> {
    const server = new TidingsServer();
    server.extraArgs = extraArgs;
    if (databaseUrl) server.databaseUrl = databaseUrl;
    await server.spawn("127.0.0.1:0");
    return server;
  }

  private extraArgs: string[] = [];

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  url(path: string): string {
    return this.origin + path;
  }

  private spawn(listen: string): Promise<void> {
    const child = spawn(
      this.bin,
      ["serve", "--listen", listen, "--database-url", this.databaseUrl, "--assets", this.assets, ...this.extraArgs],
      { env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "info" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`server did not start:\n${this.log}`)), 30_000);
      const onData = (chunk: Buffer) => {
        this.log += chunk.toString();
        const m = /listening on https?:\/\/[^\s:]+:(\d+)/.exec(this.log);
        if (m) {
          clearTimeout(deadline);
          this.port = Number(m[1]);
          resolve();
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", (c: Buffer) => (this.log += c.toString()));
      child.on("exit", (code, signal) => {
        this.log += `\n[server exited: ${code ?? signal}]\n`;
        clearTimeout(deadline);
        reject(new Error(`server exited before listening:\n${this.log}`));
      });
    });
  }

  /** Stops the process: SIGKILL simulates a crash, SIGTERM a graceful stop. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }

  /** Crash or stop the server, then start it again on the same port and database. */
  async restart(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    await this.stop(signal);
    await this.startAgain();
  }

  /** Starts a stopped server again on the same port and database. */
  async startAgain(): Promise<void> {
    this.log += "\n[restarting]\n";
    await this.spawn(`127.0.0.1:${this.port}`);
  }

  async addAgent(email: string, name: string, password: string, admin = false): Promise<void> {
    const args = ["agent", "add", "--database-url", this.databaseUrl, "--email", email, "--name", name, "--password", password];
    if (admin) args.push("--admin");
    await run(this.bin, args);
  }

  async dispose(): Promise<void> {
    await this.stop("SIGTERM");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
