// The Atlas run viewer: plain JS over /api/… (see ViewerApi.cs). Every text from the store (prompts, replies, results,
// names) reaches the page as a text node or an attribute value set through the DOM, never as HTML.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
let stream = null; // the page's EventSource, closed when the route changes

function h(tag, props, ...children) {
  const node = document.createElement(tag);
  setProps(node, props);
  append(node, children);
  return node;
}

function s(tag, props, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function setProps(node, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function ms(value) {
  if (value === null || value === undefined) return "-";
  if (value < 1000) return Math.round(value) + " ms";
  if (value < 60000) return (value / 1000).toFixed(value < 10000 ? 2 : 1) + " s";
  const minutes = Math.floor(value / 60000);
  return minutes + " min " + Math.round((value % 60000) / 1000) + " s";
}

function cost(value) {
  return value ? "$" + Number(value).toFixed(value < 0.01 ? 5 : 3) : "$0";
}

function tokens(value) {
  return value ? Number(value).toLocaleString("en") : "0";
}

function when(iso) {
  return iso ? iso.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", "Z") : "-";
}

function badge(status) {
  return h("span", { class: "badge status-" + status }, status);
}

function main(...children) {
  const root = document.getElementById("main");
  root.replaceChildren(...children.flat().filter(Boolean));
}

function setLive(on) {
  document.getElementById("live").hidden = !on;
}

function watch(path, onChange) {
  if (stream) stream.close();
  stream = new EventSource(path);
  stream.addEventListener("change", e => onChange(JSON.parse(e.data)));
  stream.onerror = () => setLive(false);
  stream.onopen = () => setLive(true);
}

function stopWatching() {
  if (stream) stream.close();
  stream = null;
  setLive(false);
}

// A recorded value: its first lines, with "show all" fetching the whole text when it was cut.
function textBlock(value, loadAll) {
  if (!value) return h("p", { class: "muted" }, "none");
  const pre = h("pre", { class: "value" }, value.text);
  if (!value.truncated) return pre;
  const more = h("button", { class: "link", onclick: async () => {
    more.disabled = true;
    pre.textContent = await loadAll();
    more.remove();
  } }, "show all (" + value.length.toLocaleString("en") + " characters)");
  return h("div", null, pre, more);
}

// ---- runs list ---------------------------------------------------------------------------------------------------

async function showRuns(params) {
  const query = new URLSearchParams(params);
  const data = await api("/api/runs?" + query.toString());
  document.getElementById("store").textContent = data.store;
  const workflow = h("select", { name: "workflow" }, h("option", { value: "" }, "all workflows"),
    data.workflows.map(w => h("option", { value: w, selected: w === params.workflow }, w)));
  const status = h("select", { name: "status" }, h("option", { value: "" }, "any status"),
    ["running", "succeeded", "failed", "waiting", "cancelled"].map(st => h("option", { value: st, selected: st === params.status }, st)));
  const since = h("input", { name: "since", placeholder: "since: 30m, 12h, 7d, 2026-12-01", value: params.since || "" });
  const form = h("form", { class: "filters", onsubmit: e => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) next.set(key, value);
    location.hash = "#/?" + next.toString();
  } }, workflow, status, since, h("button", { type: "submit" }, "Filter"));

  const rows = data.runs.map(run => h("tr", { class: "run", "data-run": run.run_id, onclick: () => { location.hash = "#/run/" + run.run_id; } },
    h("td", null, h("a", { href: "#/run/" + run.run_id, class: "mono" }, run.run_id)),
    h("td", null, h("a", { href: "#/workflow/" + encodeURIComponent(run.workflow), onclick: e => e.stopPropagation() }, run.workflow)),
    h("td", null, badge(run.status)),
    h("td", null, when(run.started_at)),
    h("td", { class: "num" }, ms(run.duration_ms)),
    h("td", { class: "num" }, tokens(run.tokens)),
    h("td", { class: "num" }, cost(run.cost_usd)),
    h("td", { class: "muted clip" }, run.error || run.origin || run.input)));
  const table = rows.length === 0
    ? h("p", { class: "muted" }, "No runs match.")
    : h("table", { class: "runs" },
      h("thead", null, h("tr", null, ["run", "workflow", "status", "started (UTC)", "duration", "tokens", "cost", "input / error"].map(c => h("th", null, c)))),
      h("tbody", null, rows));
  main(h("h1", null, "Runs"), form, table, data.limited ? h("p", { class: "muted" }, "The newest " + data.runs.length + " runs.") : null);
  watch("/api/live", () => { if (location.hash.startsWith("#/?") || location.hash === "" || location.hash === "#/") refreshRuns(params); });
}

let refreshing = false;
async function refreshRuns(params) {
  if (refreshing) return;
  refreshing = true;
  try {
    const query = new URLSearchParams(params);
    const data = await api("/api/runs?" + query.toString());
    const body = document.querySelector("table.runs tbody");
    if (!body && data.runs.length === 0) return; // still none: leave the form as it is being filled in
    if (!body || data.runs.length !== body.children.length || data.runs.some((r, i) => body.children[i].dataset.run !== r.run_id)) {
      if (stream) stream.close();
      await showRuns(params);
      return;
    }
    data.runs.forEach((run, i) => {
      const cells = body.children[i].children;
      cells[2].replaceChildren(badge(run.status));
      cells[4].textContent = ms(run.duration_ms);
      cells[5].textContent = tokens(run.tokens);
      cells[6].textContent = cost(run.cost_usd);
    });
  } finally {
    refreshing = false;
  }
}

// ---- one run -----------------------------------------------------------------------------------------------------

const open = { step: null, call: null }; // what the run page shows in detail, kept across live updates

async function showRun(id) {
  let data;
  try {
    data = await api("/api/runs/" + encodeURIComponent(id));
  } catch (error) {
    main(h("h1", null, "Run"), h("p", { class: "error" }, error.message));
    stopWatching();
    return;
  }
  renderRun(data);
  let shown = data;
  watch("/api/runs/" + encodeURIComponent(id) + "/live", async message => {
    // The first message is the state when the stream opened: nothing to redraw when it is what the page shows.
    if (message.status === shown.run.status && message.steps === shown.steps.length && message.model_calls === shown.model_calls.length
      && message.answered === shown.questions.filter(q => q.answer !== undefined && q.answer !== null).length && !message.batch) return;
    const fresh = await api("/api/runs/" + encodeURIComponent(id));
    if (location.hash !== "#/run/" + id) return;
    shown = fresh;
    renderRun(fresh);
  });
}

function stepStatus(data) {
  const status = {};
  for (const step of data.steps) status[step.step] = step.reused ? "reused" : step.status;
  if (data.run.status === "running") {
    for (const call of data.model_calls) if (call.step && !status[call.step]) status[call.step] = "running";
  }
  if (!status["return"] && data.run.status === "succeeded") status["return"] = "succeeded";
  return status;
}

// What is being typed into a question's form, kept while a live update redraws the page.
function formState() {
  const state = {};
  for (const form of document.querySelectorAll("form.question")) {
    const problem = form.querySelector(".answer-error");
    state[form.dataset.step] = { value: form.querySelector("textarea").value, problem: problem.hidden ? null : problem.textContent };
  }
  return state;
}

function restoreForms(state) {
  for (const form of document.querySelectorAll("form.question")) {
    const kept = state[form.dataset.step];
    if (!kept) continue;
    form.querySelector("textarea").value = kept.value;
    if (kept.problem) {
      const problem = form.querySelector(".answer-error");
      problem.textContent = kept.problem;
      problem.hidden = false;
    }
  }
}

function renderRun(data) {
  const typed = formState();
  const run = data.run;
  const statuses = stepStatus(data);
  const critical = new Set(data.critical_path);
  const facts = [
    ["status", badge(run.status)],
    ["started", when(run.started_at)],
    ["duration", run.duration_ms !== undefined ? ms(run.duration_ms) : ms(data.elapsed_ms) + (run.status === "running" ? " so far" : "")],
    ["tokens", tokens(run.tokens) + " (" + tokens(run.input_tokens) + " in, " + tokens(run.output_tokens) + " out)"],
    ["cost", cost(run.cost_usd)],
  ];
  if (run.origin) facts.push(["from", run.origin]);
  if (run.source) facts.push(["source", run.source]);
  if (data.batch) facts.push(["batch", h("span", { class: "batch" },
    h("progress", { max: data.batch.total, value: data.batch.done }),
    " " + data.batch.done + " / " + data.batch.total + " done" + (data.batch.failed ? ", " + data.batch.failed + " failed" : "") + (data.batch.waiting ? ", " + data.batch.waiting + " waiting" : ""))]);

  const bottleneck = data.bottleneck
    ? h("p", { class: "bottleneck" }, "Slowest step: ", h("strong", null, data.bottleneck.step), " (" + ms(data.bottleneck.duration_ms) + "). Critical path: ",
      data.critical_path.length ? data.critical_path.join(" → ") : "-")
    : null;

  main(
    h("h1", null, h("a", { href: "#/workflow/" + encodeURIComponent(run.workflow) }, run.workflow), " ", h("span", { class: "mono muted" }, run.run_id)),
    h("dl", { class: "facts", id: "facts" }, facts.map(([k, v]) => [h("dt", null, k), h("dd", { "data-fact": k }, v)])),
    run.error ? h("p", { class: "error" }, run.error) : null,
    questions(data),
    h("section", null, h("h2", null, "Graph"), data.graph.note ? h("p", { class: "note" }, "Drawn from the steps recorded: " + data.graph.note + ".") : null,
      graph(data.graph, statuses, critical), bottleneck),
    h("section", null, h("h2", null, "Timeline"), timeline(data, critical)),
    h("section", { class: "columns" },
      h("div", null, h("h2", null, "Steps"), stepsTable(data)),
      h("div", null, h("h2", null, "Model calls"), callsTable(data))),
    h("section", { id: "detail" }),
    h("section", { class: "columns" },
      h("div", null, h("h2", null, "Input"), textBlock(run.input, null)),
      h("div", null, h("h2", null, "Output"), textBlock(run.output, null))));
  restoreForms(typed);
  if (open.step) showStep(run.run_id, open.step);
  else if (open.call) showCall(run.run_id, open.call);
}

// What answering here printed (how to continue the run), kept while the page re-renders the answered question.
const answeredHere = {};

function questions(data) {
  if (data.questions.length === 0) return null;
  return h("section", { class: "questions" }, h("h2", null, "Questions"), data.questions.map(q => {
    if (q.answer !== undefined && q.answer !== null) {
      const lines = answeredHere[data.run.run_id + " " + q.step];
      return h("div", { class: "question answered", "data-step": q.step }, h("p", null, h("strong", null, q.step), " asked ", q.human, ":"),
        h("pre", { class: "value" }, q.prompt), h("p", null, "Answer: ", h("code", { class: "answer" }, q.answer)),
        lines ? h("div", { class: "answer-done" }, lines.map(line => h("p", null, h("code", null, line)))) : null);
    }
    const value = h("textarea", { name: "value", rows: 3, placeholder: "an answer of type " + q.type });
    const problem = h("p", { class: "error answer-error", hidden: true });
    const done = h("div", { class: "answer-done", hidden: true });
    const form = h("form", { class: "question", "data-step": q.step, onsubmit: async e => {
      e.preventDefault();
      problem.hidden = true;
      try {
        const result = await api("/api/runs/" + encodeURIComponent(data.run.run_id) + "/answer", {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ step: q.step, value: value.value }),
        });
        answeredHere[data.run.run_id + " " + q.step] = result.lines;
        done.replaceChildren(...result.lines.map(line => h("p", null, h("code", null, line))));
        done.hidden = false;
        form.querySelector("button").disabled = true;
      } catch (error) {
        problem.textContent = error.message;
        problem.hidden = false;
      }
    } }, h("p", null, h("strong", null, q.step), " waits for ", q.human, " (", h("code", null, q.type), "):"),
      h("pre", { class: "value" }, q.prompt), value, h("button", { type: "submit" }, "Answer"), problem, done);
    return form;
  }));
}

// The workflow graph: nodes in layers (columns), edges as curves, each node coloured by its step's status.
function graph(g, statuses, critical) {
  const width = 190, gap = 60, lineHeight = 16, pad = 16;
  const heightOf = n => pad + Math.min(n.lines.length, 3) * lineHeight + 6;
  const rowHeight = Math.max(...g.nodes.map(heightOf), 40) + 22;
  const pos = {};
  for (const n of g.nodes) pos[n.id] = { x: 10 + n.layer * (width + gap), y: 10 + n.row * rowHeight, h: heightOf(n), n };
  const maxX = Math.max(0, ...Object.values(pos).map(p => p.x + width)) + 10;
  const maxY = Math.max(0, ...Object.values(pos).map(p => p.y + p.h)) + 10;
  const svg = s("svg", { id: "graph", class: "graph", width: maxX, height: maxY, viewBox: "0 0 " + maxX + " " + maxY });
  svg.appendChild(s("defs", null, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" },
    s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }))));
  for (const e of g.edges) {
    const a = pos[e.from], b = pos[e.to];
    if (!a || !b) continue;
    const x1 = a.x + width, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2, mid = (x1 + x2) / 2;
    // A switch's arms share its step: only the switch itself is on the path, not each arm it could take.
    const hot = a.n.step && b.n.step && !a.n.arm && !b.n.arm && a.n.step !== b.n.step && critical.has(a.n.step) && critical.has(b.n.step);
    svg.appendChild(s("path", { d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`, class: "edge" + (hot ? " critical" : "") + (e.dashed ? " dashed" : ""), "marker-end": "url(#arrow)" }));
    if (e.label) svg.appendChild(s("text", { x: mid, y: (y1 + y2) / 2 - 4, class: "edge-label", "text-anchor": "middle" }, e.label));
  }
  for (const n of g.nodes) {
    const p = pos[n.id];
    const status = n.step === null ? "param" : (statuses[n.step] || "pending");
    const node = s("g", { class: "node kind-" + n.kind + " status-" + status + (n.step && !n.arm && critical.has(n.step) ? " critical" : "") + (n.arm ? " arm" : ""), "data-step": n.step, "data-id": n.id, transform: `translate(${p.x},${p.y})` },
      s("title", null, n.lines.join("\n") + (n.step ? "\n" + status : "")),
      s("rect", { width: width, height: p.h, rx: 8 }),
      n.lines.slice(0, 3).map((line, i) => s("text", { x: 10, y: pad + i * lineHeight, class: i === 0 ? "title" : "sub" }, clip(line, i === 0 ? 24 : 28))));
    if (n.step && n.step !== "return" || n.step === "return" && statuses["return"]) {
      node.addEventListener("click", () => { if (statuses[n.step]) openStep(n.step); });
    }
    svg.appendChild(node);
  }
  return h("div", { class: "scroll" }, svg);
}

function clip(text, length) {
  return text.length <= length ? text : text.slice(0, length - 1) + "…";
}

// The timeline: a row per step (its bar from start to end), and under it a thin row per model call, tool call and retry.
function timeline(data, critical) {
  const total = Math.max(data.elapsed_ms || 0, 1, ...data.steps.map(st => st.start_ms + st.duration_ms),
    ...data.model_calls.map(c => c.start_ms + c.duration_ms));
  const label = 200, span = 760, rowHeight = 22;
  const rows = [];
  const names = [];
  for (const step of [...data.steps].sort((a, b) => a.start_ms - b.start_ms)) names.push(step.step);
  for (const call of data.model_calls) if (call.step && !names.includes(call.step)) names.push(call.step);
  for (const name of names) {
    const step = data.steps.find(st => st.step === name);
    if (step) rows.push({ kind: "step", label: name, start: step.start_ms, duration: step.duration_ms, status: step.reused ? "reused" : step.status, step: name, critical: critical.has(name) });
    else rows.push({ kind: "step", label: name, start: Math.min(...data.model_calls.filter(c => c.step === name).map(c => c.start_ms)), duration: null, status: "running", step: name });
    for (const call of data.model_calls.filter(c => c.step === name)) {
      rows.push({ kind: "model", label: (call.cache_hit ? "cached " : "") + call.agent + " · " + (call.provider || call.model), start: call.start_ms, duration: call.duration_ms, call: call.sequence });
    }
    for (const tool of data.tool_calls.filter(c => c.step === name)) rows.push({ kind: "tool", label: "tool " + tool.tool, start: tool.start_ms, duration: tool.duration_ms, failed: !!tool.error });
    for (const retry of data.retries.filter(r => r.step === name)) rows.push({ kind: "retry", label: "retry " + retry.attempt + ": " + retry.reason, start: retry.start_ms, duration: retry.duration_ms });
  }
  for (const call of data.model_calls.filter(c => !c.step)) rows.push({ kind: "model", label: call.agent, start: call.start_ms, duration: call.duration_ms, call: call.sequence });
  if (rows.length === 0) return h("p", { class: "muted" }, "No steps recorded yet.");

  const height = rows.length * rowHeight + 30;
  const x = t => label + Math.max(0, t) / total * span;
  const svg = s("svg", { id: "timeline", class: "timeline", width: label + span + 20, height: height });
  for (let i = 0; i <= 4; i++) {
    const t = total * i / 4;
    svg.appendChild(s("line", { x1: x(t), y1: 0, x2: x(t), y2: height - 18, class: "tick" }));
    svg.appendChild(s("text", { x: x(t), y: height - 4, class: "tick-label", "text-anchor": i === 0 ? "start" : i === 4 ? "end" : "middle" }, ms(t)));
  }
  rows.forEach((row, i) => {
    const y = i * rowHeight;
    const duration = row.duration === null ? Math.max(total - row.start, 1) : row.duration;
    const width = Math.max(2, duration / total * span);
    const g = s("g", { class: "row row-" + row.kind + (row.critical ? " critical" : ""), "data-step": row.step, "data-call": row.call });
    g.appendChild(s("title", null, row.label + " — " + (row.duration === null ? "running" : ms(row.duration)) + " from " + ms(row.start)));
    g.appendChild(s("text", { x: row.kind === "step" ? 4 : 16, y: y + 15, class: "row-label" }, clip(row.label, row.kind === "step" ? 26 : 28)));
    const barHeight = row.kind === "step" ? 16 : 10;
    g.appendChild(s("rect", { x: x(row.start), y: y + (rowHeight - barHeight) / 2, width: width, height: barHeight, rx: 3,
      class: "bar bar-" + row.kind + (row.status ? " status-" + row.status : "") + (row.failed ? " status-failed" : "") }));
    if (row.kind === "step") g.addEventListener("click", () => openStep(row.step));
    if (row.call) g.addEventListener("click", () => openCall(row.call));
    svg.appendChild(g);
  });
  return h("div", { class: "scroll" }, svg);
}

function stepsTable(data) {
  if (data.steps.length === 0) return h("p", { class: "muted" }, "No steps recorded yet.");
  return h("table", { class: "steps" },
    h("thead", null, h("tr", null, ["step", "status", "duration", "attempts", "tokens", "cost"].map(c => h("th", null, c)))),
    h("tbody", null, data.steps.map(step => h("tr", { class: "step", "data-step": step.step, onclick: () => openStep(step.step) },
      h("td", null, h("button", { class: "link" }, step.step)),
      h("td", null, badge(step.reused ? "reused" : step.status)),
      h("td", { class: "num" }, ms(step.duration_ms)),
      h("td", { class: "num" }, step.attempts),
      h("td", { class: "num" }, tokens(step.tokens)),
      h("td", { class: "num" }, cost(step.cost_usd))))));
}

function callsTable(data) {
  if (data.model_calls.length === 0) return h("p", { class: "muted" }, "No model calls.");
  return h("table", { class: "calls" },
    h("thead", null, h("tr", null, ["#", "step", "agent", "provider", "latency", "tokens"].map(c => h("th", null, c)))),
    h("tbody", null, data.model_calls.map(call => h("tr", { class: "call", "data-call": call.sequence, onclick: () => openCall(call.sequence) },
      h("td", null, h("button", { class: "link" }, "#" + call.sequence)),
      h("td", null, call.step || "-"),
      h("td", null, call.agent),
      h("td", null, call.cache_hit ? "cache" : (call.provider || call.model)),
      h("td", { class: "num" }, ms(call.duration_ms)),
      h("td", { class: "num" }, tokens(call.tokens))))));
}

function currentRun() {
  const match = location.hash.match(/^#\/run\/([^/?]+)/);
  return match ? decodeURIComponent(match[1]) : null;
}

function openStep(step) {
  open.step = step;
  open.call = null;
  showStep(currentRun(), step);
}

function openCall(sequence) {
  open.call = sequence;
  open.step = null;
  showCall(currentRun(), sequence);
}

async function showStep(runId, step) {
  const detail = document.getElementById("detail");
  if (!detail) return;
  try {
    const data = await api("/api/runs/" + encodeURIComponent(runId) + "/steps/" + encodeURIComponent(step));
    detail.replaceChildren(...[h("h2", null, "Step ", step),
      data.error ? h("p", { class: "error" }, data.error) : null,
      h("div", { class: "columns" },
        h("div", null, h("h3", null, "Input"), data.input ? h("pre", { class: "value step-input" }, data.input) : h("p", { class: "muted" }, data.input_note || "none")),
        h("div", null, h("h3", null, "Output"), data.output ? h("pre", { class: "value step-output" }, data.output) : h("p", { class: "muted" }, "none")))].filter(Boolean));
  } catch (error) {
    detail.replaceChildren(h("h2", null, "Step ", step), h("p", { class: "muted" }, error.message));
  }
}

async function showCall(runId, sequence) {
  const detail = document.getElementById("detail");
  if (!detail) return;
  const data = await api("/api/runs/" + encodeURIComponent(runId) + "/model-calls/" + sequence);
  const messages = list => list.map(m => h("div", { class: "message role-" + m.role },
    h("div", { class: "role" }, m.role),
    m.parts.map(p => h("pre", { class: "part part-" + p.kind }, p.kind === "text" ? p.text : p.kind + ": " + p.text))));
  detail.replaceChildren(
    h("h2", null, "Model call #" + data.sequence + " · " + data.agent + " · " + (data.provider || data.model) + (data.model_id ? " (" + data.model_id + ")" : "")),
    h("p", { class: "muted" }, "step " + (data.step || "-") + " · " + ms(data.duration_ms) + " · " + tokens(data.tokens) + " tokens · " + cost(data.cost_usd)),
    h("div", { class: "columns" },
      h("div", { class: "prompt" }, h("h3", null, "Prompt"), messages(data.request)),
      h("div", { class: "reply" }, h("h3", null, "Reply"), messages(data.response))));
}

// ---- per workflow ------------------------------------------------------------------------------------------------

async function showWorkflow(name, params) {
  stopWatching();
  const n = params.n || "100";
  let data;
  try {
    data = await api("/api/workflows/" + encodeURIComponent(name) + "/stats?n=" + encodeURIComponent(n));
  } catch (error) {
    main(h("h1", null, name), h("p", { class: "error" }, error.message));
    return;
  }
  const input = h("input", { name: "n", type: "number", min: 1, value: n, class: "narrow" });
  const pct = v => (v * 100).toFixed(v && v < 0.1 ? 1 : 0) + "%";
  main(
    h("h1", null, "Workflow ", name),
    h("form", { class: "filters", onsubmit: e => { e.preventDefault(); location.hash = "#/workflow/" + encodeURIComponent(name) + "?n=" + input.value; } },
      "over the last ", input, " runs ", h("button", { type: "submit" }, "Update"),
      h("a", { href: "#/?workflow=" + encodeURIComponent(name) }, "its runs")),
    h("dl", { class: "facts" },
      h("dt", null, "runs"), h("dd", null, data.runs + (data.failed ? " (" + data.failed + " failed)" : "")),
      h("dt", null, "duration"), h("dd", null, "p50 " + ms(data.p50_ms) + " · p95 " + ms(data.p95_ms)),
      h("dt", null, "tokens"), h("dd", null, tokens(data.tokens)),
      h("dt", null, "cost"), h("dd", null, cost(data.cost_usd))),
    h("table", { class: "stats" },
      h("thead", null, h("tr", null, ["step", "runs", "p50", "p95", "tokens / run", "cost / run", "failed", "retried"].map(c => h("th", null, c)))),
      h("tbody", null, data.steps.map(st => h("tr", { "data-step": st.step },
        h("td", null, st.step), h("td", { class: "num" }, st.runs), h("td", { class: "num" }, ms(st.p50_ms)), h("td", { class: "num" }, ms(st.p95_ms)),
        h("td", { class: "num" }, tokens(Math.round(st.tokens))), h("td", { class: "num" }, cost(st.cost_usd)),
        h("td", { class: "num" }, pct(st.failure_rate)), h("td", { class: "num" }, pct(st.retry_rate)))))));
}

// ---- routing -----------------------------------------------------------------------------------------------------

function route() {
  const hash = location.hash || "#/";
  const [path, search] = hash.slice(1).split("?");
  const params = Object.fromEntries(new URLSearchParams(search || ""));
  const run = path.match(/^\/run\/([^/]+)$/);
  const workflow = path.match(/^\/workflow\/([^/]+)$/);
  if (!run) { open.step = null; open.call = null; }
  stopWatching(); // a page watches only while it is shown
  const shown = run ? showRun(decodeURIComponent(run[1]))
    : workflow ? showWorkflow(decodeURIComponent(workflow[1]), params)
    : showRuns(params);
  shown.catch(error => main(h("p", { class: "error" }, error.message)));
}

window.addEventListener("hashchange", () => { open.step = null; open.call = null; route(); });
route();
