// hearth's web page: spaces, threads, posts, reactions and notifications, live.
// Speaks only docs/protocol.md (through client.js). User text is only ever put in the page
// as text (textContent, text nodes, attribute values), never as HTML. Ids stay strings.

import { Connection, ApiError } from "./client.js";

const DEMO_HANDLES = ["ada", "bob", "cyra", "dmitri", "eun"];
// What a server uses when no space up the tree sets reaction kinds (EngineOptions' defaults;
// the protocol does not report them).
const DEFAULT_REACTIONS = ["+1", "-1", "heart", "laugh", "thanks"];
const DEFAULT_NO_SELF = ["+1", "-1"];
const THREADS_PAGE = 20;
const POSTS_PAGE = 50;
const NOTIFS_PAGE = 20;
const HANDLE_KEY = "hearth.handle";

// ---------------------------------------------------------------------------------------
// Icons: constant SVG markup (no user content in it).

const ICONS = {
  flame: '<path d="M12 2.5c1.1 4.1 5.5 5.8 5.5 10.8a5.5 5.5 0 0 1-11 0c0-2.7 1.6-3.8 2.1-5.5 1 1.6 1.6 2.1 2.7 2.1C11.6 7.4 11 5.3 12 2.5z" fill="currentColor" stroke="none"/>',
  community: '<path d="M3.5 10.5 12 4l8.5 6.5"/><path d="M5.5 9v10.5h13V9"/><path d="M10 19.5v-5h4v5"/>',
  forum: '<path d="M4 4.5h11a1.5 1.5 0 0 1 1.5 1.5v6.5A1.5 1.5 0 0 1 15 14H9l-4 3.5V14H4a1.5 1.5 0 0 1-1.5-1.5V6A1.5 1.5 0 0 1 4 4.5z"/><path d="M19 8.5h.5A1.5 1.5 0 0 1 21 10v6a1.5 1.5 0 0 1-1.5 1.5H19v3l-3.5-3H11"/>',
  category: '<path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z"/>',
  guild: '<path d="M12 3 19.5 6v5.5c0 4.7-3.2 8-7.5 9.5-4.3-1.5-7.5-4.8-7.5-9.5V6z"/><path d="m9 12 2 2 4-4"/>',
  channel: '<path d="M5 9h14M5 15h14M10 4 8 20M16 4l-2 16"/>',
  lock: '<rect x="5" y="10.5" width="14" height="10" rx="2"/><path d="M8.5 10.5V7.5a3.5 3.5 0 0 1 7 0v3"/>',
  bell: '<path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 2h-15z"/><path d="M10 20.5a2 2 0 0 0 4 0"/>',
  back: '<path d="M15 5.5 8.5 12l6.5 6.5"/>',
  chevron: '<path d="m9.5 6 6 6-6 6"/>',
  pin: '<path d="M9 3.5h6l-1 6 3.5 3.5h-11L10 9.5z"/><path d="M12 13v7.5"/>',
  check: '<path d="m5 12.5 4.5 4.5L19 7.5"/>',
  question: '<circle cx="12" cy="12" r="9"/><path d="M9.6 9.4a2.5 2.5 0 1 1 3.4 2.3c-.7.3-1 .8-1 1.6"/><circle cx="12" cy="16.8" r=".6" fill="currentColor"/>',
  megaphone: '<path d="M4 10v4h3l8 4.5v-13L7 10z"/><path d="M18 9.5a3.5 3.5 0 0 1 0 5"/>',
  reply: '<path d="M9.5 7 4.5 12l5 5"/><path d="M4.5 12H15a5 5 0 0 1 5 5v1"/>',
  edit: '<path d="M4 20h4L19 9l-4-4L4 16z"/><path d="m13.5 6.5 4 4"/>',
  trash: '<path d="M4.5 7h15M9.5 7V4.5h5V7M6.5 7l1 13h9l1-13"/>',
  people: '<circle cx="9" cy="8.5" r="3"/><path d="M3.5 19a5.5 5.5 0 0 1 11 0"/><circle cx="16.5" cy="9.5" r="2.5"/><path d="M15.5 14.2A4.5 4.5 0 0 1 21 18.5"/>',
  "+1": '<path d="M7.5 10.5V20H4.5v-9.5z"/><path d="M7.5 10.5 11.5 3.5c1.5 0 2.6 1.1 2.2 2.7l-.9 3.8h5.4a2 2 0 0 1 2 2.3l-1.1 5.9A2 2 0 0 1 17.1 20H7.5"/>',
  "-1": '<g transform="rotate(180 12 12)"><path d="M7.5 10.5V20H4.5v-9.5z"/><path d="M7.5 10.5 11.5 3.5c1.5 0 2.6 1.1 2.2 2.7l-.9 3.8h5.4a2 2 0 0 1 2 2.3l-1.1 5.9A2 2 0 0 1 17.1 20H7.5"/></g>',
  heart: '<path d="M12 20s-7.5-4.6-7.5-10.2A4.3 4.3 0 0 1 12 7a4.3 4.3 0 0 1 7.5 2.8C19.5 15.4 12 20 12 20z"/>',
  laugh: '<circle cx="12" cy="12" r="8.5"/><path d="M8 13.5h8a4 4 0 0 1-8 0z"/><path d="M9 9.5h.01M15 9.5h.01" stroke-width="2.4"/>',
  thanks: '<path d="M12 3.5 13.9 9l5.6 1.1-4.3 3.6 1 5.8L12 16.8l-4.2 2.7 1-5.8-4.3-3.6L10.1 9z"/>',
};

const REACTION_LABELS = { "+1": "+1", "-1": "−1", heart: "heart", laugh: "laugh", thanks: "thanks" };

function icon(name, cls) {
  const span = document.createElement("span");
  span.className = "icon" + (cls ? " " + cls : "");
  span.setAttribute("aria-hidden", "true");
  const body = ICONS[name];
  if (body) {
    // Constant markup from ICONS only.
    span.innerHTML = `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;
  }
  return span;
}

// ---------------------------------------------------------------------------------------
// DOM helpers: text goes in as text.

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k === "testid") e.dataset.testid = v;
      else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(e.dataset, v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(e, children);
  return e;
}

function append(parent, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
}

// replaceChildren that, like h(), skips null, undefined and false.
function setChildren(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const tid = (name) => `[data-testid="${name}"]`;

for (const slot of $$("[data-icon]")) slot.replaceWith(icon(slot.dataset.icon, slot.className));

// ---------------------------------------------------------------------------------------
// Formatting.

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const dtf = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function ago(ms) {
  const diff = (Number(ms) - Date.now()) / 1000;
  const a = Math.abs(diff);
  if (a < 45) return "just now";
  if (a < 3600) return rtf.format(Math.round(diff / 60), "minute");
  if (a < 86400) return rtf.format(Math.round(diff / 3600), "hour");
  if (a < 86400 * 30) return rtf.format(Math.round(diff / 86400), "day");
  return dtf.format(new Date(Number(ms)));
}

function timeEl(ms) {
  const t = h("time", { datetime: new Date(Number(ms)).toISOString(), title: dtf.format(new Date(Number(ms))), text: ago(ms) });
  t.dataset.ms = String(ms);
  return t;
}

setInterval(() => {
  for (const t of $$("time[data-ms]")) t.textContent = ago(t.dataset.ms);
}, 30000);

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// A post's text: line breaks kept (CSS), @mentions and http(s) links marked, all as text.
function richText(text) {
  const frag = document.createDocumentFragment();
  const re = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])|(@[A-Za-z0-9_.\-]*[A-Za-z0-9_])/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
    if (m[1]) frag.appendChild(h("a", { href: m[1], rel: "noopener noreferrer nofollow", target: "_blank", text: m[1] }));
    else frag.appendChild(h("span", { class: "mention", text: m[2] }));
    last = m.index + m[0].length;
  }
  if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
  return frag;
}

function initials(name) {
  const parts = String(name || "?").trim().split(/\s+/).filter(Boolean);
  const first = parts[0] ? [...parts[0]][0] : "?";
  const second = parts.length > 1 ? [...parts[parts.length - 1]][0] : "";
  return (first + (second || "")).toUpperCase();
}

// A steady hue per member (FNV-1a over the id's digits), for avatars.
function hueOf(id) {
  let x = 0x811c9dc5;
  for (const ch of String(id)) x = Math.imul(x ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return x % 360;
}

// ---------------------------------------------------------------------------------------
// Toasts.

const FRIENDLY = {
  forbidden: "You can't do that here.",
  not_found: "That isn't there (any more).",
  gone: "That is gone.",
  rate_limited: "Easy there — too many requests at once.",
  too_long: "That is too long.",
  empty_field: "Something needs filling in.",
  invalid_utf8: "That text could not be read.",
  invalid_argument: "The server did not accept that.",
  invalid_params: "The server did not accept that.",
  already_exists: "That exists already.",
  conflict: "That clashes with how things are now.",
  full: "That space is full.",
  unauthenticated: "Could not sign in.",
  unavailable: "The server is busy; try again in a moment.",
  storage_error: "The server could not save that; try again.",
  internal: "Something went wrong on the server.",
  disconnected: "Not connected right now.",
  frame_too_large: "That is too big to send.",
};

function toast(title, detail, kind = "error") {
  const box = $(tid("toasts"));
  const t = h("div", { class: `toast ${kind}`, testid: "toast", role: kind === "error" ? "alert" : "status" },
    h("strong", { text: title }),
    detail ? h("span", { class: "toast-detail", text: detail }) : null,
    h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss", text: "×", onclick: () => t.remove() }));
  box.appendChild(t);
  while (box.children.length > 4) box.firstElementChild.remove();
  setTimeout(() => t.classList.add("leaving"), kind === "error" ? 6000 : 3500);
  setTimeout(() => t.remove(), kind === "error" ? 6500 : 4000);
}

function showError(e, what) {
  if (e instanceof ApiError) {
    if (e.code === "disconnected") return; // the status light says it
    const title = (what ? what + ": " : "") + (FRIENDLY[e.code] || "That did not work.");
    toast(title, e.message);
  } else {
    console.warn("hearth page:", e);
    toast((what ? what + ": " : "") + "Something went wrong on this page.", e && e.message ? String(e.message) : "");
  }
}

// ---------------------------------------------------------------------------------------
// State.

const state = {
  conn: null,
  gen: 0, // bumped on every (re)sign-in: stale answers are dropped
  session: null,
  me: null,
  insecure: false,
  handle: localStorage.getItem(HANDLE_KEY) || "",
  pickerFilled: false,

  spaces: new Map(), // id -> Space
  children: new Map(), // parent id ("0": roots) -> {ids: [], cursor: "", loading: bool}
  expanded: new Set(),
  perms: new Map(), // space id -> Promise<Set<string>>
  locked: new Set(), // spaces the viewer cannot read
  unread: new Map(), // space id -> {posts, more_posts, notifications}

  selected: null, // space id
  threads: [], // Thread records shown
  threadCursor: "",
  threadsToken: 0,

  open: null, // {id, thread, posts: Post[], byId: Map, cursor, focusPost, token}
  replyTo: null, // post id the reply box answers, null: the thread

  members: new Map(), // id -> Promise<Member|null>
  threadCache: new Map(), // id -> Promise<Thread|null> (notification titles)
  mine: new Map(), // post id -> Set of kinds the member gave

  notifs: { open: false, items: [], cursor: "" },
};

// ---------------------------------------------------------------------------------------
// Connection.

function call(method, params) {
  return state.conn.call(method, params);
}

function setStatus(s, delay) {
  const box = $(tid("conn-status"));
  box.dataset.state = s;
  const text = {
    connecting: "connecting…",
    reconnecting: "reconnecting…",
    online: "live",
    offline: delay ? `offline — retrying in ${Math.max(1, Math.round(delay / 1000))} s` : "offline",
  }[s] || s;
  $(".conn-text", box).textContent = text;
  box.title = s === "online" ? "Connected: updates arrive live" : "Not connected";
}

function connect(handle) {
  if (state.conn) state.conn.stop();
  state.gen++;
  state.handle = handle || "";
  state.me = null;
  state.perms.clear();
  state.locked.clear();
  state.mine.clear();
  state.unread.clear();
  state.threadCache.clear();
  renderWho();
  state.conn = new Connection({
    hello: handle ? { handle } : {},
    subscription: { all: true, notifications: true },
    onStatus: setStatus,
    onEvent: (ev) => onEvent(ev),
    onSession: (session, { resumed }) => onSession(session, resumed),
    onClosedFor: (why, e) => {
      if (why === "unauthenticated") {
        toast(`Could not sign in as “${handle}”.`, e.message);
        if (!DEMO_HANDLES.includes(handle)) $(`${tid("member-picker")} option[value="${CSS.escape(handle)}"]`)?.remove();
        state.handle = "";
        localStorage.removeItem(HANDLE_KEY);
      } else if (why === "deactivated") {
        toast("This member was deactivated.", "Signed out; browsing anonymously.");
        localStorage.removeItem(HANDLE_KEY);
        setTimeout(() => connect(""), 100);
      } else if (why === "handshake") {
        showError(e, "Connecting");
      }
    },
  });
  state.conn.start();
}

async function onSession(session, resumed) {
  const gen = state.gen;
  state.session = session;
  state.me = session.member || null;
  state.insecure = !!session.insecure;
  if (state.me) localStorage.setItem(HANDLE_KEY, state.me.handle);
  else if (!state.handle) localStorage.removeItem(HANDLE_KEY);
  state.handle = state.me ? state.me.handle : "";
  if (state.me) state.members.set(state.me.id, Promise.resolve(state.me));
  renderWho();
  if (!state.pickerFilled) fillPicker(gen);
  if (resumed) {
    // The replayed events brought the views up to date.
    refreshUnread();
    return;
  }
  await reloadAll();
}

async function reloadAll() {
  state.children.clear();
  state.spaces.clear();
  state.members.clear();
  state.threadCache.clear();
  rulesCache.clear();
  if (state.me) state.members.set(state.me.id, Promise.resolve(state.me));
  state.perms.clear();
  state.locked.clear();
  state.mine.clear();
  await loadChildren("0");
  // Open the roots so a newcomer sees the forums and channels at once.
  const roots = state.children.get("0")?.ids || [];
  await Promise.all(roots.filter((id) => !state.expanded.has(id) && roots.length <= 6).map((id) => {
    state.expanded.add(id);
    return loadChildren(id);
  }));
  await Promise.all([...state.expanded].filter((id) => !state.children.has(id)).map((id) => loadChildren(id)));
  renderTree();
  refreshUnread();
  await applyRoute(true);
}

// ---------------------------------------------------------------------------------------
// Who: the member picker.

function renderWho() {
  const picker = $(tid("member-picker"));
  const form = $(tid("member-form"));
  $(tid("dev-banner")).hidden = !state.insecure;
  form.hidden = !state.insecure && !state.me;
  const want = state.handle || "";
  if (want && ![...picker.options].some((o) => o.value === want)) {
    picker.insertBefore(h("option", { value: want, text: `@${want}` }), picker.querySelector('option[value="__other"]'));
  }
  picker.value = want;
  $(".who-other", form).hidden = true;
  $(tid("notif-bell")).hidden = !state.me;
  if (!state.me) closeNotifs();
  document.body.dataset.signedIn = state.me ? "yes" : "no";
  renderThreadsHead();
  renderReplyBox();
}

async function fillPicker(gen) {
  if (!state.insecure) return;
  state.pickerFilled = true;
  const picker = $(tid("member-picker"));
  const found = await Promise.all(DEMO_HANDLES.map((handle) =>
    call("find_member_by_handle", { handle }).catch(() => null)));
  for (const m of found) {
    if (!m) continue;
    state.members.set(m.id, Promise.resolve(m));
    let opt = [...picker.options].find((o) => o.value === m.handle);
    if (!opt) {
      opt = h("option", { value: m.handle });
      picker.appendChild(opt);
    }
    opt.textContent = `${m.display_name} (@${m.handle})`;
  }
  if (!picker.querySelector('option[value="__other"]')) picker.appendChild(h("option", { value: "__other", text: "Someone else…" }));
  // Keep a typed-in member after the demo ones.
  const other = picker.querySelector('option[value="__other"]');
  for (const o of [...picker.options]) {
    if (o.value && o.value !== "__other" && !DEMO_HANDLES.includes(o.value)) picker.insertBefore(o, other);
  }
  picker.value = state.handle || "";
}

function setupPicker() {
  const form = $(tid("member-form"));
  const picker = $(tid("member-picker"));
  const other = $(".who-other", form);
  const input = $(tid("member-handle-input"));
  picker.addEventListener("change", () => {
    if (picker.value === "__other") {
      other.hidden = false;
      input.focus();
      return;
    }
    other.hidden = true;
    signIn(picker.value);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const handle = input.value.trim().replace(/^@/, "");
    if (!handle) return;
    input.value = "";
    signIn(handle);
  });
}

function signIn(handle) {
  if (handle) localStorage.setItem(HANDLE_KEY, handle);
  else localStorage.removeItem(HANDLE_KEY);
  connect(handle);
}

// ---------------------------------------------------------------------------------------
// Members and threads, cached.

function getMember(id) {
  if (!id || id === "0") return Promise.resolve(null);
  let p = state.members.get(id);
  if (!p) {
    p = call("get_member", { member: id }).catch(() => null);
    state.members.set(id, p);
  }
  return p;
}

function memberName(id, fallback = "someone") {
  const span = h("span", { class: "member-name", text: "…" });
  span.dataset.memberId = id;
  getMember(id).then((m) => { span.textContent = m ? m.display_name : fallback; if (m) span.title = "@" + m.handle; });
  return span;
}

function avatar(id) {
  const a = h("span", { class: "avatar", "aria-hidden": "true", text: "" });
  a.dataset.memberId = id;
  a.style.setProperty("--hue", hueOf(id));
  getMember(id).then((m) => { a.textContent = initials(m ? m.display_name : "?"); });
  return a;
}

function getThreadCached(id) {
  let p = state.threadCache.get(id);
  if (!p) {
    p = call("get_thread", { thread: id }).catch(() => null);
    state.threadCache.set(id, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------
// Spaces: the tree.

async function getSpace(id) {
  if (state.spaces.has(id)) return state.spaces.get(id);
  const s = await call("get_space", { space: id });
  state.spaces.set(s.id, s);
  return s;
}

function permsOf(spaceId) {
  if (!state.me) return Promise.resolve(new Set());
  let p = state.perms.get(spaceId);
  if (!p) {
    p = call("get_permissions", { space: spaceId }).then((a) => new Set(a)).catch(() => new Set());
    state.perms.set(spaceId, p);
  }
  return p;
}

async function loadChildren(parent, more = false) {
  const gen = state.gen;
  const entry = state.children.get(parent) || { ids: [], cursor: "", loading: false };
  if (entry.loading) return;
  entry.loading = true;
  state.children.set(parent, entry);
  try {
    const params = { limit: 100, cursor: more ? entry.cursor : "" };
    if (parent !== "0") params.parent = parent;
    const page = await call("list_child_spaces", params);
    if (gen !== state.gen) return;
    if (!more) entry.ids = [];
    for (const s of page.items || []) {
      state.spaces.set(s.id, s);
      if (!entry.ids.includes(s.id)) entry.ids.push(s.id);
    }
    entry.cursor = page.next_cursor || "";
    // Which non-public spaces can this viewer not read?
    await Promise.all((page.items || []).filter((s) => s.visibility !== "public").map(async (s) => {
      const p = await permsOf(s.id);
      if (!p.has("view")) state.locked.add(s.id);
      else state.locked.delete(s.id);
    }));
  } catch (e) {
    if (gen !== state.gen) return;
    if (e.code === "not_found" || e.code === "forbidden") {
      // Gone, or out of sight now: stop showing it open.
      state.children.delete(parent);
      state.expanded.delete(parent);
    } else {
      showError(e, "Loading spaces");
    }
  } finally {
    entry.loading = false;
  }
}

const KIND_LABEL = { community: "community", forum: "forum", category: "category", guild: "guild", channel: "channel" };
const HAS_CHILDREN = new Set(["community", "category", "guild"]);

function renderTree() {
  const root = $(tid("space-tree"));
  setChildren(root, ...renderBranch("0", 0));
  const rootsEntry = state.children.get("0");
  $(tid("space-tree-more")).hidden = !(rootsEntry && rootsEntry.cursor);
  if (!rootsEntry || !rootsEntry.ids.length) {
    root.appendChild(h("li", { class: "tree-empty", text: state.session ? "No spaces yet." : "Loading…" }));
  }
}

function renderBranch(parent, depth) {
  const entry = state.children.get(parent);
  if (!entry) return [];
  const out = [];
  for (const id of entry.ids) {
    const s = state.spaces.get(id);
    if (!s) continue;
    const expandable = HAS_CHILDREN.has(s.kind);
    const open = state.expanded.has(id);
    const locked = state.locked.has(id);
    const unread = state.unread.get(id);
    const row = h("div", {
      class: "space-row" + (state.selected === id ? " selected" : "") + (locked ? " locked" : ""),
      style: `--depth:${depth}`,
    },
    expandable
      ? h("button", {
        type: "button", class: "twisty" + (open ? " open" : ""), testid: "space-toggle",
        "aria-label": (open ? "Collapse " : "Expand ") + s.name, "aria-expanded": open ? "true" : "false",
        onclick: () => toggleSpace(id),
      }, icon("chevron"))
      : h("span", { class: "twisty-spacer" }),
    h("a", {
      href: `#space/${id}`, class: "space-link", testid: "space-item",
      dataset: { spaceId: id, spaceName: s.name, kind: s.kind },
      "aria-current": state.selected === id ? "true" : null,
      title: `${s.name} — ${KIND_LABEL[s.kind] || s.kind}${s.visibility !== "public" ? ", " + s.visibility : ""}`,
    },
    icon(s.kind in ICONS ? s.kind : "forum", "kind-icon"),
    h("span", { class: "space-name", text: s.name }),
    locked || s.visibility !== "public" ? h("span", { class: "lock" + (locked ? "" : " open"), title: locked ? "Private: members only" : `${s.visibility}: you are in` }, icon("lock")) : null,
    unread && unread.posts > 0 ? h("span", { class: "unread-pill", title: "Unread posts", text: unread.more_posts ? `${unread.posts}+` : String(unread.posts) }) : null,
    h("span", { class: "space-count", title: plural(s.member_count, "member", "members") }, icon("people"), String(s.member_count))));
    const li = h("li", { role: "treeitem", "aria-expanded": expandable ? (open ? "true" : "false") : null }, row);
    if (expandable && open) {
      const kids = renderBranch(id, depth + 1);
      const kidEntry = state.children.get(id);
      if (kids.length) li.appendChild(h("ul", { role: "group" }, kids));
      else if (kidEntry && !kidEntry.loading) li.appendChild(h("ul", { role: "group" }, h("li", { class: "tree-empty", style: `--depth:${depth + 1}`, text: "nothing inside yet" })));
      if (kidEntry && kidEntry.cursor) {
        li.appendChild(h("button", { type: "button", class: "link-button tree-more", style: `--depth:${depth + 1}`, text: "More…", onclick: async () => { await loadChildren(id, true); renderTree(); } }));
      }
    }
    out.push(li);
  }
  return out;
}

async function toggleSpace(id) {
  if (state.expanded.has(id)) {
    state.expanded.delete(id);
    renderTree();
    return;
  }
  state.expanded.add(id);
  if (!state.children.has(id)) {
    renderTree();
    await loadChildren(id);
  }
  renderTree();
}

// ---------------------------------------------------------------------------------------
// Routing: #space/<id>[/thread/<id>[/post/<id>]]

function parseRoute() {
  const m = location.hash.match(/^#space\/(\d+)(?:\/thread\/(\d+)(?:\/post\/(\d+))?)?$/);
  return m ? { space: m[1], thread: m[2] || null, post: m[3] || null } : { space: null, thread: null, post: null };
}

function go(space, thread, post) {
  let hash = space ? `#space/${space}` : "";
  if (space && thread) hash += `/thread/${thread}`;
  if (space && thread && post) hash += `/post/${post}`;
  if (location.hash === hash || (!hash && !location.hash)) {
    applyRoute(false);
  } else if (hash) {
    location.hash = hash; // hashchange applies it
  } else {
    history.pushState(null, "", location.pathname + location.search);
    applyRoute(false);
  }
}

async function applyRoute(reload) {
  const r = parseRoute();
  document.body.dataset.view = r.thread ? "thread" : r.space ? "threads" : "spaces";
  if (r.space !== state.selected || reload) await selectSpace(r.space);
  const openId = state.open ? state.open.id : null;
  if (r.thread !== openId || reload) await openThread(r.thread, r.post);
  else if (r.post) focusPost(r.post);
}

// ---------------------------------------------------------------------------------------
// The threads of a space.

async function selectSpace(id) {
  state.selected = id;
  state.threads = [];
  state.threadCursor = "";
  const token = ++state.threadsToken;
  hideNewThread();
  renderTree();
  renderThreadList();
  const note = $(tid("space-note"));
  note.hidden = true;
  setChildren(note);
  if (!id) {
    renderThreadsHead();
    return;
  }
  let space;
  try {
    space = await getSpace(id);
  } catch (e) {
    if (token !== state.threadsToken) return;
    renderThreadsHead();
    spaceNote("That space is not here.", e.code === "not_found" ? "It may have been removed, or it is secret." : e.message);
    return;
  }
  if (token !== state.threadsToken) return;
  // Keep the tree showing where we are.
  let p = space.parent;
  const chain = [];
  while (p && p !== "0") {
    chain.push(p);
    const ps = state.spaces.get(p) || (await getSpace(p).catch(() => null));
    if (!ps) break;
    p = ps.parent;
  }
  let grew = false;
  for (const a of chain.reverse()) {
    if (!state.expanded.has(a)) { state.expanded.add(a); grew = true; }
    if (!state.children.has(a)) { await loadChildren(a); grew = true; }
  }
  if (grew) renderTree();
  await permsOf(id);
  if (token !== state.threadsToken) return;
  renderThreadsHead();
  await loadThreads(false);
  if (state.me && !state.locked.has(id)) {
    call("mark_space_read", { space: id }).then(() => refreshUnread()).catch(() => {});
  }
}

async function loadThreads(more) {
  const id = state.selected;
  const token = state.threadsToken;
  const btn = $(tid("load-more-threads"));
  btn.disabled = true;
  try {
    const page = await call("list_threads", { space: id, limit: THREADS_PAGE, cursor: more ? state.threadCursor : "" });
    if (token !== state.threadsToken) return;
    for (const t of page.items || []) upsertThread(t, false);
    state.threadCursor = page.next_cursor || "";
    state.locked.delete(id);
    renderThreadList();
  } catch (e) {
    if (token !== state.threadsToken) return;
    if (e.code === "forbidden") {
      state.locked.add(id);
      renderTree();
      renderThreadsHead();
      lockedNote(state.spaces.get(id));
    } else if (e.code === "not_found") {
      spaceNote("That space is not here.", "It may have been removed, or it is secret.");
    } else {
      showError(e, "Loading threads");
    }
  } finally {
    btn.disabled = false;
  }
}

function spaceNote(title, text, ...extra) {
  const note = $(tid("space-note"));
  setChildren(note, h("div", { class: "note-icon" }, icon("lock")), h("div", null, h("strong", { text: title }), h("p", { text }), extra));
  note.hidden = false;
}

function lockedNote(space) {
  const name = space ? space.name : "This space";
  let text;
  let action = null;
  if (!state.me) {
    text = "Only its members can read it. Sign in as a member (top right) to see if you are one.";
  } else if (space && space.join_policy === "request") {
    text = "Only its members can read it. You can ask to join; a moderator will decide.";
    action = h("button", {
      type: "button", class: "button small", text: "Ask to join", onclick: async (e) => {
        e.target.disabled = true;
        try {
          await call("request_to_join", { space: space.id });
          toast("Request sent.", "A moderator of " + name + " will look at it.", "ok");
        } catch (err) { showError(err, "Asking to join"); e.target.disabled = false; }
      },
    });
  } else {
    text = "Only its members can read it, and it takes an invite from one of them to get in.";
  }
  spaceNote(`${name} is private`, text, action);
}

function renderThreadsHead() {
  const s = state.selected ? state.spaces.get(state.selected) : null;
  setChildren($(tid("space-title")), s ? icon(s.kind in ICONS ? s.kind : "forum", "kind-icon") : "", s ? s.name : "Pick a space");
  const desc = $(tid("space-desc"));
  if (s) {
    setChildren(desc, 
      h("span", { class: "kind-label", text: KIND_LABEL[s.kind] || s.kind }),
      s.visibility !== "public" ? h("span", { class: "kind-label private", text: s.visibility }) : null,
      " ", plural(s.member_count, "member", "members"), " · ", plural(s.thread_count, "thread", "threads"),
      s.description ? h("span", { class: "desc-text", text: " — " + s.description }) : null);
  } else {
    desc.textContent = "Spaces are communities, forums, guilds and their channels.";
  }
  const btn = $(tid("new-thread-button"));
  btn.hidden = true;
  const joinNote = $(tid("space-note"));
  if (joinNote.classList.contains("join-note")) {
    joinNote.classList.remove("join-note");
    joinNote.hidden = true;
    setChildren(joinNote);
  }
  if (!s || !state.me || state.locked.has(s.id)) return;
  const token = state.threadsToken;
  permsOf(s.id).then((perms) => {
    if (token !== state.threadsToken) return;
    btn.hidden = !perms.has("post_threads") || !$(tid("new-thread-form")).hidden;
    if (!perms.has("post_threads") && perms.has("view") && s.join_policy === "open" && state.me) {
      const note = $(tid("space-note"));
      setChildren(note, h("p", { text: `Join ${s.name} to start threads and reply.` }),
        h("button", { type: "button", class: "button small", testid: "join-space", text: "Join", onclick: () => joinSpace(s.id) }));
      note.classList.add("join-note");
      note.hidden = false;
    }
  });
}

async function refreshOpenPerms() {
  const open = state.open;
  if (!open || !open.thread) return;
  const perms = await permsOf(open.thread.space);
  if (state.open !== open) return;
  open.perms = perms;
  renderPosts();
  renderReplyBox();
}

async function joinSpace(id) {
  try {
    await call("join_space", { space: id });
    state.perms.delete(id);
    const s = await call("get_space", { space: id });
    state.spaces.set(s.id, s);
    $(tid("space-note")).hidden = true;
    toast(`Welcome to ${s.name}!`, "", "ok");
    await refreshOpenPerms();
    renderTree();
    renderThreadsHead();
    renderReplyBox();
  } catch (e) {
    showError(e, "Joining");
  }
}

function sortThreads() {
  state.threads.sort((a, b) => {
    if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
    return Number(b.last_activity_at) - Number(a.last_activity_at);
  });
}

// Adds or replaces a thread in the list shown (live updates and pages alike).
function upsertThread(t, render = true) {
  if (!t || t.space !== state.selected) return;
  const i = state.threads.findIndex((x) => x.id === t.id);
  if (t.deleted) {
    if (i >= 0) state.threads.splice(i, 1);
  } else if (i >= 0) {
    state.threads[i] = t;
  } else {
    state.threads.push(t);
  }
  sortThreads();
  if (render) renderThreadList();
}

function removeThread(id) {
  const i = state.threads.findIndex((x) => x.id === id);
  if (i >= 0) {
    state.threads.splice(i, 1);
    renderThreadList();
  }
}

function threadBadges(t) {
  const out = [];
  if (t.pinned) out.push(h("span", { class: "badge pinned", testid: "badge-pinned" }, icon("pin"), "pinned"));
  if (t.kind === "announcement") out.push(h("span", { class: "badge announce" }, icon("megaphone"), "announcement"));
  if (t.kind === "question") {
    if (t.accepted_answer && t.accepted_answer !== "0") out.push(h("span", { class: "badge answered", testid: "badge-answered" }, icon("check"), "answered"));
    else out.push(h("span", { class: "badge question", testid: "badge-question" }, icon("question"), "question"));
  }
  if (t.locked) out.push(h("span", { class: "badge locked" }, icon("lock"), "locked"));
  if (t.archived) out.push(h("span", { class: "badge archived", text: "archived" }));
  return out;
}

function renderThreadList() {
  const list = $(tid("thread-list"));
  const openId = state.open ? state.open.id : null;
  const items = state.threads.map((t) => {
    const li = h("li", { class: "thread-item" + (t.id === openId ? " current" : ""), testid: "thread-item", dataset: { threadId: t.id } },
      h("a", { href: `#space/${t.space}/thread/${t.id}`, class: "thread-link" },
        h("div", { class: "thread-top" },
          h("span", { class: "thread-title", testid: "thread-item-title", text: t.title }),
          h("span", { class: "replies", title: plural(t.reply_count, "reply", "replies"), testid: "thread-reply-count" }, icon("reply"), String(t.reply_count))),
        h("div", { class: "thread-meta" },
          threadBadges(t),
          t.tags && t.tags.length ? t.tags.map((tag) => h("span", { class: "tag", text: "#" + tag })) : null,
          h("span", { class: "by" }, memberName(t.author), " · ", timeEl(t.last_activity_at)))));
    return li;
  });
  setChildren(list, ...items);
  if (state.selected && !items.length && !state.locked.has(state.selected) && $(tid("space-note")).hidden) {
    list.appendChild(h("li", { class: "empty", testid: "no-threads", text: state.me ? "No threads yet — start the first one!" : "No threads yet." }));
  }
  $(tid("load-more-threads")).hidden = !state.threadCursor;
}

// New thread form.

async function showNewThread() {
  const s = state.spaces.get(state.selected);
  if (!s) return;
  const form = $(tid("new-thread-form"));
  const kind = $(tid("new-thread-kind"));
  const perms = await permsOf(s.id);
  setChildren(kind, h("option", { value: "discussion", text: "Discussion" }), h("option", { value: "question", text: "Question" }));
  if (perms.has("announce")) kind.appendChild(h("option", { value: "announcement", text: "Announcement" }));
  const tags = $(tid("new-thread-tags"));
  setChildren(tags, h("legend", { text: "Tags" }), ...(s.tags || []).map((tag) =>
    h("label", { class: "tag-check" }, h("input", { type: "checkbox", name: "tag", value: tag }), "#" + tag)));
  tags.hidden = !(s.tags && s.tags.length);
  form.hidden = false;
  $(tid("new-thread-button")).hidden = true;
  $(tid("new-thread-title")).focus();
}

function hideNewThread() {
  const form = $(tid("new-thread-form"));
  form.hidden = true;
  form.reset();
  if (state.selected && state.me) renderThreadsHead();
}

async function submitNewThread(e) {
  e.preventDefault();
  const form = $(tid("new-thread-form"));
  const title = $(tid("new-thread-title")).value.trim();
  const body = $(tid("new-thread-body")).value.trim();
  if (!title || !body) {
    toast("A thread needs a title and a message.", "");
    return;
  }
  const params = { space: state.selected, title, body, kind: $(tid("new-thread-kind")).value };
  const tags = $$('input[name="tag"]:checked', form).map((i) => i.value);
  if (tags.length) params.tags = tags;
  const submit = $(tid("new-thread-submit"));
  submit.disabled = true;
  try {
    const r = await call("create_thread", params);
    upsertThread(r.thread);
    refreshSpaceSoon(r.thread.space);
    hideNewThread();
    go(r.thread.space, r.thread.id);
  } catch (err) {
    showError(err, "Posting the thread");
  } finally {
    submit.disabled = false;
  }
}


// ---------------------------------------------------------------------------------------
// A thread.

async function openThread(id, focus) {
  const view = $(tid("thread-view"));
  const article = $("article.thread", view);
  state.replyTo = null;
  if (!id) {
    state.open = null;
    article.hidden = true;
    $(tid("welcome")).hidden = false;
    renderThreadList();
    return;
  }
  const token = Symbol("open");
  state.open = { id, thread: null, posts: [], byId: new Map(), cursor: "", token, focusPost: focus || null };
  $(tid("welcome")).hidden = true;
  article.hidden = false;
  $(tid("thread-title")).textContent = "Loading…";
  setChildren($(tid("thread-meta")));
  setChildren($(tid("thread-badges")));
  setChildren($(tid("post-list")));
  $(tid("load-more-posts")).hidden = true;
  $(tid("reply-box")).hidden = true;
  $(tid("reply-note")).hidden = true;
  renderThreadList();
  try {
    const thread = await call("get_thread", { thread: id });
    if (!state.open || state.open.token !== token) return;
    state.open.thread = thread;
    if (thread.space !== state.selected) {
      // Opened from a link to a thread of another space (or one that moved): show its space.
      history.replaceState(null, "", `#space/${thread.space}/thread/${thread.id}` + (focus ? `/post/${focus}` : ""));
      await selectSpace(thread.space);
      if (!state.open || state.open.token !== token) return;
    }
    const [, perms] = await Promise.all([reactionRules(thread.space), permsOf(thread.space)]);
    if (!state.open || state.open.token !== token) return;
    state.open.perms = perms;
    renderThreadHead();
    await loadPosts(false);
    renderReplyBox();
    if (state.open && state.open.focusPost) focusPost(state.open.focusPost);
  } catch (e) {
    if (!state.open || state.open.token !== token) return;
    $(tid("thread-title")).textContent = e.code === "forbidden" ? "This thread is private" : e.code === "not_found" ? "This thread is gone" : "Could not open this thread";
    $(tid("thread-meta")).textContent = e.code === "forbidden" ? "Only the members of its space can read it."
      : e.code === "not_found" ? "It may have been deleted, or moved where you cannot see it." : e.message;
    if (e.code !== "forbidden" && e.code !== "not_found") showError(e, "Opening the thread");
  }
}

function renderThreadHead() {
  const t = state.open && state.open.thread;
  if (!t) return;
  $(tid("thread-title")).textContent = t.title;
  setChildren($(tid("thread-badges")), ...threadBadges(t), ...(t.tags || []).map((tag) => h("span", { class: "tag", text: "#" + tag })));
  const s = state.spaces.get(t.space);
  setChildren($(tid("thread-meta")), 
    "Started by ", memberName(t.author), " ", timeEl(t.created_at),
    s ? h("span", null, " in ", h("a", { href: `#space/${s.id}`, text: s.name })) : null,
    " · ", h("span", { testid: "thread-reply-total", text: plural(t.reply_count, "reply", "replies") }),
    " · ", plural(t.participant_count, "person", "people"));
}

async function loadPosts(more) {
  const open = state.open;
  const btn = $(tid("load-more-posts"));
  btn.disabled = true;
  try {
    const page = await call("get_thread_page", { thread: open.id, limit: POSTS_PAGE, cursor: more ? open.cursor : "" });
    if (state.open !== open) return;
    for (const p of page.items || []) upsertPost(p, false);
    open.cursor = page.next_cursor || "";
    renderPosts();
    loadMine(page.items || []);
  } catch (e) {
    if (state.open === open) showError(e, "Loading posts");
  } finally {
    btn.disabled = false;
  }
}

function upsertPost(p, render = true) {
  const open = state.open;
  if (!open || p.thread !== open.id) return;
  if (open.byId.has(p.id)) {
    const i = open.posts.findIndex((x) => x.id === p.id);
    open.posts[i] = p;
  } else {
    open.posts.push(p);
    open.posts.sort((a, b) => Number(a.created_at) - Number(b.created_at) || (a.id.length - b.id.length) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  open.byId.set(p.id, p);
  if (!render) return;
  const li = $(`${tid("post-list")} [data-post-id="${p.id}"]`);
  if (li) li.replaceWith(renderPost(p));
  else renderPosts();
}

// The reaction kinds of a space and which may not go on one's own posts: the nearest
// space up the tree that sets them, else the server's defaults.
const rulesCache = new Map();
async function reactionRules(spaceId) {
  let id = spaceId;
  for (let i = 0; i < 16 && id && id !== "0"; i++) {
    let s = state.spaces.get(id);
    if (!s) s = await getSpace(id).catch(() => null);
    if (!s) break;
    if (s.reaction_kinds && s.reaction_kinds.length) {
      const r = { kinds: s.reaction_kinds, noSelf: s.no_self_reaction || [] };
      rulesCache.set(spaceId, r);
      return r;
    }
    id = s.parent;
  }
  const r = { kinds: DEFAULT_REACTIONS, noSelf: DEFAULT_NO_SELF };
  rulesCache.set(spaceId, r);
  return r;
}

// Which kinds did this member give these posts? (Post records carry counts only.)
async function loadMine(posts) {
  if (!state.me) return;
  const me = state.me.id;
  const gen = state.gen;
  for (const p of posts) {
    const kinds = Object.keys(p.reactions || {}).filter((k) => p.reactions[k] > 0);
    if (!kinds.length) continue;
    const mine = new Set();
    await Promise.all(kinds.map(async (kind) => {
      try {
        const page = await call("list_reactions", { post: p.id, kind, limit: 200 });
        if ((page.items || []).some((r) => r.member === me)) mine.add(kind);
      } catch { /* leave it unknown */ }
    }));
    if (gen !== state.gen) return;
    state.mine.set(p.id, mine);
    const cur = state.open && state.open.byId.get(p.id);
    if (cur) upsertPost(cur);
  }
}

function renderPosts() {
  const open = state.open;
  if (!open) return;
  const list = $(tid("post-list"));
  setChildren(list, ...open.posts.map((p) => renderPost(p)));
  $(tid("load-more-posts")).hidden = !open.cursor;
}

function renderPost(p) {
  const open = state.open;
  const t = open.thread;
  const isFirst = t && p.id === t.first_post;
  const accepted = t && t.accepted_answer === p.id;
  const me = state.me;
  const perms = open.perms || new Set();
  const li = h("li", {
    class: "post" + (isFirst ? " first" : "") + (accepted ? " accepted" : "") + (p.deleted || p.removed ? " tombstone" : ""),
    testid: "post-item", id: `post-${p.id}`, dataset: { postId: p.id, author: p.author },
  });

  if (p.deleted || p.removed) {
    li.append(h("div", { class: "tomb", testid: "post-tombstone" },
      icon("trash"),
      p.removed
        ? h("span", null, "This post was removed by a moderator", p.removal_reason ? h("span", { class: "reason", text: `: ${p.removal_reason}` }) : null, ".")
        : h("span", { text: "This post was deleted by its author." }),
      " ", timeEl(p.created_at)));
    return li;
  }

  const head = h("header", { class: "post-head" },
    avatar(p.author),
    h("span", { class: "who" }, h("strong", { testid: "post-author" }, memberName(p.author)), t && p.author === t.author && !isFirst ? h("span", { class: "op", text: "asker", title: "Started this thread" }) : null),
    h("a", { class: "when", href: `#space/${p.space}/thread/${p.thread}/post/${p.id}` }, timeEl(p.created_at)),
    p.edited_at && Number(p.edited_at) > 0 ? h("span", { class: "edited", title: `Edited ${dtf.format(new Date(Number(p.edited_at)))} (revision ${p.revision})`, text: "edited" }) : null,
    accepted ? h("span", { class: "badge answered", testid: "accepted-badge" }, icon("check"), "accepted answer") : null);
  li.append(head);

  if (p.reply_to && p.reply_to !== "0" && t && p.reply_to !== t.first_post) {
    const parent = open.byId.get(p.reply_to);
    li.append(h("a", { class: "in-reply", href: `#space/${p.space}/thread/${p.thread}/post/${p.reply_to}` },
      icon("reply"), "in reply to ", parent ? memberName(parent.author) : "an earlier post"));
  }

  li.append(h("div", { class: "post-body", testid: "post-body" }, richText(p.body)));

  // Reactions: every kind the space allows, as toggles.
  const rules = rulesCache.get(p.space) || { kinds: DEFAULT_REACTIONS, noSelf: DEFAULT_NO_SELF };
  const mine = state.mine.get(p.id) || new Set();
  const canReact = !!me && perms.has("react") && !(t && t.archived);
  const kinds = [...rules.kinds];
  for (const k of Object.keys(p.reactions || {})) if (!kinds.includes(k)) kinds.push(k);
  const bar = h("div", { class: "reactions", testid: "reactions" });
  for (const kind of kinds) {
    const count = (p.reactions && p.reactions[kind]) || 0;
    const own = me && p.author === me.id && rules.noSelf.includes(kind);
    const label = REACTION_LABELS[kind] || kind;
    const b = h("button", {
      type: "button",
      class: "react" + (mine.has(kind) ? " mine" : "") + (count ? " has" : ""),
      testid: "reaction-button",
      dataset: { kind },
      "aria-pressed": mine.has(kind) ? "true" : "false",
      title: !me ? `${label}: sign in to react` : !canReact ? `${label}: you cannot react here` : own ? `${label}: not on your own post` : mine.has(kind) ? `${label}: click to take it back` : `React with ${label}`,
      disabled: !canReact || own ? true : null,
      onclick: () => toggleReaction(p, kind, b),
    }, ICONS[kind] ? icon(kind) : h("span", { class: "react-word", text: kind }),
    h("span", { class: "react-count", testid: "reaction-count", text: count ? String(count) : "" }));
    bar.append(b);
  }

  const actions = h("div", { class: "post-actions" });
  if (me && t && !t.locked && !t.archived && perms.has("reply")) {
    actions.append(h("button", { type: "button", class: "link-button", testid: "post-reply", onclick: () => setReplyTo(p) }, icon("reply"), "Reply"));
  }
  if (me && t && t.kind === "question" && t.author === me.id && !isFirst && p.author !== "0") {
    actions.append(accepted
      ? h("button", { type: "button", class: "link-button", testid: "unaccept-answer", onclick: () => acceptAnswer(null) }, "Unaccept")
      : h("button", { type: "button", class: "link-button accept", testid: "accept-answer", onclick: () => acceptAnswer(p.id) }, icon("check"), "Accept as answer"));
  }
  if (me && p.author === me.id) {
    actions.append(h("button", { type: "button", class: "link-button", testid: "post-edit", onclick: () => editPost(p, li) }, icon("edit"), "Edit"));
    actions.append(h("button", { type: "button", class: "link-button danger", testid: "post-delete", onclick: () => deletePost(p) }, icon("trash"), "Delete"));
  }
  li.append(h("footer", { class: "post-foot" }, bar, actions));
  return li;
}

function focusPost(id) {
  const li = document.getElementById(`post-${id}`);
  if (!li) return;
  li.scrollIntoView({ block: "center", behavior: "smooth" });
  li.classList.remove("flash");
  void li.offsetWidth;
  li.classList.add("flash");
  if (state.open) state.open.focusPost = null;
}

async function toggleReaction(p, kind, btn) {
  btn.disabled = true;
  const mine = state.mine.get(p.id) || new Set();
  try {
    if (mine.has(kind)) {
      const removed = await call("unreact", { post: p.id, kind });
      if (!removed) await call("react", { post: p.id, kind }); // we had it wrong
      else mine.delete(kind);
      if (!removed) mine.add(kind);
    } else {
      const added = await call("react", { post: p.id, kind });
      if (!added) { await call("unreact", { post: p.id, kind }); mine.delete(kind); } else mine.add(kind);
    }
    state.mine.set(p.id, mine);
    const fresh = await call("get_post", { post: p.id });
    upsertPost(fresh);
  } catch (e) {
    showError(e, "Reacting");
    btn.disabled = false;
  }
}

async function acceptAnswer(postId) {
  const open = state.open;
  try {
    const params = { thread: open.id };
    if (postId) params.post = postId;
    const t = await call("accept_answer", params);
    if (state.open !== open) return;
    open.thread = t;
    renderThreadHead();
    renderPosts();
    upsertThread(t);
  } catch (e) {
    showError(e, "Accepting the answer");
  }
}

function editPost(p, li) {
  const body = $(".post-body", li);
  const ta = h("textarea", { class: "edit-body", testid: "edit-body", rows: "4" });
  ta.value = p.body;
  const form = h("form", { class: "edit-form" }, ta,
    h("div", { class: "row end" },
      h("button", { type: "button", class: "button ghost small", text: "Cancel", onclick: () => form.replaceWith(body) }),
      h("button", { type: "submit", class: "button small", testid: "edit-save", text: "Save" })));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const fresh = await call("edit_post", { post: p.id, body: ta.value });
      upsertPost(fresh);
    } catch (err) {
      showError(err, "Saving the edit");
    }
  });
  body.replaceWith(form);
  ta.focus();
}

async function deletePost(p) {
  const t = state.open && state.open.thread;
  const first = t && t.first_post === p.id;
  if (!confirm(first ? "Delete this post and the whole thread with it?" : "Delete this post?")) return;
  try {
    await call("delete_post", { post: p.id });
    if (first) {
      removeThread(p.thread);
      go(state.selected, null);
    } else {
      const fresh = await call("get_post", { post: p.id }).catch(() => null);
      if (fresh) upsertPost(fresh);
    }
  } catch (e) {
    showError(e, "Deleting");
  }
}

// The reply box.

function setReplyTo(p) {
  state.replyTo = p.id;
  const box = $(tid("replying-to"));
  const t = state.open && state.open.thread;
  if (t && p.id === t.first_post) {
    state.replyTo = null;
    box.hidden = true;
  } else {
    setChildren($("span", box), "Replying to ", memberName(p.author), ": “", (p.body.length > 60 ? p.body.slice(0, 60) + "…" : p.body), "”");
    box.hidden = false;
  }
  $(tid("reply-body")).focus();
}

function renderReplyBox() {
  const form = $(tid("reply-box"));
  const note = $(tid("reply-note"));
  const t = state.open && state.open.thread;
  if (!t) {
    form.hidden = true;
    note.hidden = true;
    return;
  }
  let why = null;
  let action = null;
  if (!state.me) why = "Sign in as a member (top right) to reply.";
  else if (t.locked) why = "This thread is locked: no new replies.";
  else if (t.archived) why = "This thread is archived.";
  if (why) {
    form.hidden = true;
    setChildren(note, why);
    note.hidden = false;
    return;
  }
  permsOf(t.space).then((perms) => {
    if (!state.open || state.open.thread !== t) return;
    const can = perms.has("reply");
    form.hidden = !can;
    note.hidden = can;
    if (!can) {
      const s = state.spaces.get(t.space);
      if (s && s.join_policy === "open") action = h("button", { type: "button", class: "button small", text: `Join ${s.name}`, onclick: () => joinSpace(s.id) });
      setChildren(note, "You can read this thread but not reply here. ", action || "");
    }
  });
}

async function submitReply(e) {
  e.preventDefault();
  const open = state.open;
  if (!open || !open.thread) return;
  const ta = $(tid("reply-body"));
  const body = ta.value.trim();
  if (!body) return;
  const btn = $(tid("reply-submit"));
  btn.disabled = true;
  try {
    const post = await call("reply", { reply_to: state.replyTo || open.thread.first_post, body });
    ta.value = "";
    state.replyTo = null;
    $(tid("replying-to")).hidden = true;
    if (state.open === open) {
      if (!open.cursor) upsertPost(post);
      open.thread.reply_count = Math.max(open.thread.reply_count, countReplies(open));
      renderThreadHead();
      focusPost(post.id);
    }
  } catch (err) {
    showError(err, "Replying");
  } finally {
    btn.disabled = false;
  }
}

function countReplies(open) {
  return open.posts.filter((p) => p.id !== open.thread.first_post).length;
}

// ---------------------------------------------------------------------------------------
// Live updates.

const unreadTimer = { t: null };
function refreshUnreadSoon() {
  clearTimeout(unreadTimer.t);
  unreadTimer.t = setTimeout(refreshUnread, 400);
}

async function refreshUnread() {
  if (!state.me) {
    state.unread.clear();
    renderBell(0);
    return;
  }
  const gen = state.gen;
  try {
    const u = await call("unread_counts");
    if (gen !== state.gen) return;
    state.unread.clear();
    for (const s of u.spaces || []) state.unread.set(s.space, s);
    // The space open now is being read.
    if (state.selected) state.unread.delete(state.selected);
    renderBell(u.notifications || 0);
    renderTree();
  } catch (e) {
    if (gen === state.gen) showError(e, "Loading unread counts");
  }
}

function onEvent(ev) {
  if (!ev || typeof ev.type !== "string") return;
  const p = ev.payload && typeof ev.payload === "object" ? ev.payload : {};
  const open = state.open;
  const openId = open ? open.id : null;
  const shown = (postId) => open && open.byId.has(postId);
  const refreshPost = (postId) => {
    if (!shown(postId)) return;
    call("get_post", { post: postId }).then(upsertPost).catch(() => {});
  };
  const refreshThread = (threadId) => {
    const inList = state.threads.some((t) => t.id === threadId);
    const isOpen = threadId === openId;
    state.threadCache.delete(threadId);
    if (!inList && !isOpen) return;
    call("get_thread", { thread: threadId }).then((t) => {
      if (t.space === state.selected || inList) {
        if (t.space !== state.selected) removeThread(t.id);
        else upsertThread(t);
      }
      if (state.open && state.open.id === t.id) {
        const old = state.open.thread;
        state.open.thread = t;
        renderThreadHead();
        // Re-render the posts only when what they show changed (an edit box stays open).
        if (!old || old.accepted_answer !== t.accepted_answer || old.locked !== t.locked || old.archived !== t.archived) {
          renderPosts();
        }
        renderReplyBox();
      }
    }).catch((e) => {
      if (e.code === "not_found" || e.code === "gone" || e.code === "forbidden") removeThread(threadId);
    });
  };

  switch (ev.type) {
    case "thread_created":
      if (p.space === state.selected) {
        refreshSpaceSoon(p.space);
        call("get_thread", { thread: p.thread }).then((t) => upsertThread(t)).catch(() => {});
      }
      if (p.space !== state.selected && p.author !== state.me?.id) refreshUnreadSoon();
      break;
    case "reply_created":
      if (p.thread === openId && open && !open.cursor && !shown(p.post)) {
        call("get_post", { post: p.post }).then((post) => {
          upsertPost(post);
          if (state.open && state.open.thread) {
            state.open.thread.reply_count = Math.max(state.open.thread.reply_count, countReplies(state.open));
            renderThreadHead();
          }
        }).catch(() => {});
      }
      refreshThread(p.thread);
      if (p.space !== state.selected && p.author !== state.me?.id) refreshUnreadSoon();
      break;
    case "reaction_added":
    case "reaction_removed":
      if (state.me && p.member === state.me.id && shown(p.post)) {
        const mine = state.mine.get(p.post) || new Set();
        if (ev.type === "reaction_added") mine.add(p.kind);
        else mine.delete(p.kind);
        state.mine.set(p.post, mine);
      }
      refreshPost(p.post);
      break;
    case "post_edited":
      refreshPost(p.post);
      if (p.title !== undefined) refreshThread(p.thread);
      break;
    case "post_deleted":
    case "post_removed":
      if (p.thread_deleted || p.thread_removed) {
        removeThread(p.thread);
        if (p.thread === openId) {
          toast("This thread was just deleted.", "", "info");
          go(state.selected, null);
        }
        if (ev.space === state.selected) refreshSpaceSoon(ev.space);
      } else {
        refreshPost(p.post);
        refreshThread(p.thread);
      }
      break;
    case "post_restored":
      refreshPost(p.post);
      refreshThread(p.thread);
      if (p.thread && state.selected === ev.space && !state.threads.some((t) => t.id === p.thread)) {
        call("get_thread", { thread: p.thread }).then((t) => upsertThread(t)).catch(() => {});
      }
      break;
    case "answer_accepted":
    case "thread_updated":
    case "thread_tagged":
      refreshThread(p.thread);
      break;
    case "thread_moved":
      if (p.from === state.selected) removeThread(p.thread);
      if (p.to === state.selected) call("get_thread", { thread: p.thread }).then((t) => upsertThread(t)).catch(() => {});
      if (p.thread === openId) refreshThread(p.thread);
      break;
    case "space_created":
    case "space_updated":
    case "member_joined":
    case "member_left":
    case "member_removed":
    case "member_banned":
    case "member_unbanned":
    case "role_assigned":
    case "role_unassigned":
    case "role_updated":
    case "role_deleted":
    case "override_set":
    case "ownership_transferred":
      onSpaceChanged(ev, p);
      break;
    case "member_updated":
      if (p.member) {
        state.members.delete(p.member);
        getMember(p.member).then((m) => {
          if (!m) return;
          for (const s of $$(`.member-name[data-member-id="${p.member}"]`)) s.textContent = m.display_name;
          for (const a of $$(`.avatar[data-member-id="${p.member}"]`)) a.textContent = initials(m.display_name);
        });
      }
      break;
    case "member_deactivated":
      break;
    case "notification":
      if (state.me && p.recipient === state.me.id) {
        refreshUnreadSoon();
        if (state.notifs.open) loadNotifs(false);
      }
      break;
    default:
      break; // an event this page does not show
  }
}

const spaceRefresh = new Map();
function onSpaceChanged(ev, p) {
  const id = p.space || ev.space;
  if (!id || id === "0") return;
  // Standing may have changed: forget the viewer's permissions there and below.
  const standing = ev.type !== "space_created" && ev.type !== "space_updated";
  if (standing) state.perms.clear();
  refreshSpaceSoon(id, standing);
}

// Reads a space again (counts, settings, standing) and shows what changed.
function refreshSpaceSoon(id, standing = false) {
  clearTimeout(spaceRefresh.get(id));
  spaceRefresh.set(id, setTimeout(async () => {
    spaceRefresh.delete(id);
    const gen = state.gen;
    let s;
    try {
      s = await call("get_space", { space: id });
    } catch {
      return;
    }
    if (gen !== state.gen) return;
    const isNew = !state.spaces.has(id);
    state.spaces.set(id, s);
    const parent = s.parent && s.parent !== "0" ? s.parent : "0";
    const entry = state.children.get(parent);
    if (entry && !entry.ids.includes(id)) entry.ids.push(id);
    if (s.visibility !== "public") {
      const perms = await permsOf(id);
      if (perms.has("view")) state.locked.delete(id); else state.locked.add(id);
    }
    renderTree();
    if (standing && state.open && state.open.thread) refreshOpenPerms();
    if (id === state.selected) {
      renderThreadsHead();
      renderReplyBox();
      if (!isNew && state.locked.has(id) === false && $(tid("space-note")).hidden === false && !$(tid("space-note")).classList.contains("join-note")) {
        // It became readable: load it.
        $(tid("space-note")).hidden = true;
        state.threads = [];
        loadThreads(false);
      }
    }
  }, 150));
}

// ---------------------------------------------------------------------------------------
// Notifications.

function renderBell(n) {
  const c = $(tid("notif-count"));
  c.textContent = n > 99 ? "99+" : String(n);
  c.hidden = !n;
  $(tid("notif-bell")).setAttribute("aria-label", n ? `Notifications: ${n} unread` : "Notifications");
}

function closeNotifs() {
  state.notifs.open = false;
  $(tid("notif-panel")).hidden = true;
  $(tid("notif-bell")).setAttribute("aria-expanded", "false");
}

async function toggleNotifs() {
  if (state.notifs.open) {
    closeNotifs();
    return;
  }
  state.notifs.open = true;
  $(tid("notif-panel")).hidden = false;
  $(tid("notif-bell")).setAttribute("aria-expanded", "true");
  await loadNotifs(false);
}

async function loadNotifs(more) {
  const gen = state.gen;
  const n = state.notifs;
  try {
    const page = await call("list_notifications", { limit: NOTIFS_PAGE, cursor: more ? n.cursor : "" });
    if (gen !== state.gen) return;
    n.items = more ? n.items.concat(page.items || []) : page.items || [];
    n.cursor = page.next_cursor || "";
    renderNotifs();
  } catch (e) {
    showError(e, "Loading notifications");
  }
}

const NOTIF_TEXT = {
  reply: (c) => (c > 1 ? `and ${c - 1} more replied to you` : "replied to you"),
  mention: () => "mentioned you",
  answer_accepted: () => "accepted your answer",
  reaction: (c) => (c > 1 ? `and ${c - 1} more reacted to your post` : "reacted to your post"),
};

function renderNotifs() {
  const list = $(tid("notif-list"));
  const items = state.notifs.items.map((n) => {
    const title = h("span", { class: "notif-thread", text: "…" });
    getThreadCached(n.thread).then((t) => { title.textContent = t ? `“${t.title}”` : "a thread"; });
    const verb = (NOTIF_TEXT[n.kind] || (() => n.kind))(n.count || 1);
    return h("li", { class: "notif" + (n.read ? "" : " unread"), testid: "notif-item", dataset: { notificationId: n.id } },
      h("button", {
        type: "button", class: "notif-open", onclick: async () => {
          closeNotifs();
          if (!n.read) {
            call("mark_notification_read", { notification: n.id }).then(() => refreshUnread()).catch(() => {});
            n.read = true;
          }
          go(n.space, n.thread, n.post);
        },
      }, avatar(n.actor), h("span", { class: "notif-text" }, h("strong", null, memberName(n.actor)), " ", verb, " in ", title,
        h("span", { class: "notif-when" }, timeEl(n.updated_at || n.created_at)))));
  });
  setChildren(list, ...items);
  if (!items.length) list.appendChild(h("li", { class: "empty", text: "Nothing yet. Replies, mentions and reactions to your posts show up here." }));
  $(tid("notif-more")).hidden = !state.notifs.cursor;
}

async function markAllRead() {
  try {
    await call("mark_notifications_read", {});
    for (const n of state.notifs.items) n.read = true;
    renderNotifs();
    refreshUnread();
  } catch (e) {
    showError(e, "Marking read");
  }
}

// ---------------------------------------------------------------------------------------
// Wiring.

function setup() {
  setupPicker();
  $(tid("new-thread-button")).addEventListener("click", showNewThread);
  $(tid("new-thread-cancel")).addEventListener("click", hideNewThread);
  $(tid("new-thread-form")).addEventListener("submit", submitNewThread);
  $(tid("load-more-threads")).addEventListener("click", () => loadThreads(true));
  $(tid("load-more-posts")).addEventListener("click", () => loadPosts(true));
  $(tid("reply-box")).addEventListener("submit", submitReply);
  $(tid("reply-body")).addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $(tid("reply-box")).requestSubmit();
  });
  $(tid("replying-to-clear")).addEventListener("click", () => { state.replyTo = null; $(tid("replying-to")).hidden = true; });
  $(tid("space-tree-more")).addEventListener("click", async () => { await loadChildren("0", true); renderTree(); });
  $(tid("notif-bell")).addEventListener("click", (e) => { e.stopPropagation(); toggleNotifs(); });
  $(tid("notif-mark-all")).addEventListener("click", markAllRead);
  $(tid("notif-more")).addEventListener("click", () => loadNotifs(true));
  document.addEventListener("click", (e) => {
    if (state.notifs.open && !e.target.closest(tid("notif-panel")) && !e.target.closest(tid("notif-bell"))) closeNotifs();
  });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeNotifs(); });
  $(tid("back-to-spaces")).addEventListener("click", () => go(null));
  $(tid("back-to-threads")).addEventListener("click", () => go(state.selected, null));
  $(tid("home-link")).addEventListener("click", (e) => { e.preventDefault(); go(null); });
  window.addEventListener("hashchange", () => applyRoute(false).catch((e) => showError(e)));
  window.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    showError(e.reason);
  });
  renderTree();
  connect(state.handle);
}

setup();
