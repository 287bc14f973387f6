// The cliqd web client: sign in, and the main screen — the sidebar, the real-time stream and
// catching up after a drop, unread state, buttons, forms, banners and dialogs. The chat and
// thread panes are in chat.js, message rendering in render.js.

import { render } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, Realtime, session } from "./api.js";
import { Console } from "./console.js";
import { FormDialog } from "./forms.js";
import { ChatPane, ThreadPane, merge } from "./chat.js";
import { html } from "./render.js";

const PAGE = 100;

// When each chat was last seen, per user, in this browser: chats that changed since (to the
// second, as the chat list reports it) are marked unread after a reload.
const seenKey = (userId, chatId) => `cliqd.seen.${userId}.${chatId}`;

function markSeen(userId, chatId, time) {
  if (!userId) return;
  const key = seenKey(userId, chatId);
  if (Number(localStorage.getItem(key) || 0) < time) localStorage.setItem(key, String(time));
}

function changedSince(chat, userId) {
  const seen = Number(localStorage.getItem(seenKey(userId, chat.chat_id)) || 0);
  const changed = Date.parse(chat.last_modified_time || "");
  return seen > 0 && changed >= Math.floor(seen / 1000) * 1000 + 1000;
}

const isThread = (chatId) => /-T-\d+$/.test(chatId || "");

const GROUPS = [
  ["channel", "Channels"],
  ["direct_message", "Direct messages"],
  ["group_chat", "Group chats"],
  ["bot", "Bots"],
];

// ---------------------------------------------------------------- sign in

function SignIn({ onSignedIn, ended }) {
  const [token, setToken] = useState("");
  const [users, setUsers] = useState(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState("");

  useEffect(() => {
    api("GET", "/web/session/users", undefined, { token: null })
      .then((r) => setUsers(r.data))
      .catch((e) => setNote(e instanceof ApiError ? e.message : String(e)));
  }, []);

  const withToken = async (e) => {
    e.preventDefault();
    setError("");
    const t = token.trim();
    try {
      await api("GET", "/api/v3/chats?limit=1", undefined, { token: t });
      session.save(t, null);
      onSignedIn();
    } catch (err) {
      setError(err.status === 401 ? "This token is not valid." : err.message);
    }
  };

  const as = async (email) => {
    setError("");
    try {
      const r = await api("POST", "/web/session/sign-in-as", { email }, { token: null });
      session.save(r.access_token, r.user);
      onSignedIn();
    } catch (err) {
      setError(err.message);
    }
  };

  return html`<main class="signin">
    <h1>cliqd</h1>
    ${ended && html`<p class="error" role="alert">Your session ended (the token was revoked or expired). Sign in again.</p>`}
    <form class="panel" onSubmit=${withToken} aria-labelledby="token-heading">
      <h2 id="token-heading">Sign in with an access token</h2>
      <label for="token">Access token</label>
      <input id="token" type="password" autocomplete="off" value=${token}
        onInput=${(e) => setToken(e.target.value)} required />
      <button type="submit" class="primary">Sign in</button>
    </form>
    ${users && html`<section class="panel" aria-labelledby="as-heading">
      <h2 id="as-heading">Sign in as a demo user</h2>
      <p class="hint">Allowed because this server listens on a loopback address (or
        <code>web_sign_in_as</code> is set). Each tab keeps its own user.</p>
      <ul class="demo-users">${users.map((u) => html`<li>
        <button type="button" class="demo-user" data-email=${u.email} onClick=${() => as(u.email)}>
          <span class="name">${u.name}</span> <span class="email">${u.email}</span>
          ${u.is_admin && html`<span class="badge">admin</span>`}
        </button></li>`)}</ul>
    </section>`}
    ${note && html`<p class="hint" role="note">${note}</p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </main>`;
}

// ---------------------------------------------------------------- messages state

function useChatStore() {
  const [version, setVersion] = useState(0);
  const store = useRef(new Map());
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const get = (id) => store.current.get(id) || { items: [], complete: false, loaded: false };
  const set = (id, entry) => {
    store.current.set(id, { ...get(id), ...entry });
    bump();
  };
  return { version, get, set, ids: () => [...store.current.keys()] };
}

async function fetchPage(chatId, params) {
  const q = new URLSearchParams({ limit: String(PAGE), ...params });
  return api("GET", `/api/v2/chats/${encodeURIComponent(chatId)}/messages?${q}`);
}

// ---------------------------------------------------------------- main screen

function Main({ onSignOut }) {
  const [chats, setChats] = useState([]);
  const [current, setCurrent] = useState(null);
  const [status, setStatus] = useState("connecting");
  const [unread, setUnread] = useState({});
  const [toasts, setToasts] = useState([]);
  const [ephemeral, setEphemeral] = useState({});
  const [dialog, setDialog] = useState(null);
  const [me, setMe] = useState(session.user());
  const [formSession, setFormSession] = useState(null);
  const [replyTo, setReplyTo] = useState(null);
  const [thread, setThread] = useState(null);
  const [selection, setSelection] = useState(null);
  const [reactions, setReactions] = useState({});
  const [view, setView] = useState("chat");
  const [journalVersion, setJournalVersion] = useState(0);
  const messages = useChatStore();
  const currentRef = useRef(null);
  currentRef.current = current;
  const meRef = useRef(null);
  meRef.current = me;
  const threadRef = useRef(null);
  const rt = useRef(null);

  const toast = useCallback((t) => {
    const id = Math.random().toString(36).slice(2);
    setToasts((ts) => [...ts, { id, ...t }]);
    setTimeout(() => setToasts((ts) => ts.filter((x) => x.id !== id)), 8000);
  }, []);

  const loadChats = useCallback(async () => {
    const r = await api("GET", "/api/v3/chats?limit=100");
    setChats(r.data || []);
    return r.data || [];
  }, []);

  /** The reactions messages already had when they were read (the message read does not carry
   *  them; live ones arrive as events). A few requests at a time, after the page rendered; a
   *  message whose reactions changed live meanwhile keeps what the events said. */
  const loadReactions = useCallback(async (chatId, items) => {
    const queue = items.filter((m) => m.id && !m.ephemeral);
    const worker = async () => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        let r;
        try {
          r = await api("GET", `/api/v2/chats/${encodeURIComponent(chatId)}/messages/${encodeURIComponent(m.id)}/reactions`);
        } catch {
          continue; // deleted meanwhile, or no longer readable: nothing to show
        }
        const found = {};
        for (const [emoji, list] of Object.entries((r && r.data) || {})) {
          const users = (Array.isArray(list) ? list : []).map((s) => String(s).split(":")[1]).filter(Boolean);
          if (users.length) found[emoji] = users;
        }
        if (Object.keys(found).length) {
          setReactions((all) => (all[m.id] ? all : { ...all, [m.id]: found }));
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  }, []);

  const openChat = useCallback(async (chatId) => {
    setView("chat");
    setCurrent(chatId);
    setUnread((u) => ({ ...u, [chatId]: 0 }));
    markSeen(meRef.current && meRef.current.id, chatId, Date.now());
    const entry = messages.get(chatId);
    if (entry.loaded) return;
    const page = await fetchPage(chatId, {});
    const items = page.data || [];
    messages.set(chatId, {
      items: merge(messages.get(chatId).items, items),
      complete: items.length < PAGE,
      loaded: true,
    });
    loadReactions(chatId, items);
  }, []);

  const loadOlder = useCallback(async (chatId) => {
    const entry = messages.get(chatId);
    if (entry.complete || entry.loadingOlder || !entry.items.length) return;
    messages.set(chatId, { loadingOlder: true });
    const oldest = entry.items[0];
    let page = await fetchPage(chatId, { totime: String(oldest.time) });
    let fresh = (page.data || []).filter((m) => !entry.items.some((x) => x.id === m.id));
    if (!fresh.length && (page.data || []).length) {
      page = await fetchPage(chatId, { totime: String(oldest.time - 1) });
      fresh = page.data || [];
    }
    messages.set(chatId, {
      items: merge(messages.get(chatId).items, fresh),
      complete: fresh.length === 0 || (page.data || []).length < PAGE,
      loadingOlder: false,
    });
    loadReactions(chatId, fresh);
  }, []);

  /** After a reconnect: everything each loaded chat got meanwhile, in order. */
  const catchUp = useCallback(async () => {
    await loadChats();
    for (const chatId of messages.ids()) {
      const entry = messages.get(chatId);
      const last = entry.items[entry.items.length - 1];
      let params = last ? { fromtime: String(last.time) } : {};
      for (let guard = 0; guard < 1000; guard++) {
        const page = await fetchPage(chatId, params);
        const items = page.data || [];
        messages.set(chatId, { items: merge(messages.get(chatId).items, items) });
        if (!last || items.length < PAGE || !page.next_token) break;
        params = { next_token: page.next_token };
      }
    }
  }, []);

  const onEvent = useCallback((ev) => {
    const chatId = ev.chat_id;
    switch (ev.event) {
      case "message_created": {
        const entry = messages.get(chatId);
        if (entry.loaded) messages.set(chatId, { items: merge(entry.items, [ev.data]) });
        if (isThread(chatId)) {
          // A thread's reply: counted unless its pane is open; threads are listed in their own group.
          if (chatId !== threadRef.current) {
            setUnread((u) => ({ ...u, [chatId]: Math.max(u[chatId] || 0, 0) + 1 }));
          }
          break;
        }
        if (chatId !== currentRef.current) {
          setUnread((u) => ({ ...u, [chatId]: Math.max(u[chatId] || 0, 0) + 1 }));
        } else {
          markSeen(meRef.current && meRef.current.id, chatId, ev.data.time || Date.now());
        }
        setChats((cs) => {
          if (!cs.some((c) => c.chat_id === chatId)) loadChats();
          return cs;
        });
        break;
      }
      case "message_edited": {
        const entry = messages.get(chatId);
        if (entry.loaded) messages.set(chatId, { items: merge(entry.items, [ev.data]) });
        break;
      }
      case "message_deleted": {
        const entry = messages.get(chatId);
        messages.set(chatId, { items: entry.items.filter((m) => m.id !== ev.data.id) });
        break;
      }
      case "reaction_added":
      case "reaction_removed": {
        const d = ev.data || {};
        setReactions((all) => {
          const mine = { ...(all[d.message_id] || {}) };
          const users = new Set(mine[d.emoji_code] || []);
          if (ev.event === "reaction_added") users.add(d.user_id);
          else users.delete(d.user_id);
          if (users.size) mine[d.emoji_code] = [...users];
          else delete mine[d.emoji_code];
          return { ...all, [d.message_id]: mine };
        });
        break;
      }
      case "member_joined":
      case "member_left":
        loadChats();
        break;
      case "ephemeral_message": {
        const d = ev.data || {};
        const m = {
          id: `ephemeral-${d.execution_id || Math.random()}`,
          time: Date.now(),
          ephemeral: true,
          sender: { name: (d.component && d.component.name) || "", type: "bot" },
          content: d.message || {},
          chat_id: chatId,
        };
        setEphemeral((e) => ({ ...e, [chatId]: [...(e[chatId] || []), m] }));
        break;
      }
      case "form_opened":
        if (ev.data && ev.data.form_id) {
          setFormSession((f) => (f && f.form_id === ev.data.form_id ? f : ev.data));
        }
        break;
      case "execution_finished":
        setJournalVersion((v) => v + 1);
        break;
      case "banner": {
        const b = (ev.data && ev.data.banner) || {};
        const from = ev.data && (ev.data.bot || ev.data.component);
        toast({ status: b.status || "success", text: b.text || "", from: from && from.name });
        break;
      }
      default:
        break;
    }
  }, []);

  useEffect(() => {
    loadChats().then((cs) => {
      const general = cs.find((c) => c.chat_type === "channel" && /general/i.test(c.name));
      const first = general || cs[0];
      if (first) openChat(first.chat_id);
    });
    rt.current = new Realtime({
      onEvent,
      onStatus: setStatus,
      onOpen: (reconnected, ready) => {
        if (ready && ready.user_id) setMe((m) => ({ ...(m || { name: "Signed in" }), id: ready.user_id }));
        if (reconnected) catchUp();
      },
    });
    // For the browser tests and for debugging: drop the connection as a network failure would.
    window.__cliqdRealtime = rt.current;
    return () => rt.current.stop();
  }, []);

  const meId = me && me.id;
  useEffect(() => {
    if (!meId) return;
    if (current) markSeen(meId, current, Date.now());
    setUnread((u) => {
      const next = { ...u };
      for (const c of chats) {
        if (c.chat_id !== current && !next[c.chat_id] && changedSince(c, meId)) next[c.chat_id] = -1;
      }
      return next;
    });
  }, [chats, meId]);

  const onButton = useCallback((button, message, path) => {
    const confirm = button.action && button.action.confirm;
    if (confirm) setDialog({ kind: "confirm", button, message, path, confirm });
    else clickButton(message, path, button, undefined);
  }, []);

  const clickButton = async (message, path, button, input) => {
    try {
      const body = { button: path || button.key };
      if (input !== undefined && input !== "") body.input = input;
      const r = await api(
        "POST",
        `/api/v3/chats/${encodeURIComponent(message.chat_id)}/messages/${encodeURIComponent(message.id)}/click`,
        body,
      );
      handleReply(r);
    } catch (e) {
      toast({ status: "failure", text: e.message });
    }
  };

  const reactionsRef = useRef({});
  reactionsRef.current = reactions;

  /** Opens a message's thread in the side pane (or a new one, started by the first reply). */
  const openThread = async (parent) => {
    setThread({ parent, chat_id: parent.thread_chat_id || null });
    if (parent.thread_chat_id) setUnread((u) => ({ ...u, [parent.thread_chat_id]: 0 }));
    if (parent.thread_chat_id && !messages.get(parent.thread_chat_id).loaded) {
      const page = await fetchPage(parent.thread_chat_id, {});
      messages.set(parent.thread_chat_id, {
        items: merge(messages.get(parent.thread_chat_id).items, page.data || []),
        complete: (page.data || []).length < PAGE,
        loaded: true,
      });
    }
  };

  /** What a synchronous run answered: a client action, a form, or a banner. */
  const handleReply = (r) => {
    if (!r) return;
    if (r.type === "client_action" && r.action) clientAction(r.action);
    if (r.type === "form" && r.form_id) {
      setFormSession((f) => (f && f.form_id === r.form_id ? f : { form_id: r.form_id, form: r.data }));
    }
  };

  /** The message-action menu and the built-in actions on one message. */
  const onMessageAction = async (action, message, extra) => {
    const chatPath = `/api/v2/chats/${encodeURIComponent(message.chat_id)}/messages/${encodeURIComponent(message.id)}`;
    try {
      if (action === "execute" && extra.multi_selectable) {
        // Pick more messages first; the bar above the composer runs the action on them.
        setSelection({ action: extra, chat_id: message.chat_id, ids: [message.id] });
      } else if (action === "execute") {
        const r = await api("POST", `/api/v3/messageactions/${extra.id}/execute`, {
          chat_id: message.chat_id,
          message_ids: extra.ids || [message.id],
        });
        handleReply(r);
      } else if (action === "reply") {
        setReplyTo(message);
      } else if (action === "edit") {
        await api("PUT", chatPath, { text: extra });
      } else if (action === "delete") {
        await api("DELETE", chatPath);
      } else if (action === "react") {
        const mine = ((reactionsRef.current[message.id] || {})[extra] || []).includes(meRef.current && meRef.current.id);
        await api(mine ? "DELETE" : "POST", `${chatPath}/reactions?emoji_code=${encodeURIComponent(extra)}`);
      } else if (action === "thread") {
        openThread(message);
      } else if (action === "suggestion") {
        await api("POST", `/api/v3/chats/${encodeURIComponent(message.chat_id)}/messages`, { text: extra });
      }
    } catch (e) {
      toast({ status: "failure", text: e.message });
    }
  };

  const clientAction = (action) => {
    const data = action.data || {};
    if (action.type === "copy" && navigator.clipboard) {
      navigator.clipboard.writeText(data.text || "").catch(() => {});
      toast({ status: "success", text: "Copied" });
    } else if ((action.type === "open.url" || action.type === "preview.url") && /^https?:/.test(data.web || data.url || "")) {
      window.open(data.web || data.url, "_blank", "noopener");
    } else {
      toast({ status: "success", text: `${action.type}: ${JSON.stringify(data)}` });
    }
  };

  threadRef.current = thread && thread.chat_id;
  // The threads the user follows (listed with their chats, so they survive a reload), then
  // threads under the messages loaded in this page that the list does not hold yet.
  const threads = useMemo(() => {
    const out = chats
      .filter((c) => c.chat_type === "thread")
      .map((c) => ({ chat_id: c.chat_id, title: c.name, parent_chat_id: c.parent_chat_id,
        thread_message_id: c.thread_message_id, parent: null }));
    for (const id of messages.ids()) {
      for (const m of messages.get(id).items) {
        if (!m.thread_chat_id) continue;
        const known = out.find((t) => t.chat_id === m.thread_chat_id);
        if (known) known.parent = m;
        else out.push({ chat_id: m.thread_chat_id, parent: m });
      }
    }
    return out;
  }, [messages.version, chats]);
  /** Opens a listed thread: its parent chat, then the thread pane (reading the parent message
   *  when no loaded page holds it). */
  const openListedThread = async (t) => {
    let parent = t.parent;
    try {
      if (!parent) {
        const r = await api("GET", `/api/v2/chats/${encodeURIComponent(t.parent_chat_id)}/messages/${encodeURIComponent(t.thread_message_id)}`);
        parent = { ...(r.data || r), chat_id: t.parent_chat_id, thread_chat_id: t.chat_id };
      }
    } catch (e) {
      toast({ status: "failure", text: e.message });
      return;
    }
    setView("chat");
    if (parent.chat_id !== current) openChat(parent.chat_id);
    openThread(parent);
  };
  const chat = chats.find((c) => c.chat_id === current);
  const entry = current ? messages.get(current) : null;
  const signOut = () => {
    rt.current.stop();
    session.clear();
    onSignOut();
  };

  return html`<div class=${`layout${thread && view === "chat" ? " with-thread" : ""}`}>
    <${Sidebar} chats=${chats} current=${view === "chat" ? current : null} unread=${unread}
      onOpen=${openChat} me=${me} status=${status} onSignOut=${signOut}
      onConsole=${() => setView("console")} threads=${threads} onThread=${openListedThread} />
    <main class="pane" aria-label=${view === "console" ? "Developer console" : "Chat"}>
      ${view === "console"
        ? html`<${Console} journalVersion=${journalVersion} onToast=${toast} />`
        : chat && entry
        ? html`<${ChatPane} chat=${chat} entry=${entry} version=${messages.version}
            ephemeral=${ephemeral[current] || []}
            ctx=${{ onButton, onMessageAction, me, reactions, selection, onSelect: (id) =>
              setSelection((sel) => sel && {
                ...sel,
                ids: sel.ids.includes(id) ? sel.ids.filter((x) => x !== id) : [...sel.ids, id].slice(0, 25),
              }) }}
            selectionBar=${selection && selection.chat_id === current && html`<div class="selection-bar" role="toolbar"
              aria-label="Selected messages">
              <span>${selection.ids.length} selected for <strong>${selection.action.name}</strong></span>
              <button type="button" onClick=${() => setSelection(null)}>Cancel</button>
              <button type="button" class="primary run-selection" disabled=${!selection.ids.length} onClick=${() => {
                const sel = selection;
                setSelection(null);
                onMessageAction("execute", { chat_id: sel.chat_id, id: sel.ids[0] }, { ...sel.action, multi_selectable: false, ids: sel.ids });
              }}>Run on ${selection.ids.length}</button></div>`}
            replyTo=${replyTo} onReplyDone=${() => setReplyTo(null)} onReply=${handleReply}
            onOlder=${() => loadOlder(current)} onError=${(t) => toast({ status: "failure", text: t })} />`
        : html`<p class="empty">Choose a chat.</p>`}
    </main>
    ${thread && view === "chat" && html`<${ThreadPane} thread=${thread} messages=${messages}
      ctx=${{ onButton, onMessageAction, me, reactions }} onClose=${() => setThread(null)}
      onOpened=${(chatId) => openThread({ ...thread.parent, thread_chat_id: chatId })}
      onError=${(t) => toast({ status: "failure", text: t })} />`}
    <div class="toasts" aria-live="polite">${toasts.map((t) => html`<div
      class=${`toast toast-${t.status === "failure" ? "failure" : "success"}`} role="status"
      onClick=${() => setToasts((ts) => ts.filter((x) => x.id !== t.id))}>
      ${t.from && html`<strong>${t.from}: </strong>`}${t.text}</div>`)}</div>
    ${formSession && html`<${FormDialog} key=${formSession.form_id} session=${formSession}
      onClose=${() => setFormSession(null)} onToast=${toast} />`}
    ${dialog && html`<${ConfirmDialog} dialog=${dialog} onClose=${() => setDialog(null)}
      onConfirm=${(input) => {
        setDialog(null);
        clickButton(dialog.message, dialog.path, dialog.button, input);
      }} />`}
  </div>`;
}

/** A thread's name in the sidebar: its title, else its parent message's text. */
function threadTitle(t) {
  return t.title || (t.parent && t.parent.content && t.parent.content.text) || "Thread";
}

function Sidebar({ chats, current, unread, onOpen, me, status, onSignOut, onConsole, threads, onThread }) {
  return html`<nav class="sidebar" aria-label="Chats">
    <div class="me">
      <span class="me-name">${me ? me.name : "Signed in"}</span>
      <span class=${`status status-${status}`} title=${status}>${status}</span>
      <button type="button" class="link" onClick=${onSignOut}>Sign out</button>
    </div>
    <button type="button" class="chat-link console-link" onClick=${onConsole}>Developer console</button>
    ${GROUPS.map(([kind, title]) => {
      const list = chats.filter((c) => c.chat_type === kind);
      if (!list.length) return null;
      return html`<section class="chat-group" data-kind=${kind}>
        <h2>${title}</h2>
        <ul>${list.map((c) => html`<li>
          <button type="button" class=${`chat-link${c.chat_id === current ? " active" : ""}`}
            aria-current=${c.chat_id === current ? "page" : undefined}
            data-chat-id=${c.chat_id} data-chat-name=${c.name} onClick=${() => onOpen(c.chat_id)}>
            <span class="chat-name">${kind === "channel" ? "#" : ""}${c.name}</span>
            ${unread[c.chat_id] > 0 && html`<span class="unread" aria-label="unread messages">
              ${unread[c.chat_id]}</span>`}
            ${unread[c.chat_id] === -1 && html`<span class="unread unread-dot" aria-label="new messages"
              title="New since you last opened it">•</span>`}
          </button></li>`)}</ul>
      </section>`;
    })}
    ${threads.length > 0 && html`<section class="chat-group" data-kind="followed-threads">
      <h2>Threads</h2>
      <ul>${threads.map((t) => html`<li><button type="button" class="chat-link" data-thread-id=${t.chat_id}
        onClick=${() => onThread(t)}>
        <span class="chat-name">${threadTitle(t).slice(0, 40)}</span>
        ${unread[t.chat_id] > 0 && html`<span class="unread" aria-label="unread replies">${unread[t.chat_id]}</span>`}
      </button></li>`)}</ul>
    </section>`}
  </nav>`;
}

function ConfirmDialog({ dialog, onClose, onConfirm }) {
  const ref = useRef(null);
  const [input, setInput] = useState("");
  const c = dialog.confirm;
  const mandatory = String(c.mandatory) === "true";
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  return html`<dialog ref=${ref} class=${`confirm emotion-${c.emotion || "positive"}`}
    aria-labelledby="confirm-title" onClose=${onClose}>
    <form method="dialog" onSubmit=${(e) => {
        e.preventDefault();
        if (mandatory && !input.trim()) return;
        onConfirm(input);
      }}>
      <h2 id="confirm-title">${c.title || dialog.button.label}</h2>
      ${c.description && html`<p>${c.description}</p>`}
      ${c.input && html`<label for="confirm-input">${c.input}</label>
        <input id="confirm-input" value=${input} required=${mandatory}
          onInput=${(e) => setInput(e.target.value)} />`}
      <div class="dialog-buttons">
        <button type="button" onClick=${onClose}>${c.cancel_button_label || "Cancel"}</button>
        <button type="submit" class="primary">${c.button_label || "Confirm"}</button>
      </div>
    </form>
  </dialog>`;
}

// ---------------------------------------------------------------- root

function App() {
  const [signedIn, setSignedIn] = useState(!!session.token());
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    const end = () => {
      session.clear();
      setEnded(true);
      setSignedIn(false);
    };
    window.addEventListener("cliqd:unauthorized", end);
    return () => window.removeEventListener("cliqd:unauthorized", end);
  }, []);
  return signedIn
    ? html`<${Main} onSignOut=${() => setSignedIn(false)} />`
    : html`<${SignIn} ended=${ended} onSignedIn=${() => { setEnded(false); setSignedIn(true); }} />`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
