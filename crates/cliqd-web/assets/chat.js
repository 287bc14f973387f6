// The chat pane and what it is made of: messages with their menus, reactions, suggestions and
// edit box, the thread pane, a bot's menu, and the composer with mention autocomplete.

import { Component } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "./api.js";
import { html, MessageContent, formatTime, senderOf } from "./render.js";

/** Merges `incoming` into `list` (both ascending by time), by id: no duplicates. */
export function merge(list, incoming) {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
}

function MessageMenu({ message, ctx, onEdit }) {
  const [open, setOpen] = useState(false);
  const [actions, setActions] = useState(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const mine = ctx.me && ctx.me.id && message.sender && message.sender.id === ctx.me.id;
  const box = useRef(null);
  // A click anywhere else closes the menu.
  useEffect(() => {
    if (!open) return undefined;
    const away = (e) => {
      if (box.current && !box.current.contains(e.target)) setOpen(false);
    };
    document.addEventListener("mousedown", away);
    return () => document.removeEventListener("mousedown", away);
  }, [open]);
  const toggle = () => {
    setOpen(!open);
    setConfirmDelete(false);
    if (!open && actions === null) {
      api("GET", `/api/v3/chats/${encodeURIComponent(message.chat_id)}/messages/${encodeURIComponent(message.id)}/messageactions`)
        .then((r) => setActions(r.data || []))
        .catch(() => setActions([]));
    }
  };
  const run = (action, extra) => {
    setOpen(false);
    ctx.onMessageAction(action, message, extra);
  };
  return html`<div class="message-menu" ref=${box} onKeyDown=${(e) => { if (e.key === "Escape") setOpen(false); }}>
    <button type="button" class="menu-button" aria-haspopup="menu" aria-expanded=${open}
      aria-label="Message actions" onClick=${toggle}>⋯</button>
    ${open && html`<ul class="menu" role="menu">
      <li role="none" class="quick-reactions">${QUICK.map((e) => html`<button type="button" role="menuitem"
        data-builtin="react" data-emoji=${e} aria-label=${`React ${e}`} onClick=${() => run("react", e)}>${e}</button>`)}</li>
      <li role="none"><button type="button" role="menuitem" data-builtin="reply" onClick=${() => run("reply")}>Reply</button></li>
      ${message.chat_id && !message.chat_id.includes("-T-") && html`<li role="none"><button type="button"
        role="menuitem" data-builtin="thread" onClick=${() => run("thread")}>${message.thread_chat_id ? "Open thread" : "Reply in thread"}</button></li>`}
      ${mine && html`<li role="none"><button type="button" role="menuitem" data-builtin="edit"
        onClick=${() => { setOpen(false); onEdit(); }}>Edit</button></li>`}
      ${mine && !confirmDelete && html`<li role="none"><button type="button" role="menuitem" data-builtin="delete"
        onClick=${() => setConfirmDelete(true)}>Delete</button></li>`}
      ${mine && confirmDelete && html`<li role="none"><button type="button" role="menuitem" class="danger"
        data-builtin="confirm-delete" onClick=${() => run("delete")}>Delete for everyone?</button></li>`}
      ${actions === null && html`<li class="hint" role="none">Loading actions…</li>`}
      ${(actions || []).map((a) => html`<li role="none"><button type="button" role="menuitem"
        class="message-action" data-action-id=${a.id} title=${a.hint || ""}
        onClick=${() => run("execute", a)}>${a.name}${a.multi_selectable ? " (select messages…)" : ""}</button></li>`)}
    </ul>`}
  </div>`;
}

function EditBox({ message, onDone, ctx }) {
  const [text, setText] = useState((message.content && message.content.text) || "");
  const save = (e) => {
    e.preventDefault();
    ctx.onMessageAction("edit", message, text);
    onDone();
  };
  return html`<form class="edit-box" onSubmit=${save}>
    <label for=${`edit-${message.id}`} class="visually-hidden">Edit message</label>
    <textarea id=${`edit-${message.id}`} value=${text} onInput=${(e) => setText(e.target.value)}
      onKeyDown=${(e) => { if (e.key === "Escape") onDone(); }}></textarea>
    <div class="dialog-buttons"><button type="button" onClick=${onDone}>Cancel</button>
      <button type="submit" class="primary">Save</button></div>
  </form>`;
}

const QUICK = ["👍", "🎉", "😄", "👀"];

/** A message's reactions: read once with its page, then kept current by the events. */
function Reactions({ message, ctx }) {
  const mine = (ctx.reactions || {})[message.id] || {};
  const entries = Object.entries(mine);
  if (!entries.length) return null;
  const me = ctx.me && ctx.me.id;
  return html`<div class="reactions">${entries.map(([emoji, users]) => html`<button type="button"
    class=${`reaction${users.includes(me) ? " mine" : ""}`} data-emoji=${emoji}
    aria-label=${`${emoji} ${users.length}`} aria-pressed=${users.includes(me)}
    onClick=${() => ctx.onMessageAction("react", message, emoji)}>${emoji} ${users.length}</button>`)}</div>`;
}

function Suggestions({ message, ctx }) {
  const list = message.content && message.content.suggestions && message.content.suggestions.list;
  if (!Array.isArray(list) || !list.length || message.ephemeral) return null;
  return html`<div class="suggestion-chips" role="group" aria-label="Suggestions">${list.map((s) => html`<button
    type="button" class="chip" onClick=${() => ctx.onMessageAction("suggestion", message, s.text)}>${s.text}</button>`)}</div>`;
}

function Message({ message, ctx, parent }) {
  const sender = senderOf(message);
  const [editing, setEditing] = useState(false);
  return html`<article class=${`message${message.ephemeral ? " ephemeral" : ""}${
      message.content && message.content.styles && message.content.styles.highlight ? " highlight" : ""}`}
    data-message-id=${message.id} data-background=${(message.content && message.content.styles &&
      message.content.styles.background) || ""}>
    <header>
      ${ctx.selection && ctx.selection.chat_id === message.chat_id && !message.ephemeral && html`<input
        type="checkbox" class="select-message" aria-label="Select this message"
        checked=${ctx.selection.ids.includes(message.id)} onChange=${() => ctx.onSelect(message.id)} />`}
      ${sender.image && html`<img class="avatar" src=${sender.image} alt=""
        onError=${(e) => e.target.classList.add("broken")} />`}
      <span class="sender">${sender.name}</span>
      ${sender.isBot && html`<span class="badge bot-badge">bot</span>`}
      <time datetime=${new Date(message.time).toISOString()}>${formatTime(message.time)}</time>
      ${message.is_edited && html`<span class="edited">(edited)</span>`}
      ${message.ephemeral && html`<span class="only-you">Only visible to you</span>`}
      ${!message.ephemeral && ctx.onMessageAction && html`<${MessageMenu} message=${message} ctx=${ctx}
        onEdit=${() => setEditing(true)} />`}
    </header>
    ${message.reply_to && html`<blockquote class="reply-quote" data-reply-to=${message.reply_to}>
      ${parent ? html`<strong>${senderOf(parent).name}</strong> ${(parent.content && parent.content.text || "").slice(0, 140)}`
        : "Reply to an earlier message"}</blockquote>`}
    ${editing
      ? html`<${EditBox} message=${message} ctx=${ctx} onDone=${() => setEditing(false)} />`
      : html`<${MessageContent} message=${message} ctx=${ctx} />`}
    <${Suggestions} message=${message} ctx=${ctx} />
    <${Reactions} message=${message} ctx=${ctx} />
    ${message.thread_chat_id && ctx.onMessageAction && html`<button type="button" class="link thread-link"
      onClick=${() => ctx.onMessageAction("thread", message)}>View thread</button>`}
  </article>`;
}

/**
 * A message that re-renders only when it, its parent, its reactions, the selection or the
 * signed-in user changes: a new message in a long chat renders one message, not all of them.
 * (The callbacks in `ctx` read state through refs, so an older `ctx` stays correct.)
 */
class ListedMessage extends Component {
  shouldComponentUpdate(next) {
    const a = this.props;
    const id = next.message.id;
    return (
      a.message !== next.message ||
      a.parent !== next.parent ||
      (a.ctx.reactions || {})[id] !== (next.ctx.reactions || {})[id] ||
      a.ctx.selection !== next.ctx.selection ||
      (a.ctx.me && a.ctx.me.id) !== (next.ctx.me && next.ctx.me.id)
    );
  }

  render(props) {
    return html`<${Message} ...${props} />`;
  }
}

export function ChatPane({ chat, entry, ephemeral, ctx, onOlder, onError, replyTo, onReplyDone, onReply, selectionBar }) {
  const list = useRef(null);
  const atBottom = useRef(true);
  const lastCount = useRef(0);
  const prevHeight = useRef(0);
  const items = useMemo(() => merge(entry.items, ephemeral), [entry.items, ephemeral]);
  const byId = useMemo(() => new Map(entry.items.map((m) => [m.id, m])), [entry.items]);

  useEffect(() => {
    atBottom.current = true;
    lastCount.current = 0;
  }, [chat.chat_id]);

  useEffect(() => {
    const el = list.current;
    if (!el) return;
    if (prevHeight.current && items.length > lastCount.current && el.scrollTop < 50 && !atBottom.current) {
      el.scrollTop += el.scrollHeight - prevHeight.current;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    prevHeight.current = el.scrollHeight;
    lastCount.current = items.length;
  });

  const onScroll = (e) => {
    const el = e.target;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    prevHeight.current = el.scrollHeight;
    if (el.scrollTop < 80) onOlder();
  };

  return html`<section class="chat" data-chat-id=${chat.chat_id}>
    <header class="chat-header"><h1>${chat.chat_type === "channel" ? "#" : ""}${chat.name}</h1>
      <span class="hint">${chat.participant_count} members</span></header>
    <div class="messages" ref=${list} onScroll=${onScroll} role="log" aria-label="Messages"
      data-complete=${entry.complete ? "true" : "false"}>
      ${entry.complete && html`<p class="start">This is the start of the chat.</p>`}
      ${entry.loadingOlder && html`<p class="loading">Loading older messages…</p>`}
      ${items.map((m) => html`<${ListedMessage} key=${m.id} message=${m} ctx=${ctx}
        parent=${m.reply_to ? byId.get(m.reply_to) : null} />`)}
    </div>
    ${selectionBar}
    ${chat.chat_type === "bot" && chat.bot_id && html`<${BotMenu} chat=${chat} onReply=${onReply} onError=${onError} />`}
    <${Composer} chat=${chat} onError=${onError}
      replyTo=${replyTo && replyTo.chat_id === chat.chat_id ? replyTo : null} onReplyDone=${onReplyDone} />
  </section>`;
}

/** A bot's menu actions, in its bot chat. */
function BotMenu({ chat, onReply, onError }) {
  const [menus, setMenus] = useState([]);
  useEffect(() => {
    api("GET", `/api/v3/bots/${encodeURIComponent(chat.bot_id)}`)
      .then((r) => setMenus(((r.data && r.data.handlers) || []).filter((h) => h.type === "menu_handler")))
      .catch(() => setMenus([]));
  }, [chat.bot_id]);
  if (!menus.length) return null;
  const run = async (menu, sub) => {
    try {
      const body = { chat_id: chat.chat_id };
      if (sub) body.sub_action = sub;
      onReply(await api("POST", `/api/v3/bots/${encodeURIComponent(chat.bot_id)}/actions/${menu.id}`, body));
    } catch (e) {
      onError(e.message);
    }
  };
  const entries = menus.flatMap((m) =>
    Array.isArray(m.sub_actions) && m.sub_actions.length
      ? m.sub_actions.map((s) => [m, s.name, `${m.name} › ${s.name}`])
      : [[m, null, m.name || "Action"]],
  );
  return html`<div class="bot-menu" role="toolbar" aria-label="Bot menu">${entries.map(([m, sub, label]) => html`<button
    type="button" class="chip" data-menu-id=${m.id} data-sub-action=${sub || ""}
    onClick=${() => run(m, sub)}>${label}</button>`)}</div>`;
}

export function ThreadPane({ thread, messages, ctx, onClose, onOpened, onError }) {
  const parentId = thread.parent.id;
  // The parent gains its thread_chat_id (a message_edited event) once the first reply exists.
  const parentEntry = messages.get(thread.parent.chat_id);
  const parent = parentEntry.items.find((m) => m.id === parentId) || thread.parent;
  useEffect(() => {
    if (!thread.chat_id && parent.thread_chat_id) onOpened(parent.thread_chat_id);
  }, [parent.thread_chat_id]);
  const entry = thread.chat_id ? messages.get(thread.chat_id) : { items: [] };
  const target = thread.chat_id
    ? { chat_id: thread.chat_id, name: "thread", extra: {} }
    : { chat_id: thread.parent.chat_id, name: "thread", extra: { thread_message_id: parentId } };
  return html`<aside class="thread-pane" aria-label="Thread">
    <header class="chat-header"><h1>Thread</h1>
      <button type="button" class="link" aria-label="Close thread" onClick=${onClose}>✕</button></header>
    <div class="messages" role="log" aria-label="Thread messages">
      <${Message} message=${parent} ctx=${{ ...ctx, onMessageAction: null }} />
      <hr />
      ${entry.items.map((m) => html`<${Message} key=${m.id} message=${m} ctx=${ctx} />`)}
    </div>
    <${Composer} chat=${{ chat_id: target.chat_id, name: "thread" }} extra=${target.extra}
      inputId="thread-composer" onError=${onError} />
  </aside>`;
}

function Composer({ chat, onError, replyTo, onReplyDone, extra, inputId = "composer-text" }) {
  const [text, setText] = useState("");
  const [members, setMembers] = useState([]);
  const [suggest, setSuggest] = useState(null);
  const ref = useRef(null);

  useEffect(() => {
    setMembers([]);
    api("GET", `/api/v3/chats/${encodeURIComponent(chat.chat_id)}/members`)
      .then((r) => setMembers(r.data || []))
      .catch(() => setMembers([]));
  }, [chat.chat_id]);

  const send = async () => {
    // The textarea's own value, not the last rendered state: keys typed fast (or a paste
    // followed by Enter) reach this handler before the re-render that would carry them.
    const t = (ref.current ? ref.current.value : text).trim();
    if (!t) return;
    try {
      const body = { text: t, ...(extra || {}) };
      if (replyTo) body.reply_to = replyTo.id;
      await api("POST", `/api/v3/chats/${encodeURIComponent(chat.chat_id)}/messages`, body);
      setText("");
      if (replyTo) onReplyDone();
      setSuggest(null);
    } catch (e) {
      onError(e.message);
    }
  };

  const onInput = (e) => {
    const value = e.target.value;
    setText(value);
    const before = value.slice(0, e.target.selectionStart);
    const m = /(^|\s)@([\w.]*)$/.exec(before);
    if (m) {
      const q = m[2].toLowerCase();
      const found = members
        .filter((u) => `${u.name || ""} ${u.email_id || u.email || ""}`.toLowerCase().includes(q))
        .slice(0, 6);
      setSuggest(found.length ? { query: m[2], items: found, index: 0 } : null);
    } else {
      setSuggest(null);
    }
  };

  const pick = (user) => {
    const el = ref.current;
    const pos = el.selectionStart;
    const before = text.slice(0, pos).replace(/@[\w.]*$/, `{@${user.user_id || user.id}} `);
    const next = before + text.slice(pos);
    setText(next);
    setSuggest(null);
    requestAnimationFrame(() => {
      el.focus();
      el.selectionStart = el.selectionEnd = before.length;
    });
  };

  const onKeyDown = (e) => {
    if (suggest) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const d = e.key === "ArrowDown" ? 1 : -1;
        const n = suggest.items.length;
        setSuggest({ ...suggest, index: (suggest.index + d + n) % n });
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        pick(suggest.items[suggest.index]);
        return;
      }
      if (e.key === "Escape") {
        setSuggest(null);
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  };

  return html`<form class="composer" onSubmit=${(e) => {
      e.preventDefault();
      send();
    }}>
    ${suggest && html`<ul class="suggestions" role="listbox" aria-label="Mention">
      ${suggest.items.map((u, i) => html`<li role="option" aria-selected=${i === suggest.index}
        class=${i === suggest.index ? "selected" : ""} onMouseDown=${(e) => {
          e.preventDefault();
          pick(u);
        }}>${u.name} <span class="email">${u.email_id || u.email || ""}</span></li>`)}</ul>`}
    ${replyTo && html`<div class="replying" role="status">Replying to ${senderOf(replyTo).name}
      <button type="button" class="link" aria-label="Cancel reply" onClick=${onReplyDone}>✕</button></div>`}
    <label for=${inputId} class="visually-hidden">Message</label>
    <textarea id=${inputId} ref=${ref} rows="2" value=${text} onInput=${onInput}
      onKeyDown=${onKeyDown} placeholder=${`Message ${chat.name}`}></textarea>
    <button type="submit" class="primary">Send</button>
  </form>`;
}
