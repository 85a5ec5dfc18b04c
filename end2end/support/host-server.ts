// Third-party host pages for embedding tests: a plain HTTP server on another port (another
// origin) serving pages that embed the loader exactly as a site owner would, with whatever
// CSS and Content-Security-Policy the test asks for. Addressed as `127.0.0.1` it is another
// origin of the server's site; as `localhost` it is another site altogether (to a browser,
// `localhost` and `127.0.0.1` are as different as shop.com and chat.mysupport.io), where a
// browser that blocks third-party storage denies the widget's iframe storage of its own.
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";

export type HostPageSpec = {
  css?: string;
  csp?: string;
  body?: string;
  clickTarget?: boolean;
  /** A script run before the loader (e.g. to take the host page's own storage away). */
  head?: string;
  /** `data-*` settings on the loader's script tag, e.g. `{ locale: "de" }`. */
  settings?: Record<string, string>;
  /** The page's `<html lang>`. */
  lang?: string;
};

/** `127.0.0.1`: the server's own site. `localhost`: another site. */
export type HostName = "127.0.0.1" | "localhost";

// Clicks that reach the host page itself: a click on the widget arrives retargeted to the
// widget's shadow host (an element with a shadow root) and does not count.
const COUNT_CLICKS = `window.__hostClicks = 0;
document.addEventListener("click", (e) => {
  if (!(e.target instanceof Element && e.target.shadowRoot)) window.__hostClicks += 1;
}, true);`;

/** A full-page click counter under where the widget's panel opens. The counting script is an
 * external file so that it also runs under a strict CSP. */
const CLICK_TARGET = `<script src="/count-clicks.js"></script>`;

export class HostSite {
  private pages = new Map<string, HostPageSpec>();
  private constructor(
    private readonly http: Server,
    readonly tidingsOrigin: string,
    readonly hostname: HostName,
  ) {}

  static async start(tidingsOrigin: string, hostname: HostName = "127.0.0.1"): Promise<HostSite> {
    let site: HostSite;
    const http = createServer((req, res) => {
      if (req.url === "/count-clicks.js") {
        res.writeHead(200, { "content-type": "text/javascript" }).end(COUNT_CLICKS);
        return;
      }
      const spec = site.pages.get(req.url ?? "");
      if (!spec) {
        res.writeHead(404).end("not found");
        return;
      }
      const headers: Record<string, string> = { "content-type": "text/html; charset=utf-8" };
      if (spec.csp) headers["content-security-policy"] = spec.csp;
      res.writeHead(200, headers).end(site.render(spec));
    });
    site = new HostSite(http, tidingsOrigin, hostname);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    return site;
  }

  get origin(): string {
    return `http://${this.hostname}:${(this.http.address() as AddressInfo).port}`;
  }

  /** Registers a page and returns its URL. */
  page(path: string, spec: HostPageSpec): string {
    this.pages.set(path, spec);
    return this.origin + path;
  }

  private render(spec: HostPageSpec): string {
    const style = (spec.css ? `<style>${spec.css}</style>` : "") + (spec.head ? `<script>${spec.head}</script>` : "");
    const settings = Object.entries(spec.settings ?? {})
      .map(([k, v]) => ` data-${k}="${v.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}"`)
      .join("");
    const lang = spec.lang ? ` lang="${spec.lang}"` : "";
    return `<!doctype html><html${lang}><head><meta charset="utf-8"><title>Host shop</title>${style}</head>
<body><header><h1>Host shop</h1></header><main>${spec.body ?? "<p>Our products.</p>"}</main>
${spec.clickTarget ? CLICK_TARGET : ""}
<script src="${this.tidingsOrigin}/widget.js"${settings} async></script></body></html>`;
  }

  async stop(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
