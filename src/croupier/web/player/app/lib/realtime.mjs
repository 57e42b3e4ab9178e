// The WebSocket gateway (docs/realtime.md): one connection per signed-in tab, resumed after a
// drop by subscribing again with the last seq seen of each resumable stream, so no event is
// lost and none is shown twice.

const RESUMABLE = new Set(["player", "lobby", "table"]);
const BACKOFF_MS = [250, 500, 1000, 2000];

export class Realtime {
  constructor(token, channels = ["player", "lobby", "jackpots"]) {
    this.token = token;
    this.channels = channels;
    this.state = "connecting";
    this.lastSeq = new Map(); // stream → last seq delivered
    this.streamOf = new Map(); // channel → stream
    this.pending = new Map(); // request_id → {resolve, reject}
    this.listeners = new Set();
    this.stateListeners = new Set();
    this.attempts = 0;
    this.counter = 0;
    this.closed = false;
    this.resumes = 0;
    this.tables = new Set(); // poker tables watched on the `table` channel
    this.connect();
  }

  /** fn(event) for every event in seq order; returns the unsubscribe. */
  onEvent(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onState(fn) {
    this.stateListeners.add(fn);
    fn(this.state);
    return () => this.stateListeners.delete(fn);
  }

  setState(state) {
    this.state = state;
    for (const fn of this.stateListeners) fn(state);
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/v1/ws`);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token: this.token }));
    ws.onmessage = (message) => this.receive(JSON.parse(message.data));
    ws.onclose = (close) => this.dropped(ws, close);
  }

  receive(frame) {
    // Every answer has a request_id key (null when the request had none); events never do.
    if (!("request_id" in frame)) return this.event(frame);
    if (frame.type === "authenticated") return this.subscribeAll();
    if (frame.type === "subscribed") {
      this.streamOf.set(frame.channel, frame.stream);
      // Without a seq of ours the subscription starts at the head: resume from there.
      if (frame.channel === "table") return;
      if (RESUMABLE.has(frame.channel) && !this.lastSeq.has(frame.stream)) {
        this.lastSeq.set(frame.stream, frame.head_seq);
      }
      if ([...this.streamOf.keys()].length >= this.channels.length) {
        this.attempts = 0;
        this.setState("live");
      }
      return;
    }
    const waiting = this.pending.get(frame.request_id);
    if (!waiting) return;
    this.pending.delete(frame.request_id);
    if (frame.type === "error") {
      const error = new Error(frame.error.detail || frame.error.code);
      error.code = frame.error.code;
      error.status = frame.error.status;
      error.retryAfterS = frame.error.retry_after_s;
      waiting.reject(error);
    } else {
      waiting.resolve(frame);
    }
  }

  subscribeAll() {
    this.streamOf.clear();
    for (const channel of this.channels) {
      const stream = this.knownStream(channel);
      const message = { type: "subscribe", channel };
      if (RESUMABLE.has(channel) && stream && this.lastSeq.has(stream)) {
        message.after_seq = this.lastSeq.get(stream);
      }
      this.ws.send(JSON.stringify(message));
    }
    for (const tableId of this.tables) this.subscribeTable(tableId);
  }

  /** Follow a poker table's public events (resumed with after_seq like the others). */
  watchTable(tableId) {
    this.tables.add(tableId);
    if (this.ws?.readyState === WebSocket.OPEN && this.state === "live") this.subscribeTable(tableId);
  }

  subscribeTable(tableId) {
    const message = { type: "subscribe", channel: "table", table_id: tableId };
    const stream = `table:${tableId}`;
    if (this.lastSeq.has(stream)) message.after_seq = this.lastSeq.get(stream);
    this.ws.send(JSON.stringify(message));
  }

  knownStream(channel) {
    return this.streamOf.get(channel) ?? this.previousStreams?.get(channel);
  }

  event(frame) {
    if (frame.stream.split(":")[0] !== "jackpots") {
      const last = this.lastSeq.get(frame.stream) ?? 0;
      if (frame.seq <= last) return; // already delivered before the drop
      this.lastSeq.set(frame.stream, frame.seq);
    }
    for (const fn of this.listeners) fn(frame);
  }

  dropped(ws, close) {
    if (ws !== this.ws) return;
    this.previousStreams = new Map(this.streamOf);
    for (const { reject } of this.pending.values()) reject(new Error("connection lost"));
    this.pending.clear();
    if (this.closed) return this.setState("closed");
    if (close.code === 4401 || close.code === 1008) return this.setState("signed-out");
    const delay = BACKOFF_MS[Math.min(this.attempts, BACKOFF_MS.length - 1)];
    this.attempts += 1;
    this.setState("reconnecting");
    this.timer = setTimeout(() => {
      this.resumes += 1;
      this.connect();
    }, delay);
  }

  /** Send a request; resolves with the answer frame (rejects with the error frame's code). */
  request(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || this.state !== "live") {
      return Promise.reject(new Error("not connected"));
    }
    const requestId = message.request_id ?? `q${++this.counter}`;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.ws.send(JSON.stringify({ ...message, request_id: requestId }));
    });
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
  }
}
