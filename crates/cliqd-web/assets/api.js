// The client's only ways out: the REST API (with the token in the Authorization header) and
// the real-time WebSocket (with the token offered as a subprotocol, never in the URL). The
// token lives in sessionStorage: this tab only, gone when it closes.

const TOKEN_KEY = "cliqd.token";
const USER_KEY = "cliqd.user";

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  user: () => JSON.parse(sessionStorage.getItem(USER_KEY) || "null"),
  save(token, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user || null));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.body = body;
  }
}

/** One API call; answers the parsed JSON body (null for 204) or throws an ApiError. */
export async function api(method, path, body, { token = session.token() } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Zoho-oauthtoken ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { message: text };
    }
  }
  if (!response.ok) {
    // The session's token was revoked or expired: the page goes back to signing in.
    if (response.status === 401 && token && token === session.token()) {
      window.dispatchEvent(new CustomEvent("cliqd:unauthorized"));
    }
    throw new ApiError(response.status, data);
  }
  return data;
}

/**
 * The real-time stream. Reconnects after a drop (1 s, doubling to 15 s); `onOpen(reconnected)`
 * runs on every `ready`, so the caller re-reads what it may have missed meanwhile.
 */
export class Realtime {
  constructor({ onEvent, onOpen, onStatus }) {
    this.onEvent = onEvent;
    this.onOpen = onOpen;
    this.onStatus = onStatus;
    this.delay = 1000;
    this.opened = false;
    this.stopped = false;
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/api/v3/realtime`, [
      "cliqd",
      `cliqd.token.${session.token()}`,
    ]);
    this.ws = ws;
    ws.onmessage = (e) => {
      let event;
      try {
        event = JSON.parse(e.data);
      } catch {
        return;
      }
      if (event.event === "ready") {
        this.delay = 1000;
        this.onStatus("online");
        this.onOpen(this.opened, event);
        this.opened = true;
        return;
      }
      this.onEvent(event);
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      this.onStatus("reconnecting");
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 15000);
    };
  }

  /** Drops the connection as a network failure would (the tests use it). */
  drop() {
    if (this.ws) this.ws.close();
  }

  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close();
  }
}
