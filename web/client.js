// hearth's wire protocol over WebSocket (docs/protocol.md), with no UI in it.
//
//   const conn = new Connection({ hello: { handle: "ada" }, onEvent, onStatus, onSession });
//   conn.start();
//   const member = await conn.call("get_member", { member: "9139…" });
//
// - Ids and seqs stay strings: they are 64-bit and do not fit a JavaScript number.
// - Requests are answered by id; events may arrive before or after the answer of the call
//   that caused them.
// - A dropped connection is reopened with backoff: hello again, then subscribe with
//   "after": the last seq received, so nothing is missed. onSession(hello's result,
//   {resumed}) follows every handshake: resumed false (a first session, or a resume the
//   server refused with "conflict") means the owner must reload what it shows.
// - Requests are paced by the limits hello reports, so a busy page is not rate limited.

export class ApiError extends Error {
  constructor(code, message, method) {
    super(message || code);
    this.code = code;
    this.method = method;
  }
}

// Compares two seqs (strings of decimal digits) without converting them to numbers.
export function seqAfter(a, b) {
  if (a.length !== b.length) return a.length > b.length;
  return a > b;
}

const PROTOCOL_VERSION = 1;

export class Connection {
  constructor({ url, hello, subscription, onEvent, onStatus, onSession, onClosedFor, log }) {
    this.url = url || defaultUrl();
    this.helloParams = hello || {}; // {handle} or {token} or {} (anonymous)
    this.subscription = subscription || { all: true }; // what to subscribe to after hello
    this.onEvent = onEvent || (() => {});
    this.onStatus = onStatus || (() => {});
    this.onSession = onSession || (() => {});
    this.onClosedFor = onClosedFor || (() => {});
    this.log = log || ((...a) => console.warn("hearth:", ...a));

    this.ws = null;
    this.nextId = 1;
    this.pending = new Map(); // id (string) -> {resolve, reject, method}
    this.queue = []; // requests waiting for the socket or the rate limit
    this.ready = false; // hello succeeded on the current socket
    this.stopped = false;
    this.lastSeq = null; // the seq of the last event received (string), null: none yet
    this.session = null; // hello's result
    this.attempt = 0;
    this.retryTimer = null;
    this.tokens = 20;
    this.rate = { perSecond: 20, burst: 20 }; // until hello tells the real limits
    this.lastRefill = performance.now();
    this.pumpTimer = null;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  // Closes for good: no reconnect; pending calls fail.
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.pumpTimer);
    if (this.ws) {
      try { this.ws.close(1000, "bye"); } catch { /* already closed */ }
    }
    this.failAll(new ApiError("disconnected", "The connection was closed."));
    for (const q of this.queue) q.reject(new ApiError("disconnected", "The connection was closed."));
    this.queue = [];
  }

  // Sends a request once the session is ready; resolves with its result or rejects with
  // an ApiError carrying the server's code and message.
  call(method, params) {
    return new Promise((resolve, reject) => {
      if (this.stopped) {
        reject(new ApiError("disconnected", "The connection was closed.", method));
        return;
      }
      this.queue.push({ method, params, resolve, reject, retries: 0 });
      this.pump();
    });
  }

  // ---- internals ----

  open() {
    this.ready = false;
    this.onStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.log("cannot open", e);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.handshake(ws);
    ws.onmessage = (m) => this.receive(ws, m.data);
    ws.onerror = () => { /* onclose follows */ };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      this.failAll(new ApiError("disconnected", "The connection dropped; retrying."));
      if (e.reason === "deactivated") {
        this.onClosedFor("deactivated");
        this.stopped = true;
        this.onStatus("offline");
        return;
      }
      if (this.stopped) return;
      if (e.reason) this.log("closed:", e.reason);
      this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    if (this.stopped) return;
    this.attempt++;
    const base = Math.min(15000, 500 * 2 ** Math.min(this.attempt - 1, 5));
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.onStatus("offline", delay);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  // hello, then subscribe (resuming after lastSeq when there is one).
  async handshake(ws) {
    try {
      let session;
      try {
        session = await this.raw(ws, "hello", { version: PROTOCOL_VERSION, ...this.helloParams });
      } catch (e) {
        if (e.code === "unauthenticated" && (this.helloParams.handle || this.helloParams.token)) {
          // A failed hello may be retried: carry on anonymously, and say why.
          this.onClosedFor("unauthenticated", e);
          this.helloParams = {};
          session = await this.raw(ws, "hello", { version: PROTOCOL_VERSION });
        } else {
          throw e;
        }
      }
      if (this.ws !== ws) return;
      this.session = session;
      const lim = session.limits || {};
      if (lim.requests_per_second > 0) {
        // Stay a little under the server's limits: other tabs do not share them, but
        // retried calls and events' follow-ups do.
        this.rate = {
          perSecond: Math.max(1, Math.floor(lim.requests_per_second * 0.8)),
          burst: Math.max(1, Math.floor((lim.request_burst || lim.requests_per_second) * 0.5)),
        };
        this.tokens = Math.min(this.tokens, this.rate.burst);
      }
      const resuming = this.lastSeq !== null;
      // A first session subscribes from hello's last_seq so that nothing committed between
      // hello and subscribe is lost; a resumed one from the last event it received.
      const sub = { ...this.subscription };
      if (!session.member) delete sub.notifications;
      let lost = false;
      if (!resuming) this.lastSeq = session.last_seq;
      try {
        await this.raw(ws, "subscribe", { ...sub, after: this.lastSeq });
      } catch (e) {
        if (e.code !== "conflict") throw e;
        // Too far behind (or a log that was reset): start afresh from this session.
        lost = true;
        this.lastSeq = session.last_seq;
        await this.raw(ws, "subscribe", sub);
      }
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.ready = true;
      this.onStatus("online");
      this.pump();
      // The owner's reloading is its own business: a failure there does not end the session.
      Promise.resolve()
        .then(() => this.onSession(session, { resumed: resuming && !lost }))
        .catch((e) => this.log("reloading after hello failed:", e));
    } catch (e) {
      this.log("handshake failed:", e.code || "", e.message);
      this.onClosedFor("handshake", e);
      try { ws.close(4000, "handshake failed"); } catch { /* ignore */ }
    }
  }

  // A request outside the queue (hello, subscribe): not rate limited, not retried.
  raw(ws, method, params) {
    return new Promise((resolve, reject) => {
      const id = String(this.nextId++);
      this.pending.set(id, { resolve, reject, method });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }

  refill() {
    const now = performance.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.rate.perSecond);
    this.lastRefill = now;
  }

  pump() {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = null;
    if (!this.ready || !this.ws) return;
    this.refill();
    while (this.queue.length && this.tokens >= 1) {
      const q = this.queue.shift();
      this.tokens -= 1;
      const id = String(this.nextId++);
      this.pending.set(id, q);
      try {
        this.ws.send(JSON.stringify(q.params === undefined ? { id, method: q.method } : { id, method: q.method, params: q.params }));
      } catch (e) {
        this.pending.delete(id);
        q.reject(new ApiError("disconnected", "The connection dropped; retrying.", q.method));
      }
    }
    if (this.queue.length) {
      const wait = Math.ceil(((1 - this.tokens) / this.rate.perSecond) * 1000) + 5;
      this.pumpTimer = setTimeout(() => this.pump(), wait);
    }
  }

  receive(ws, data) {
    if (this.ws !== ws) return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      this.log("a frame that is not JSON", String(data).slice(0, 200));
      return;
    }
    if (!frame || typeof frame !== "object" || Array.isArray(frame)) {
      this.log("a frame that is not an object");
      return;
    }
    if (frame.event && typeof frame.event === "object") {
      const ev = frame.event;
      if (typeof ev.seq === "string" && /^\d+$/.test(ev.seq)) {
        if (this.lastSeq !== null && !seqAfter(ev.seq, this.lastSeq)) return; // seen already
        this.lastSeq = ev.seq;
      }
      try {
        this.onEvent(ev);
      } catch (e) {
        this.log("event handler failed", e);
      }
      return;
    }
    if (!("id" in frame)) {
      this.log("an unexpected frame", Object.keys(frame).join(","));
      return;
    }
    const id = frame.id === null ? null : String(frame.id);
    const p = id === null ? undefined : this.pending.get(id);
    if (!p) {
      if (frame.error) this.log("an error for no request:", frame.error.code, frame.error.message);
      return;
    }
    this.pending.delete(id);
    if (frame.error) {
      const code = typeof frame.error.code === "string" ? frame.error.code : "internal";
      const message = typeof frame.error.message === "string" ? frame.error.message : code;
      if (code === "rate_limited" && p.retries !== undefined && p.retries < 3) {
        // Nothing was done: try again a little later.
        p.retries++;
        setTimeout(() => { this.queue.unshift(p); this.pump(); }, 400 * p.retries);
        return;
      }
      p.reject(new ApiError(code, message, p.method));
    } else {
      p.resolve(frame.result);
    }
  }

  failAll(err) {
    const pend = [...this.pending.values()];
    this.pending.clear();
    for (const p of pend) p.reject(new ApiError(err.code, err.message, p.method));
  }
}

function defaultUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/`;
}
