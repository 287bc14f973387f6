// Forms in a dialog: every input type of Cliq's forms, live `form_change` modifications,
// dynamic selects that search as you type, per-field errors, multi-step forms and cancel.
// The server keeps the session (`/api/v3/forms/{id}/…`); this only shows and sends values.

import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api.js";
import { html } from "./render.js";

const UNSUPPORTED = new Set(["location", "file"]);

/** The value an input starts with, in the shape the server checks. */
function initial(input) {
  const v = input.value;
  const opts = input.options || [];
  const pick = (x) => {
    const o = opts.find((o) => o.value === x || o.label === x);
    return o ? { label: o.label, value: o.value } : undefined;
  };
  switch (input.type) {
    case "toggle":
      return v === true || v === "true";
    case "checkbox":
    case "catalogue":
    case "dynamic_catalogue":
      return typeof v === "string" ? v.split(",").map((x) => pick(x.trim())).filter(Boolean) : [];
    case "select":
    case "native_select":
    case "radio":
      return v === undefined ? undefined : pick(typeof v === "object" ? v.value : v);
    case "dynamic_select":
      return v && typeof v === "object" ? v : undefined;
    default:
      return v === undefined || v === null ? "" : v;
  }
}

function initialValues(form, previous = {}) {
  const out = {};
  for (const input of form.inputs || []) {
    out[input.name] = input.name in previous ? previous[input.name] : initial(input);
  }
  return out;
}

/** Values as submitted: empty optional inputs left out, numbers as numbers. */
function submitted(form, values) {
  const out = {};
  for (const input of form.inputs || []) {
    const v = values[input.name];
    if (UNSUPPORTED.has(input.type) || v === undefined || v === "" || (Array.isArray(v) && !v.length)) {
      continue;
    }
    out[input.name] = input.type === "number" && v !== "" ? Number(v) : v;
  }
  return out;
}

function DynamicSelect({ formId, input, value, onPick, id }) {
  const [query, setQuery] = useState(value ? value.label : "");
  const [options, setOptions] = useState([]);
  const [open, setOpen] = useState(false);
  const seq = useRef(0);
  const search = async (q) => {
    setQuery(q);
    const mine = ++seq.current;
    if (q.length < (input.min_characters || 0)) return;
    try {
      const r = await api("POST", `/api/v3/forms/${formId}/options`, { name: input.name, query: q });
      if (mine === seq.current) {
        setOptions((r.data && r.data.options) || []);
        setOpen(true);
      }
    } catch {
      if (mine === seq.current) setOptions([]);
    }
  };
  return html`<div class="dynamic-select">
    <input id=${id} role="combobox" aria-expanded=${open} aria-autocomplete="list" value=${query}
      placeholder=${input.placeholder || "Type to search"} disabled=${input.disabled}
      onInput=${(e) => search(e.target.value)} onFocus=${() => search(query)} />
    ${open && options.length > 0 && html`<ul role="listbox" class="options">${options.map((o) => html`<li
      role="option" aria-selected=${!!value && value.value === o.value} tabindex="0" data-value=${o.value}
      onClick=${() => { onPick({ label: o.label, value: o.value }); setQuery(o.label); setOpen(false); }}
      onKeyDown=${(e) => { if (e.key === "Enter") { e.preventDefault(); onPick({ label: o.label, value: o.value }); setQuery(o.label); setOpen(false); } }}
      >${o.label}</li>`)}</ul>`}
  </div>`;
}

function Field({ formId, input, value, error, onChange }) {
  const id = `form-${input.name}`;
  const common = { id, name: input.name, disabled: input.disabled, required: input.mandatory };
  const opts = input.options || [];
  const label = html`<label for=${id}>${input.label}${input.mandatory && html`<span class="req" aria-hidden="true"> *</span>`}</label>`;
  let control;
  switch (input.type) {
    case "hidden":
      return null;
    case "textarea":
      control = html`<textarea ...${common} placeholder=${input.placeholder || ""} value=${value}
        maxlength=${input.max_length} onInput=${(e) => onChange(e.target.value)}></textarea>`;
      break;
    case "number":
      control = html`<input type="number" ...${common} value=${value} min=${input.min} max=${input.max}
        step=${input.step_value || "any"} placeholder=${input.placeholder || ""}
        onInput=${(e) => onChange(e.target.value)} />`;
      break;
    case "date":
    case "datetime":
      control = html`<input type=${input.type === "date" ? "date" : "datetime-local"} ...${common}
        value=${value} onInput=${(e) => onChange(e.target.value)} />`;
      break;
    case "select":
    case "native_select":
      control = html`<select ...${common} onChange=${(e) => {
          const o = opts.find((o) => o.value === e.target.value);
          onChange(o ? { label: o.label, value: o.value } : undefined);
        }}>
        <option value="">${input.placeholder || "Choose…"}</option>
        ${opts.map((o) => html`<option value=${o.value} selected=${!!value && value.value === o.value}>${o.label}</option>`)}
      </select>`;
      break;
    case "dynamic_select":
      control = html`<${DynamicSelect} formId=${formId} input=${input} value=${value} onPick=${onChange} id=${id} />`;
      break;
    case "radio":
      return html`<fieldset class="field" data-type="radio" data-name=${input.name}>
        <legend>${input.label}</legend>
        ${opts.map((o) => html`<label class="choice"><input type="radio" name=${input.name} value=${o.value}
          disabled=${input.disabled} checked=${!!value && value.value === o.value}
          onChange=${() => onChange({ label: o.label, value: o.value })} /> ${o.label}</label>`)}
        ${error && html`<p class="field-error" role="alert">${error}</p>`}
      </fieldset>`;
    case "checkbox":
    case "catalogue":
    case "dynamic_catalogue": {
      const list = Array.isArray(value) ? value : [];
      return html`<fieldset class="field" data-type=${input.type} data-name=${input.name}>
        <legend>${input.label}</legend>
        ${opts.map((o) => html`<label class="choice"><input type="checkbox" value=${o.value}
          disabled=${input.disabled} checked=${list.some((x) => x.value === o.value)}
          onChange=${(e) => onChange(e.target.checked
            ? [...list, { label: o.label, value: o.value }]
            : list.filter((x) => x.value !== o.value))} /> ${o.label}</label>`)}
        ${error && html`<p class="field-error" role="alert">${error}</p>`}
      </fieldset>`;
    }
    case "toggle":
      return html`<div class="field toggle" data-type="toggle" data-name=${input.name}>
        <label><input type="checkbox" role="switch" ...${common} checked=${value === true}
          onChange=${(e) => onChange(e.target.checked)} /> ${input.label}</label>
        ${error && html`<p class="field-error" role="alert">${error}</p>`}
      </div>`;
    case "location":
    case "file":
      return html`<div class="field unsupported" data-type=${input.type} data-name=${input.name}>
        <span class="field-label">${input.label}</span>
        <p class="hint">${input.type === "file" ? "File" : "Location"} inputs are not supported by this server.</p>
      </div>`;
    default: {
      const format = { email: "email", tel: "tel", url: "url", password: "password" }[input.format];
      const type = input.type === "phone_number" ? "tel" : format || "text";
      control = html`<input type=${type} ...${common} value=${value} placeholder=${input.placeholder || ""}
        minlength=${input.min_length} maxlength=${input.max_length}
        onInput=${(e) => onChange(e.target.value)} />`;
    }
  }
  return html`<div class="field" data-type=${input.type} data-name=${input.name}>
    ${label}${control}
    ${input.hint && html`<p class="hint">${input.hint}</p>`}
    ${error && html`<p class="field-error" role="alert">${error}</p>`}
  </div>`;
}

/** A form session in a modal dialog. `onClose` runs when it is submitted, cancelled or closed. */
export function FormDialog({ session, onClose, onToast }) {
  const ref = useRef(null);
  const [form, setForm] = useState(session.form);
  const [values, setValues] = useState(() => initialValues(session.form));
  const [errors, setErrors] = useState({});
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const formId = session.form_id;

  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);

  const replaceForm = (next) => {
    setForm(next);
    setValues((v) => initialValues(next, v));
  };

  const change = async (input, value) => {
    const next = { ...values, [input.name]: value };
    setValues(next);
    setErrors((e) => ({ ...e, [input.name]: undefined }));
    if (!input.trigger_on_change) return;
    try {
      const r = await api("POST", `/api/v3/forms/${formId}/change`, {
        name: input.name,
        value,
        values: submitted(form, next),
      });
      if (r && r.type === "form" && r.data) replaceForm(r.data);
      else if (r && r.type === "banner") onToast({ status: r.data.status, text: r.data.text });
    } catch (e) {
      onToast({ status: "failure", text: e.message });
    }
  };

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await api("POST", `/api/v3/forms/${formId}/submit`, { values: submitted(form, values) });
      if (r.type === "form_error") {
        setErrors((r.data && r.data.inputs) || {});
        setNote((r.data && r.data.text) || "");
      } else if (r.type === "form" && r.data) {
        setErrors({});
        setNote("");
        replaceForm(r.data);
      } else {
        if (r.type === "banner" && r.data) onToast({ status: r.data.status, text: r.data.text });
        onClose();
      }
    } catch (err) {
      onToast({ status: "failure", text: err.message });
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    try {
      const r = await api("POST", `/api/v3/forms/${formId}/cancel`, {});
      if (r && r.type === "banner" && r.data) onToast({ status: r.data.status, text: r.data.text });
    } catch {
      // Already closed or expired: nothing to undo.
    }
    onClose();
  };

  return html`<dialog ref=${ref} class="form-dialog" aria-labelledby="form-title" data-form-name=${form.name}
    onCancel=${(e) => { e.preventDefault(); cancel(); }}>
    <form onSubmit=${submit} novalidate>
      <h2 id="form-title">${form.title}</h2>
      ${form.hint && html`<p class="hint">${form.hint}</p>`}
      ${note && html`<p class="error" role="alert">${note}</p>`}
      ${(form.inputs || []).map((input) => html`<${Field} key=${input.name} formId=${formId} input=${input}
        value=${values[input.name]} error=${errors[input.name]} onChange=${(v) => change(input, v)} />`)}
      <div class="dialog-buttons">
        <button type="button" onClick=${cancel}>Cancel</button>
        <button type="submit" class="primary" disabled=${busy}>${form.button_label || "Submit"}</button>
      </div>
    </form>
  </dialog>`;
}
