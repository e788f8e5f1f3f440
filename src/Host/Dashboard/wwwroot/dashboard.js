// anyclaude's dashboard: one EventSource on /ui/events (a snapshot a second), plain DOM and canvas, nothing fetched from elsewhere.
"use strict";

const colors = ["#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df", "#cf222e"];

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function seconds(value) { return typeof value === "number" ? value.toFixed(3) + " s" : "-"; }
function share(value) { return typeof value === "number" ? Math.round(value * 100) + "%" : "-"; }
function rate(value) { return typeof value === "number" ? value.toFixed(1) : "-"; }

async function makeDefault(name) {
  const response = await fetch("/ui/mode", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mode: name }),
  });
  if (!response.ok) {
    document.getElementById("connection").textContent = "switch failed: " + response.status;
  }
}

// One replica of a pool (its `urls`), shown under its backend: health, load and the conversations it holds.
// "up", "down" or "unknown" (health nobody has checked yet is not shown as healthy).
function healthOf(item) {
  return item.health || (item.healthy ? "up" : "down");
}

function healthText(item, retry) {
  const health = healthOf(item);
  if (health === "up") return "healthy";
  if (health === "unknown") return "unknown";
  return "unhealthy (" + item.failures + " failures" + retry + ")";
}

function healthClass(item) {
  const health = healthOf(item);
  return health === "up" ? "healthy" : health === "unknown" ? "muted" : "unhealthy";
}

function destinationRow(pool, destination) {
  const row = document.createElement("tr");
  row.className = "destination";
  row.dataset.pool = pool;
  row.dataset.destination = destination.url;
  cell(row, "↳", "muted");
  cell(row, "destination", "muted");
  cell(row, destination.url);
  cell(row, healthText(destination, destination.retryAt ? ", retry " + new Date(destination.retryAt).toLocaleTimeString() : ""), healthClass(destination));
  cell(row, String(destination.inFlight));
  const detail = cell(row, "conversations: " + destination.conversations + (destination.lastError ? "; last error: " + destination.lastError : ""), "muted");
  detail.colSpan = 6;
  return row;
}

// Where the window came from, so a default is never read as what the server reported.
const windowSources = { configured: " (configured)", reported: " (reported by the server)", default: " (default, not reported by the server)" };

function windowText(backend) {
  return backend.contextLength === undefined
    ? "unknown"
    : backend.contextLength.toLocaleString("en-US") + " tokens" + (windowSources[backend.contextLengthSource] || "");
}

// What the warm-ups left warm (prewarm): " · warm: head 9,812 tokens, classifier 35,120 tokens".
function warmText(backend) {
  const kinds = Object.entries(backend.warm || {});
  return kinds.length === 0 ? "" : " · warm: " + kinds.map(([kind, tokens]) => kind + " " + tokens.toLocaleString("en-US") + " tokens").join(", ");
}

function renderBackends(status) {
  document.getElementById("default").textContent = status.mode;
  const body = document.querySelector("#backends tbody");
  body.replaceChildren();
  status.backends.forEach(backend => {
    const row = document.createElement("tr");
    row.dataset.backend = backend.name;
    const isDefault = backend.name.toLowerCase() === status.mode.toLowerCase();
    cell(row, backend.name, isDefault ? "default" : "");
    cell(row, backend.kind || "");
    cell(row, backend.destinations ? "pool of " + backend.destinations.length : backend.url || "");
    cell(row, healthText(backend, "") + warmText(backend), healthClass(backend));
    cell(row, String(backend.inFlight) + (backend.maxInFlight ? "/" + backend.maxInFlight : "") + (backend.queued ? " +" + backend.queued + " queued" : ""));
    cell(row, windowText(backend), backend.contextLengthSource === "default" ? "muted" : "");
    const figures = backend.figures || {};
    cell(row, figures.requests === undefined ? "-" : figures.requests + " (" + figures.errors + " errors)");
    cell(row, seconds(figures.ttftP50));
    cell(row, seconds(figures.ttftP95));
    cell(row, rate(figures.tokensPerSecond));
    cell(row, share(figures.cachedShare));
    const action = cell(row, "");
    if (isDefault) {
      action.textContent = "default";
      action.className = "muted";
    } else {
      const button = document.createElement("button");
      button.textContent = "make default";
      button.dataset.makeDefault = backend.name;
      button.addEventListener("click", () => makeDefault(backend.name));
      action.appendChild(button);
    }
    body.appendChild(row);
    (backend.destinations || []).forEach(destination => body.appendChild(destinationRow(backend.name, destination)));
  });
  document.getElementById("routes").textContent = status.routes.length === 0
    ? "routes: none (every request goes to the default, or to the backend its model names)"
    : "routes: " + status.routes.join("; ");
}

function renderLive(live) {
  const body = document.querySelector("#live tbody");
  body.replaceChildren();
  if (live.length === 0) {
    const row = document.createElement("tr");
    cell(row, "none running", "muted").colSpan = 7;
    body.appendChild(row);
    return;
  }
  live.forEach(request => {
    const row = document.createElement("tr");
    row.dataset.request = request.id;
    cell(row, request.id);
    cell(row, request.backend);
    cell(row, request.model);
    cell(row, request.class);
    cell(row, request.phase === "queued" ? "queued (waiting for room on the backend)"
      : request.phase !== "prefill" ? "generating"
      : typeof request.prefillTotal === "number"
        ? "prefill " + request.prefillDone + "/" + request.prefillTotal + " (" + Math.round(100 * request.prefillDone / request.prefillTotal) + "%)"
        : "prefill (waiting for the first token)");
    cell(row, request.elapsedSeconds.toFixed(1) + " s");
    cell(row, String(request.deltas));
    body.appendChild(row);
  });
}

// The servers of backends with `start`: shown only when there are any.
function renderServers(status) {
  const servers = status.servers || [];
  document.getElementById("servers-section").hidden = servers.length === 0;
  const body = document.querySelector("#servers tbody");
  body.replaceChildren();
  servers.forEach(server => {
    const row = document.createElement("tr");
    row.dataset.server = server.backend;
    cell(row, server.backend);
    cell(row, server.state + (server.message ? " (" + server.message + ")" : ""), server.state === "failed" ? "unhealthy" : server.state === "up" || server.state === "external" ? "healthy" : "");
    cell(row, server.startedByAnyClaude ? "anyclaude" : "not anyclaude");
    cell(row, server.processId === null ? "-" : String(server.processId));
    cell(row, typeof server.uptimeSeconds === "number" ? Math.floor(server.uptimeSeconds) + " s" : "-");
    cell(row, String(server.restarts));
    cell(row, server.command, "muted");
    body.appendChild(row);
  });
}

function renderErrors(status) {
  const list = document.getElementById("errors");
  list.replaceChildren();
  const items = [];
  status.backends.filter(b => b.lastError).forEach(b => items.push(b.name + ": " + b.lastError));
  status.backends.forEach(b => (b.destinations || []).filter(d => healthOf(d) === "down" && d.lastError)
    .forEach(d => items.push(b.name + " → " + d.url + ": " + d.lastError)));
  status.recent.filter(r => r.status !== 200).reverse().forEach(r =>
    items.push(new Date(r.at).toLocaleTimeString() + " " + r.backend + " " + r.model + " (" + r.class + "): " + r.status));
  if (items.length === 0) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = "none";
    list.appendChild(li);
  }
  items.forEach(text => {
    const li = document.createElement("li");
    li.textContent = text;
    list.appendChild(li);
  });
}

function chart(canvas, series, pick, fixedMax) {
  const context = canvas.getContext("2d");
  const width = canvas.width, height = canvas.height, pad = 30;
  context.clearRect(0, 0, width, height);
  const now = Date.now(), start = now - 3600 * 1000;
  let max = fixedMax || 0;
  Object.values(series).forEach(points => points.forEach(p => { const v = pick(p); if (v !== null && v > max) max = v; }));
  if (max <= 0) max = 1;
  context.strokeStyle = "#ccc";
  context.strokeRect(pad, 5, width - pad - 5, height - pad);
  context.fillStyle = "#666";
  context.font = "11px sans-serif";
  context.fillText(max.toFixed(fixedMax ? 0 : 2), 2, 14);
  context.fillText("0", 2, height - pad + 5);
  context.fillText("-60 min", pad, height - 8);
  context.fillText("now", width - 30, height - 8);
  Object.entries(series).forEach(([name, points], index) => {
    context.fillStyle = context.strokeStyle = colors[index % colors.length];
    points.forEach(p => {
      const v = pick(p);
      if (v === null) return;
      const x = pad + (p[0] - start) / (now - start) * (width - pad - 5);
      const y = 5 + (1 - v / max) * (height - pad);
      context.beginPath();
      context.arc(x, y, 2.5, 0, 2 * Math.PI);
      context.fill();
    });
  });
}

function renderCharts(series) {
  chart(document.getElementById("ttft"), series, p => p[1]);
  chart(document.getElementById("cache"), series, p => p[2], 1);
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  Object.keys(series).forEach((name, index) => {
    const span = document.createElement("span");
    span.style.color = colors[index % colors.length];
    span.textContent = "● " + name;
    legend.appendChild(span);
  });
}

function connect() {
  const events = new EventSource("/ui/events");
  const connection = document.getElementById("connection");
  events.addEventListener("open", () => { connection.textContent = "live"; });
  events.addEventListener("error", () => { connection.textContent = "reconnecting…"; });
  events.addEventListener("snapshot", message => {
    const snapshot = JSON.parse(message.data);
    renderBackends(snapshot.status);
    renderServers(snapshot.status);
    renderLive(snapshot.live);
    renderErrors(snapshot.status);
    renderCharts(snapshot.series);
    document.body.dataset.updated = String(Date.now());
  });
}

connect();
