// Messages as Cliq renders them: text formatting, mentions, cards in every theme, buttons,
// slides (tables, lists, labels, images, text, charts), the bot sender, styles and edit marks.
// Everything is built as elements (never HTML strings), so message text cannot inject markup.

import { h } from "preact";
import { useEffect, useRef } from "preact/hooks";
import htm from "htm";

const html = htm.bind(h);

/** An image a message links to that cannot load is hidden rather than shown broken. */
const hideBroken = (e) => e.target.classList.add("broken");

const INLINE =
  /(\{@[^}\s]+\}|\{#[^}\s]+\}|\[[^\]\n]+\]\([^)\s]+\)|`[^`\n]+`|\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|https?:\/\/[^\s<>()]+)/g;

function safeUrl(url) {
  return /^(https?:|mailto:)/i.test(url) ? url : null;
}

/** A mention placeholder `{@x}` as the message's `mentions` resolved it (else the raw text). */
function mention(raw, ctx) {
  const key = raw.slice(2, -1);
  const found = (ctx.mentions || []).find(
    (m) => m.id === key || m.email === key || `b-${m.id}` === key || m.id === `b-${key}`,
  );
  if (!found && !["all", "available"].includes(key)) return raw;
  const name = (found ? found.dname || found.name : key).replace(/^[@#]/, "");
  const sigil = raw[1] === "#" ? "#" : "@";
  return html`<span class="mention" data-mention-type=${found ? found.type : key}
    data-mention-id=${found ? found.id : key}>${sigil}${name}</span>`;
}

/** Inline formatting of one line: bold, italic, strike, code, links, mentions, instant buttons. */
export function inline(text, ctx = {}) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    const t = m[0];
    if (t.startsWith("{@") || t.startsWith("{#")) {
      out.push(mention(t, ctx));
    } else if (t.startsWith("[")) {
      const label = t.slice(1, t.indexOf("]("));
      const target = t.slice(t.indexOf("](") + 2, -1);
      out.push(linkOrButton(label, target, ctx));
    } else if (t.startsWith("`")) {
      out.push(html`<code>${t.slice(1, -1)}</code>`);
    } else if (t.startsWith("*")) {
      out.push(html`<strong>${inline(t.slice(1, -1), ctx)}</strong>`);
    } else if (t.startsWith("_")) {
      out.push(html`<em>${inline(t.slice(1, -1), ctx)}</em>`);
    } else if (t.startsWith("~")) {
      out.push(html`<s>${inline(t.slice(1, -1), ctx)}</s>`);
    } else {
      out.push(html`<a href=${t} target="_blank" rel="noopener noreferrer">${t}</a>`);
    }
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function linkOrButton(label, target, ctx) {
  // Silent mentions: [Name](zohoid:123), [Name](mail:a@b).
  if (/^(zohoid|mail):/.test(target)) {
    return html`<span class="mention" data-mention-id=${target.split(":")[1]}>@${label}</span>`;
  }
  // Instant buttons: [Yes]($1) with `references`, or [Label](invoke.function|Name).
  const ref = /^\$(\d+)$/.exec(target);
  if (ref && ctx.references && ctx.references[ref[1]]) {
    const r = ctx.references[ref[1]];
    const object = r.object || r;
    return html`<${Button} button=${{ ...object, label: object.label || label }} ctx=${ctx}
      path=${`references.${ref[1]}`} instant />`;
  }
  const pipe = /^(invoke\.function|system\.api)\|(.+)$/.exec(target);
  if (pipe) {
    const action =
      pipe[1] === "invoke.function"
        ? { type: "invoke.function", data: { name: pipe[2] } }
        : { type: "system.api", data: { api: pipe[2] } };
    const n = ctx.textButtons ? ctx.textButtons.n++ : 0;
    return html`<${Button} button=${{ label, action }} ctx=${ctx} path=${`text[${n}]`} instant />`;
  }
  const url = safeUrl(target);
  return url
    ? html`<a href=${url} target="_blank" rel="noopener noreferrer">${label}</a>`
    : `[${label}](${target})`;
}

/** A message text: paragraphs, ```code blocks``` and "> " quotes, each line formatted inline. */
export function FormattedText({ text, ctx }) {
  if (!text) return null;
  const blocks = [];
  const parts = text.split("```");
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      blocks.push(html`<pre class="code-block"><code>${part.replace(/^\n/, "")}</code></pre>`);
      return;
    }
    let quote = [];
    const flush = () => {
      if (quote.length) blocks.push(html`<blockquote>${quote}</blockquote>`);
      quote = [];
    };
    part.split("\n").forEach((line, n, lines) => {
      if (line.startsWith("> ") || line === ">") {
        if (quote.length) quote.push(html`<br />`);
        quote.push(...inline(line.slice(2), ctx));
        return;
      }
      flush();
      if (line === "" && (n === 0 || n === lines.length - 1)) return;
      blocks.push(html`<span class="line">${inline(line, ctx)}</span>`);
    });
    flush();
  });
  return html`<div class="text">${blocks}</div>`;
}

/** A message button (`+` positive, `-` negative); clicking goes through ctx.onButton. */
export function Button({ button, ctx, path, instant }) {
  const style = button.type === "+" ? "positive" : button.type === "-" ? "negative" : "neutral";
  const action = button.action || {};
  const onClick = (e) => {
    e.preventDefault();
    if (ctx.onButton) ctx.onButton(button, ctx.message, path);
  };
  if (action.type === "open.url" && action.data && safeUrl(action.data.web || "")) {
    return html`<a class=${`msg-button btn-${style}`} href=${action.data.web} target="_blank"
      rel="noopener noreferrer" title=${button.hint || ""}>${button.label}</a>`;
  }
  return html`<button type="button" class=${`msg-button btn-${style}${instant ? " instant" : ""}`}
    title=${button.hint || ""} data-action=${action.type || ""} data-key=${button.key || ""}
    onClick=${onClick}>${button.label}</button>`;
}

function Buttons({ buttons, ctx, base }) {
  if (!Array.isArray(buttons) || !buttons.length) return null;
  return html`<div class="buttons">${buttons.map(
    (b, i) => html`<${Button} button=${b} ctx=${ctx} path=${`${base}[${i}]`} />`,
  )}</div>`;
}

/** A card: `basic`, `poll` (with votes), `modern-inline` (sections, thumbnail), `prompt`. */
function Card({ card, ctx, children }) {
  const theme = card.theme || "basic";
  return html`<div class=${`card card-${theme}`} data-theme=${theme}>
    <div class="card-header">
      ${card.icon && safeUrl(card.icon) && html`<img class="card-icon" src=${card.icon} alt="" onError=${hideBroken} />`}
      ${card.title && html`<div class="card-title">${card.title}</div>`}
      ${card.thumbnail && safeUrl(card.thumbnail) &&
        html`<img class="card-thumbnail" src=${card.thumbnail} alt="" onError=${hideBroken} />`}
    </div>
    <div class="card-body">
      ${children}
      ${theme === "poll" && Array.isArray(card.options) && html`<ul class="poll-options">
        ${card.options.map((o) => html`<li class="poll-option"><span class="poll-text">${o.text}</span>
          <span class="poll-votes" aria-label="votes">${o.votes || 0}</span></li>`)}
      </ul>`}
      ${Array.isArray(card.sections) && card.sections.map((s) => html`<div class="card-section">
        ${s.title && html`<div class="section-title">${s.title}</div>`}
        <dl class="fields">${(s.fields || []).map((f) => html`<div class="field">
          <dt>${f.title}</dt><dd>${f.value}</dd></div>`)}</dl>
      </div>`)}
      <${Buttons} buttons=${card.buttons} ctx=${ctx} base="card.buttons" />
    </div>
  </div>`;
}

let chartSeq = 0;

function ChartCanvas({ config, label }) {
  const ref = useRef(null);
  useEffect(() => {
    if (!window.Chart || !ref.current) return undefined;
    const chart = new window.Chart(ref.current, config);
    return () => chart.destroy();
  }, [JSON.stringify(config.data)]);
  return html`<div class="chart"><canvas ref=${ref} role="img" aria-label=${label}
    id=${`chart-${++chartSeq}`}></canvas></div>`;
}

const PALETTE = ["#2f6fde", "#27a35a", "#f0a020", "#d8434a", "#8a55d0"];

function percentageChart(slide) {
  const preview = (slide.styles && slide.styles.preview) || "pie";
  const data = Array.isArray(slide.data) ? slide.data : [];
  const semi = preview === "semi_doughnut";
  return {
    type: preview === "pie" ? "pie" : "doughnut",
    data: {
      labels: data.map((d) => d.label),
      datasets: [{ data: data.map((d) => Number(d.value)), backgroundColor: PALETTE }],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      ...(semi ? { circumference: 180, rotation: -90 } : {}),
    },
  };
}

function graphChart(slide) {
  const styles = slide.styles || {};
  const preview = styles.preview || "vertical_bar";
  const data = Array.isArray(slide.data) ? slide.data : [];
  const labels = [...new Set(data.flatMap((c) => (c.values || []).map((v) => v.label)))];
  const datasets = data.map((c, i) => ({
    label: c.category,
    data: labels.map((l) => {
      const v = (c.values || []).find((x) => x.label === l);
      return v ? Number(v.value) : 0;
    }),
    backgroundColor: PALETTE[i % PALETTE.length],
    borderColor: PALETTE[i % PALETTE.length],
  }));
  const stacked = preview === "vertical_stacked_bar";
  const axis = (title, s) => ({ stacked: s, title: { display: !!title, text: title || "" } });
  return {
    type: preview === "trend" ? "line" : "bar",
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: axis(styles.x_axis, stacked), y: axis(styles.y_axis, stacked) },
    },
  };
}

function SlideBody({ slide }) {
  const data = slide.data;
  switch (slide.type) {
    case "table": {
      const headers = (data && data.headers) || [];
      const widths = (slide.styles && slide.styles.width) || [];
      return html`<div class="table-wrap"><table>
        <thead><tr>${headers.map((hd, i) => html`<th scope="col"
          style=${widths[i] ? `width:${widths[i]}%` : ""}>${hd}</th>`)}</tr></thead>
        <tbody>${((data && data.rows) || []).map((row) => html`<tr>
          ${headers.map((hd) => html`<td>${row[hd] === undefined ? "" : String(row[hd])}</td>`)}</tr>`)}
        </tbody></table></div>`;
    }
    case "list": {
      const kind = (slide.styles && slide.styles.type) || "disc";
      const ordered = /decimal|alpha|roman/.test(kind);
      const items = (Array.isArray(data) ? data : []).map((i) => html`<li>${String(i)}</li>`);
      const style = `list-style-type:${kind === "bulleted" ? "disc" : kind}`;
      return ordered
        ? html`<ol style=${style} data-list-style=${kind}>${items}</ol>`
        : html`<ul style=${style} data-list-style=${kind}>${items}</ul>`;
    }
    case "label": {
      const pairs = (Array.isArray(data) ? data : []).map((d) =>
        d && "label" in d && "value" in d ? [d.label, d.value] : Object.entries(d || {})[0] || ["", ""],
      );
      return html`<dl class="labels">${pairs.map(([k, v]) => html`<div class="label-pair">
        <dt>${k}</dt><dd>${String(v)}</dd></div>`)}</dl>`;
    }
    case "images":
    case "image":
      return html`<div class="images">${(Array.isArray(data) ? data : [data])
        .filter((u) => typeof u === "string" && safeUrl(u))
        .map((u) => html`<img src=${u} alt=${slide.title || "image"} loading="lazy" onError=${hideBroken} />`)}</div>`;
    case "text":
      return html`<p class="slide-text">${inline(String(data || ""))}</p>`;
    case "percentage_chart":
      return html`<${ChartCanvas} config=${percentageChart(slide)} label=${slide.title || "chart"} />`;
    case "graph":
      return html`<${ChartCanvas} config=${graphChart(slide)} label=${slide.title || "graph"} />`;
    default:
      return html`<p class="unsupported">Unsupported slide type ${slide.type}</p>`;
  }
}

function Slides({ slides, ctx }) {
  if (!Array.isArray(slides) || !slides.length) return null;
  return html`<div class="slides">${slides.map((s, i) => html`<section class=${`slide slide-${s.type}`}
    data-slide-type=${s.type} data-preview=${(s.styles && s.styles.preview) || ""}>
    ${s.title && html`<h4 class="slide-title">${s.title}</h4>`}
    <${SlideBody} slide=${s} />
    <${Buttons} buttons=${s.buttons} ctx=${ctx} base=${`slides[${i}].buttons`} />
  </section>`)}</div>`;
}

/** The body of a message (its `content`). */
export function MessageContent({ message, ctx }) {
  const content = message.content || {};
  const full = {
    ...ctx,
    message,
    mentions: message.mentions,
    references: content.references,
    textButtons: { n: 0 },
  };
  const text = html`<${FormattedText} text=${content.text} ctx=${full} />`;
  return html`<div class="content">
    ${content.card ? html`<${Card} card=${content.card} ctx=${full}>${text}<//>` : text}
    <${Slides} slides=${content.slides} ctx=${full} />
    <${Buttons} buttons=${content.buttons} ctx=${full} base="buttons" />
  </div>`;
}

/** Who a message shows as sent by: a bot's `bot` override, the bot, or the user. */
export function senderOf(message) {
  const content = message.content || {};
  const bot = content.bot || {};
  const isBot = message.sender && message.sender.type === "bot";
  return {
    name: bot.name || (message.sender && message.sender.name) || "",
    image: bot.image && safeUrl(bot.image) ? bot.image : null,
    isBot: isBot || !!content.bot,
  };
}

export function formatTime(ms) {
  const d = new Date(ms);
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export { html };
