// Times the dashboard's main pages in headless Chromium (scripts/bench-dashboard.sh runs it):
// signs in, then opens each page DATAFAST_RUNS times and measures from navigation until the
// page is settled (no request in flight, nothing loading). Prints one line per page with the
// median and the slowest run, in milliseconds.
//
// Input (environment): DATAFAST_SERVER, DATAFAST_WEBSITE_ID, DATAFAST_EMAIL, DATAFAST_PASSWORD,
// DATAFAST_RUNS, CHROMIUM.
"use strict";

const { launch } = require("./cdp.js");

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`dashboard-timing: ${name} is not set`);
  return value;
};

const server = env("DATAFAST_SERVER");
const website = env("DATAFAST_WEBSITE_ID");
const runs = Number(env("DATAFAST_RUNS"));

const PAGES = [
  ["websites list", "/"],
  ["overview, 30 days", `/websites/${website}`],
  ["overview, 12 months", `/websites/${website}?period=12m`],
  ["overview, 30 days, filtered by country", `/websites/${website}?filter_country=United%20States`],
  ["realtime", `/websites/${website}/realtime`],
  ["funnels", `/websites/${website}/funnels`],
  ["visitors", `/websites/${website}/visitors`],
  ["goals", `/websites/${website}/goals`],
  ["settings", `/websites/${website}/settings`],
];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function signIn(page) {
  await page.goto(`${server}/signin`);
  await page.type("input[name=email]", env("DATAFAST_EMAIL"));
  await page.type("input[name=password]", env("DATAFAST_PASSWORD"));
  await page.click("button[type=submit]");
  await page.waitForSelector("#main h1", { text: "Websites" });
}

async function main() {
  const browser = await launch({ chromium: env("CHROMIUM"), userAgent: "datafast-dashboard-bench" });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await signIn(page);
    console.log(`page (${runs} runs)`.padEnd(44), "median ms", " max ms");
    for (const [name, path] of PAGES) {
      const times = [];
      for (let run = 0; run < runs; run += 1) {
        const started = Date.now();
        await page.goto(`${server}${path}`);
        await page.settle({ quietMs: 200, timeout: 60000 });
        // The quiet period that proves the page settled is not the page's own time.
        times.push(Date.now() - started - 200);
      }
      console.log(name.padEnd(44), String(median(times)).padStart(9), String(Math.max(...times)).padStart(7));
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
