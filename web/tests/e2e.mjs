// End-to-end test of hearth's web page in headless Chromium.
//
//   cd web/tests && npm ci && node e2e.mjs /path/to/hearthd
//
// Starts hearthd in dev mode on a free port with a fresh database and the page from ../,
// opens two browser contexts (ada and bob), and checks that a thread, a reply and a reaction
// made in one page show up live in the other. Exits 0 and prints "web e2e: ok" on success,
// 1 on failure, 77 when Chromium or playwright-core is not installed (CTest: skipped).

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, "..");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SCREENSHOT = process.env.WEB_E2E_SCREENSHOT || "/tmp/web-e2e.png";
const LIVE_MS = 5000;
const TOTAL_MS = 60000;

const hearthd = process.argv[2];
if (!hearthd) {
  console.error("usage: node e2e.mjs /path/to/hearthd");
  process.exit(2);
}
if (!existsSync(hearthd)) {
  console.error(`web e2e: no hearthd at ${hearthd}`);
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  console.log(`web e2e: skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  process.exit(77);
}
let chromium;
try {
  const require = createRequire(import.meta.url);
  ({ chromium } = require("playwright-core"));
} catch {
  console.log("web e2e: skipped: playwright-core is not installed (cd web/tests && npm ci)");
  process.exit(77);
}

const log = (...a) => console.log("web e2e:", ...a);
const tmp = mkdtempSync(path.join(tmpdir(), "hearth-web-e2e-"));
let server = null;
let browser = null;
let failed = false;
const problems = []; // console errors and page errors, from every page

const watchdog = setTimeout(() => {
  console.error(`web e2e: FAILED: timed out after ${TOTAL_MS / 1000} s`);
  cleanup().finally(() => process.exit(1));
}, TOTAL_MS);

async function cleanup() {
  if (browser) {
    const b = browser;
    browser = null;
    await b.close().catch(() => {});
  }
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => {
      const t = setTimeout(() => { server.kill("SIGKILL"); r(); }, 3000);
      server.once("exit", () => { clearTimeout(t); r(); });
    });
  }
  rmSync(tmp, { recursive: true, force: true });
}

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(hearthd, ["--dev", "--listen", "127.0.0.1:0", "--db", path.join(tmp, "web.db"), "--static", webDir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const t = setTimeout(() => reject(new Error(`hearthd did not say where it listens within 10 s; stdout: ${out} stderr: ${err}`)), 10000);
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    server.stderr.on("data", (d) => { err += d; });
    server.on("exit", (code, sig) => {
      clearTimeout(t);
      reject(new Error(`hearthd exited (${code ?? sig}); stdout: ${out} stderr: ${err}`));
    });
    server.on("error", (e) => { clearTimeout(t); reject(e); });
  });
}

async function newPage(name, base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`[${name}] page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`[${name}] console error: ${m.text()}`);
  });
  page.setDefaultTimeout(10000);
  await page.goto(base + "/");
  return page;
}

const tid = (name) => `[data-testid="${name}"]`;

async function signIn(page, handle) {
  await page.waitForSelector(`${tid("member-picker")} option[value="${handle}"]`, { state: "attached" });
  await page.selectOption(tid("member-picker"), handle);
  await page.waitForFunction((h) => document.body.dataset.signedIn === "yes" &&
    document.querySelector('[data-testid="conn-status"]').dataset.state === "online" &&
    document.querySelector('[data-testid="member-picker"]').value === h, handle);
}

async function openSpace(page, name) {
  const item = page.locator(`${tid("space-item")}[data-space-name="${name}"]`);
  if (!(await item.count())) {
    // Not shown yet: open the guild that holds it.
    await page.locator(`${tid("space-item")}[data-kind="guild"]`).first().waitFor();
    for (const t of await page.locator(tid("space-toggle")).all()) {
      if ((await t.getAttribute("aria-expanded")) === "false") await t.click();
    }
  }
  await item.click();
  await page.waitForFunction((n) => {
    const t = document.querySelector('[data-testid="space-title"]');
    return t && t.textContent.trim() === n;
  }, name);
}

function threadItem(page, title) {
  return page.locator(tid("thread-item"), { has: page.locator(tid("thread-item-title"), { hasText: title }) });
}

async function main() {
  const base = await startServer();
  log("hearthd at", base);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });

  const a = await newPage("ada", base);
  const b = await newPage("bob", base);

  // The page greets a newcomer: dev banner, connection, the space tree.
  await a.waitForSelector(`${tid("dev-banner")}:visible`);
  await a.waitForSelector(`${tid("space-item")}[data-space-name="Hearth Commons"]`);

  await signIn(a, "ada");
  await signIn(b, "bob");
  log("signed in as ada and bob");

  await openSpace(a, "raids");
  await openSpace(b, "raids");
  await a.waitForSelector(tid("thread-item"));
  await b.waitForSelector(tid("thread-item"));
  log("both opened raids");

  // A starts a thread; B sees it appear without reloading.
  const title = `Raid night ${Date.now().toString(36)}`;
  await a.click(tid("new-thread-button"));
  await a.fill(tid("new-thread-title"), title);
  await a.fill(tid("new-thread-body"), "Who brings the snacks? <b>not bold</b>");
  await a.click(tid("new-thread-submit"));
  await a.waitForFunction((t) => document.querySelector('[data-testid="thread-title"]')?.textContent === t, title);
  const t0 = Date.now();
  await threadItem(b, title).waitFor({ timeout: LIVE_MS });
  log(`bob saw the new thread live after ${Date.now() - t0} ms`);

  // The body is shown as text, never as HTML.
  const firstBody = await a.locator(`${tid("post-item")} ${tid("post-body")}`).first().innerHTML();
  if (firstBody.includes("<b>")) throw new Error(`a post body was rendered as HTML: ${firstBody}`);

  // B opens it and replies; A, with the thread open, sees the reply live.
  await threadItem(b, title).locator("a").click();
  await b.waitForFunction((t) => document.querySelector('[data-testid="thread-title"]')?.textContent === t, title);
  await b.waitForSelector(`${tid("reply-box")}:visible`);
  const replyText = `Count me in — ${Date.now().toString(36)}`;
  await b.fill(tid("reply-body"), replyText);
  await b.click(tid("reply-submit"));
  await b.locator(tid("post-item"), { hasText: replyText }).waitFor();
  const t1 = Date.now();
  const replyOnA = a.locator(tid("post-item"), { hasText: replyText });
  await replyOnA.waitFor({ timeout: LIVE_MS });
  log(`ada saw bob's reply live after ${Date.now() - t1} ms`);

  // A reacts to the reply; B sees the count change.
  const postId = await replyOnA.getAttribute("data-post-id");
  const countOn = (page) => page.locator(`${tid("post-item")}[data-post-id="${postId}"] ${tid("reaction-button")}[data-kind="heart"] ${tid("reaction-count")}`);
  const before = (await countOn(b).textContent()).trim();
  if (before !== "") throw new Error(`the new reply already has hearts on bob's page: "${before}"`);
  await replyOnA.locator(`${tid("reaction-button")}[data-kind="heart"]`).click();
  await a.waitForFunction((id) => {
    const b = document.querySelector(`[data-testid="post-item"][data-post-id="${id}"] [data-testid="reaction-button"][data-kind="heart"]`);
    return b && b.getAttribute("aria-pressed") === "true" && b.textContent.trim() === "1";
  }, postId);
  const t2 = Date.now();
  await b.waitForFunction((id) => {
    const c = document.querySelector(`[data-testid="post-item"][data-post-id="${id}"] [data-testid="reaction-button"][data-kind="heart"] [data-testid="reaction-count"]`);
    return c && c.textContent.trim() === "1";
  }, postId, { timeout: LIVE_MS });
  log(`bob saw ada's reaction live after ${Date.now() - t2} ms`);

  // Bob got notified of ada's reaction (the bell counts unread notifications).
  await b.waitForFunction(() => {
    const c = document.querySelector('[data-testid="notif-count"]');
    return c && !c.hidden && Number(c.textContent) > 0;
  }, null, { timeout: LIVE_MS });

  // A private space the member cannot read says so kindly.
  const c = await newPage("anonymous", base);
  await c.waitForSelector(`${tid("conn-status")}[data-state="online"]`);
  await openSpace(c, "officers");
  await c.waitForSelector(`${tid("space-note")}:visible`);
  const note = await c.locator(tid("space-note")).textContent();
  if (!/private/i.test(note)) throw new Error(`officers should say it is private, says: ${note}`);
  await c.context().close();

  await a.screenshot({ path: SCREENSHOT });
  log("screenshot at", SCREENSHOT);

  if (problems.length) throw new Error("the pages logged errors:\n  " + problems.join("\n  "));
}

try {
  await main();
  console.log("web e2e: ok");
} catch (e) {
  failed = true;
  console.error("web e2e: FAILED:", e && e.stack ? e.stack : e);
  if (problems.length) console.error("page problems:\n  " + problems.join("\n  "));
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
process.exit(failed ? 1 : 0);
