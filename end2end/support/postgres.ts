// A throwaway PostgreSQL cluster for the multi-node browser scenario: initdb into a temporary
// directory, started on a free port with pg_ctl, as the unprivileged `postgres` user when the
// suite runs as root (PostgreSQL refuses to run as root). The same steps as the server tests'
// crates/server/tests/common/postgres.rs.
import { execFile, execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

function bindir(): string {
  return execFileSync("pg_config", ["--bindir"]).toString().trim();
}

/** The uid and gid of `postgres` when running as root. */
function unprivileged(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) return undefined;
  const fields = line.split(":");
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

export class PostgresCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly user?: { uid: number; gid: number },
  ) {}

  static async start(): Promise<PostgresCluster> {
    const dir = mkdtempSync(join(tmpdir(), "tidings-e2e-pg-"));
    const user = unprivileged();
    if (user) chownSync(dir, user.uid, user.gid);
    const cluster = new PostgresCluster(dir, await freePort(), bindir(), user);
    await cluster.exec("initdb", ["-D", join(dir, "data"), "-U", "tidings", "--auth=trust", "-N", "-E", "UTF8"]);
    const options = `-p ${cluster.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await cluster.exec("pg_ctl", ["-D", join(dir, "data"), "-o", options, "-l", join(dir, "log"), "-w", "start"]);
    await cluster.exec("createdb", ["-h", "127.0.0.1", "-p", String(cluster.port), "-U", "tidings", "tidings"]);
    return cluster;
  }

  get url(): string {
    return `postgres://tidings@127.0.0.1:${this.port}/tidings`;
  }

  private async exec(program: string, args: string[]): Promise<void> {
    await run(join(this.bin, program), args, { cwd: this.dir, uid: this.user?.uid, gid: this.user?.gid });
  }

  async dispose(): Promise<void> {
    await this.exec("pg_ctl", ["-D", join(this.dir, "data"), "-m", "immediate", "-w", "stop"]).catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
