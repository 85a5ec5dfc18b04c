// Files for the attachment tests: a real picture (so `<img>` decodes it), a small PDF, a web
// page dressed as a picture, and a file over the server's default 10 MB limit.
import { deflateSync } from "node:zlib";

export type FilePayload = { name: string; mimeType: string; buffer: Buffer };

function crc32(data: Buffer): number {
  let crc = ~0;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A `width`×`height` PNG filled with one colour. */
export function png(name: string, width = 64, height = 40, rgb = [30, 120, 200]): FilePayload {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill(rgb).flat())]);
  const pixels = deflateSync(Buffer.concat(Array(height).fill(row)));
  const buffer = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
  return { name, mimeType: "image/png", buffer };
}

/** A one-page PDF of about 1.5 KB. */
export function pdf(name: string): FilePayload {
  const text = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
    "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
    "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n" +
    `% ${"padding ".repeat(160)}\ntrailer << /Root 1 0 R >>\n%%EOF\n`;
  return { name, mimeType: "application/pdf", buffer: Buffer.from(text) };
}

/** An HTML page with a script, named and typed as a PNG. */
export function pageNamedPng(name: string): FilePayload {
  const html = "<!DOCTYPE html><html><body><script>alert(document.domain)</script></body></html>";
  return { name, mimeType: "image/png", buffer: Buffer.from(html) };
}

/** Plain text just over 10 MB, the server's default limit. */
export function overLimit(name: string): FilePayload {
  return { name, mimeType: "text/plain", buffer: Buffer.alloc(10 * 1024 * 1024 + 4096, "a") };
}
