// The developer console: the caller's bots, functions and message actions with their handlers,
// a Deluge editor that checks the script on save (the server parses it and reports the line),
// and the execution journal with replay.

import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api.js";
import { html } from "./render.js";

const KINDS = [
  ["bots", "Bots", (c) => `b-${c.id}`],
  ["functions", "Functions", (c) => c.id],
  ["messageactions", "Message actions", (c) => c.id],
];

function handlerTypes(c) {
  return (c.handlers || []).map((h) => (typeof h === "string" ? h : h.type || h.name)).filter(Boolean);
}

export function Console({ journalVersion, onToast }) {
  const [tab, setTab] = useState("components");
  return html`<section class="console" aria-label="Developer console">
    <header class="chat-header"><h1>Developer console</h1>
      <div role="tablist" class="tabs">
        <button role="tab" type="button" aria-selected=${tab === "components"}
          onClick=${() => setTab("components")}>Components</button>
        <button role="tab" type="button" aria-selected=${tab === "journal"}
          onClick=${() => setTab("journal")}>Journal</button>
      </div></header>
    ${tab === "components"
      ? html`<${Components} onToast=${onToast} />`
      : html`<${Journal} version=${journalVersion} onToast=${onToast} />`}
  </section>`;
}

function Components({ onToast }) {
  const [lists, setLists] = useState({});
  const [open, setOpen] = useState(null);
  useEffect(() => {
    for (const [kind] of KINDS) {
      api("GET", `/api/v3/${kind}?limit=50`)
        .then((r) => setLists((l) => ({ ...l, [kind]: r.data || [] })))
        .catch((e) => onToast({ status: "failure", text: `${kind}: ${e.message}` }));
    }
  }, []);
  return html`<div class="console-body">
    <div class="components">${KINDS.map(([kind, title, pathId]) => html`<section>
      <h2>${title}</h2>
      ${(lists[kind] || []).length === 0 && html`<p class="hint">None.</p>`}
      <ul>${(lists[kind] || []).map((c) => html`<li class="component" data-kind=${kind}
        data-name=${c.name}><span class="component-name">${c.name}</span>
        ${handlerTypes(c).map((t) => html`<button type="button" class="link handler-link"
          data-handler=${t} onClick=${() => setOpen({ kind, id: pathId(c), name: c.name, type: t })}>
          ${t}</button>`)}</li>`)}</ul>
    </section>`)}</div>
    ${open && html`<${Editor} key=${`${open.kind}/${open.id}/${open.type}`} target=${open} />`}
  </div>`;
}

function Editor({ target }) {
  const host = useRef(null);
  const cm = useRef(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const path = `/api/v3/${target.kind}/${target.id}/handlers/${target.type}`;

  useEffect(() => {
    cm.current = window.CodeMirror(host.current, {
      value: "",
      mode: "deluge",
      lineNumbers: true,
      indentUnit: 4,
      screenReaderLabel: `${target.name} ${target.type} script`,
    });
    api("GET", path)
      .then((r) => cm.current.setValue((r.data && r.data.script) || ""))
      .catch((e) => setError({ message: e.message }));
    return () => cm.current.getWrapperElement().remove();
  }, []);

  const save = async () => {
    setSaved(false);
    setError(null);
    const doc = cm.current;
    doc.eachLine((l) => doc.removeLineClass(l, "background", "error-line"));
    try {
      await api("PATCH", path, { script: doc.getValue() });
      setSaved(true);
    } catch (e) {
      const m = /line (\d+)/.exec(e.message || "");
      const line = m ? Number(m[1]) : null;
      if (line) doc.addLineClass(line - 1, "background", "error-line");
      setError({ message: `Not saved: ${e.message}`, line });
    }
  };

  return html`<div class="editor">
    <h2>${target.name} · ${target.type}</h2>
    <div ref=${host} class="editor-host"></div>
    <div class="editor-bar">
      <button type="button" class="primary" onClick=${save}>Save</button>
      ${saved && html`<span class="saved" role="status">Saved</span>`}
      ${error && html`<span class="error" role="alert" data-line=${error.line || ""}>${error.message}</span>`}
    </div>
  </div>`;
}

const STATUSES = ["", "success", "invalid_reply", "error", "timeout", "limit", "refused"];

function Section({ title, value }) {
  if (value === undefined || value === null || (Array.isArray(value) && !value.length)) return null;
  return html`<section class="run-section" data-section=${title.toLowerCase()}>
    <h3>${title}</h3>
    <pre>${typeof value === "string" ? value : JSON.stringify(value, null, 2)}</pre>
  </section>`;
}

/** One run: its inputs, reply, info lines, tasks, error and webhook attempts. */
function RunDetail({ run }) {
  const err = run.error;
  return html`<div class="run-detail" aria-label="Run details">
    <p><strong>${run.component && run.component.name}</strong> · ${run.handler} · ${run.status}
      · ${Number(run.duration_ms).toFixed(1)} ms${run.handler_version && ` · version ${run.handler_version}`}</p>
    ${err && html`<p class="error" role="alert">${typeof err === "string" ? err : err.message || JSON.stringify(err)}
      ${err.line && ` (line ${err.line})`}</p>`}
    <${Section} title="Inputs" value=${run.inputs} />
    <${Section} title="Reply" value=${run.reply} />
    <${Section} title="Info" value=${run.info && run.info.length ? run.info.join("\n") : null} />
    <${Section} title="Tasks" value=${run.tasks} />
    <${Section} title="Attempts" value=${run.attempts} />
    <${Section} title="Delivered" value=${run.delivered && run.delivered.message_ids} />
  </div>`;
}

function Journal({ version, onToast }) {
  const [runs, setRuns] = useState([]);
  const [open, setOpen] = useState(null);
  const [status, setStatus] = useState("");
  const [handler, setHandler] = useState("");
  const load = () => {
    const q = new URLSearchParams({ limit: "50" });
    if (status) q.set("status", status);
    if (handler.trim()) q.set("handler", handler.trim());
    return api("GET", `/api/v3/executions?${q}`)
      .then((r) => setRuns(r.data || []))
      .catch((e) => onToast({ status: "failure", text: e.message }));
  };
  useEffect(() => {
    load();
  }, [version, status, handler]);
  const replay = async (id, how = "replay") => {
    try {
      await api("POST", `/api/v3/executions/${id}/${how}`, {});
      load();
    } catch (e) {
      onToast({ status: "failure", text: e.message });
    }
  };
  const show = async (id) => {
    if (open && open.id === id) return setOpen(null);
    try {
      const r = await api("GET", `/api/v3/executions/${id}`);
      setOpen(r.data || r);
    } catch (e) {
      onToast({ status: "failure", text: e.message });
    }
    return undefined;
  };
  return html`<div class="console-body journal">
    <div class="filters">
      <label>Status <select id="journal-status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
        ${STATUSES.map((s) => html`<option value=${s}>${s || "any"}</option>`)}</select></label>
      <label>Handler <input id="journal-handler" value=${handler} placeholder="message_handler"
        onChange=${(e) => setHandler(e.target.value)} /></label>
    </div>
    <table class="runs"><thead><tr><th scope="col">Time</th><th scope="col">Component</th>
      <th scope="col">Handler</th><th scope="col">Status</th><th scope="col">ms</th><th scope="col"></th></tr></thead>
    <tbody>${runs.map((r) => html`<tr class="run" data-execution-id=${r.id} data-status=${r.status}>
      <td>${new Date(r.start_time).toLocaleTimeString()}</td>
      <td>${r.component && r.component.name}</td><td>${r.handler}</td><td>${r.status}</td>
      <td>${Number(r.duration_ms).toFixed(1)}</td>
      <td><button type="button" class="link details" aria-expanded=${!!open && open.id === r.id}
          onClick=${() => show(r.id)}>Details</button>
        ${r.component && r.component.type === "bot" && html`<button type="button" class="link replay"
          onClick=${() => replay(r.id)}>Replay</button>`}
        ${r.webhook && html`<button type="button" class="link redeliver"
          onClick=${() => replay(r.id, "redeliver")}>Redeliver</button>`}</td>
    </tr>`)}</tbody></table>
    ${open && html`<${RunDetail} run=${open} />`}
  </div>`;
}
