// Browser end-to-end suite: real Chromium (Debian's, never a downloaded one) against real
// Tidings servers that each test starts on a temporary database (see fixtures.ts).
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "./tests",
  // Two cores: one server and one browser at a time keeps timings honest.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // One retry in CI: a test that fails twice fails the run; one that passes on retry is
  // reported as flaky in the output, to be looked into, not hidden.
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
      ],
    },
  },
});
