// The dashboard: plain SVG, no library. Polls the read-only HTTP API every second and redraws.
// Every drawn element carries data-* attributes (model, version, means), so a test can check what is drawn.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
const CHI2_95_2D = 5.991464547107979; // 95% quantile of chi-squared with 2 degrees of freedom
const params = new URLSearchParams(location.search);
const state = { model: params.get("model"), x: +(params.get("x") || 0), y: +(params.get("y") || 1), dims: 0, models: [] };
const $ = (id) => document.getElementById(id);

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function clear(svg) { while (svg.firstChild) svg.removeChild(svg.firstChild); }

function size(svg) { const vb = svg.viewBox.baseVal; return { w: vb.width, h: vb.height }; }

function extent(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

function scale(domain, range) {
  const [d0, d1] = domain, [r0, r1] = range;
  return (v) => r0 + (v - d0) / (d1 - d0) * (r1 - r0);
}

function fmt(v) {
  if (v === null || v === undefined) return "–";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : (+v.toPrecision(4)).toString();
}

function axes(svg, xs, ys, xd, yd, m) {
  const { w, h } = size(svg);
  el("line", { class: "axis", x1: m.l, y1: h - m.b, x2: w - m.r, y2: h - m.b }, svg);
  el("line", { class: "axis", x1: m.l, y1: m.t, x2: m.l, y2: h - m.b }, svg);
  for (const v of [xd[0], (xd[0] + xd[1]) / 2, xd[1]]) {
    el("text", { x: xs(v), y: h - m.b + 14, "text-anchor": "middle" }, svg).textContent = fmt(v);
  }
  for (const v of [yd[0], (yd[0] + yd[1]) / 2, yd[1]]) {
    el("text", { x: m.l - 4, y: ys(v) + 4, "text-anchor": "end" }, svg).textContent = fmt(v);
  }
}

// An ellipse of a 2x2 covariance [[a, b], [b, c]] around a mean, as points in data coordinates.
function ellipse(mean, a, b, c, k) {
  const mid = (a + c) / 2, d = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  const l1 = Math.max(mid + d, 0), l2 = Math.max(mid - d, 0);
  const theta = 0.5 * Math.atan2(2 * b, a - c);
  const out = [];
  for (let i = 0; i <= 64; i++) {
    const t = 2 * Math.PI * i / 64;
    const u = Math.sqrt(k * l1) * Math.cos(t), v = Math.sqrt(k * l2) * Math.sin(t);
    out.push([mean[0] + u * Math.cos(theta) - v * Math.sin(theta), mean[1] + u * Math.sin(theta) + v * Math.cos(theta)]);
  }
  return out;
}

function drawScatter(model, recent) {
  const svg = $("scatter");
  clear(svg);
  const i = state.x, j = Math.min(state.y, Math.max(0, (model.dimension || 1) - 1));
  const pts = recent.points.filter((p) => p.x[i] !== null && p.x[j] !== null);
  const comps = [];
  if (model.means) {
    for (let c = 0; c < model.means.length; c++) {
      const S = model.covariances[c];
      const mu = [model.means[c][i], model.means[c][j]];
      comps.push({ c, mu, path: ellipse(mu, S[i][i], S[i][j], S[j][j], CHI2_95_2D) });
    }
  }
  const xv = pts.map((p) => p.x[i]).concat(comps.flatMap((e) => e.path.map((q) => q[0])));
  const yv = pts.map((p) => p.x[j]).concat(comps.flatMap((e) => e.path.map((q) => q[1])));
  const m = { l: 60, r: 26, t: 10, b: 24 };
  const { w, h } = size(svg);
  const xd = extent(xv), yd = extent(yv);
  const xs = scale(xd, [m.l, w - m.r]), ys = scale(yd, [h - m.b, m.t]);
  svg.setAttribute("data-model", model.model);
  svg.setAttribute("data-version", model.version === undefined ? "" : model.version);
  svg.setAttribute("data-points-seen", model.pointsSeen === undefined ? "" : model.pointsSeen);
  svg.setAttribute("data-coordinates", i + "," + j);
  axes(svg, xs, ys, xd, yd, m);
  const names = model.features || [];
  el("text", { x: w - m.r, y: h - m.b - 4, "text-anchor": "end" }, svg).textContent = names[i] || "x" + i;
  el("text", { x: m.l + 4, y: m.t + 10 }, svg).textContent = names[j] || "x" + j;
  const layer = el("g", { class: "points" }, svg);
  for (const p of pts) {
    if (p.anomaly) continue;
    el("circle", { class: "pt", cx: xs(p.x[i]), cy: ys(p.x[j]), r: 2.2 }, layer);
  }
  for (const e of comps) {
    const color = COLORS[e.c % COLORS.length];
    const d = e.path.map((q, n) => (n ? "L" : "M") + xs(q[0]).toFixed(1) + "," + ys(q[1]).toFixed(1)).join("") + "Z";
    el("path", { class: "component", d, stroke: color, "data-component": e.c, "data-mean": e.mu.join(","),
      "data-weight": model.weights[e.c] }, svg);
    const cx = xs(e.mu[0]), cy = ys(e.mu[1]);
    el("path", { class: "mean", d: `M${cx - 5},${cy}L${cx + 5},${cy}M${cx},${cy - 5}L${cx},${cy + 5}`, stroke: color }, svg);
  }
  for (const p of pts) {
    if (!p.anomaly) continue;
    const dot = el("circle", { class: "pt anomaly", cx: xs(p.x[i]), cy: ys(p.x[j]), r: 4, "data-seen": p.seen }, svg);
    el("title", {}, dot).textContent = `point ${p.seen}: score ${fmt(p.score)}, log-density ${fmt(p.logDensity)}`
      + (p.beyondRange ? ", beyond the range of the model's values so far" : "");
  }
}

function lineChart(svg, series, flags, ydomain) {
  clear(svg);
  const m = { l: 60, r: 26, t: 8, b: 22 };
  const { w, h } = size(svg);
  const xd = extent(series.flatMap((s) => s.values.map((v) => v[0])));
  const yd = ydomain || extent(series.flatMap((s) => s.values.map((v) => v[1])));
  const xs = scale(xd, [m.l, w - m.r]), ys = scale(yd, [h - m.b, m.t]);
  axes(svg, xs, ys, xd, yd, m);
  for (const s of series) {
    const pts = s.values.filter((v) => v[1] !== null && Number.isFinite(v[1]));
    if (pts.length === 0) continue;
    el("polyline", { class: "line " + (s.cls || ""), stroke: s.color, points: pts.map((v) => xs(v[0]).toFixed(1) + "," + ys(v[1]).toFixed(1)).join(" ") }, svg);
  }
  for (const f of flags || []) {
    if (f[1] === null) continue;
    el("circle", { class: "flag", cx: xs(f[0]), cy: ys(Math.min(Math.max(f[1], yd[0]), yd[1])), r: 3.5, "data-seen": f[0] }, svg);
  }
}

function drawSeries(model, recent) {
  const scored = recent.points.filter((p) => !p.warmup);
  const flagged = scored.filter((p) => p.anomaly);
  lineChart($("density"), [{ values: scored.map((p) => [p.seen, p.logDensity]), color: "#4a78b8" }],
    flagged.map((p) => [p.seen, p.logDensity]));
  lineChart($("score"), [{ values: scored.map((p) => [p.seen, p.score]), color: "#555" }],
    flagged.map((p) => [p.seen, p.score]), [0, 1]);
  const k = recent.weights.length ? recent.weights[recent.weights.length - 1].w.length : 0;
  const ws = [];
  for (let c = 0; c < k; c++) {
    ws.push({ values: recent.weights.filter((w) => w.w.length === k).map((w) => [w.seen, w.w[c]]), color: COLORS[c % COLORS.length], cls: "weight" });
  }
  lineChart($("weights"), ws, [], [0, 1]);
  const hmm = scored.some((p) => p.probabilities);
  $("regime-section").hidden = !hmm;
  if (hmm) {
    const s = scored.filter((p) => p.probabilities);
    const r = s[s.length - 1].probabilities.length;
    const series = [];
    for (let c = 0; c < r; c++) series.push({ values: s.map((p) => [p.seen, p.probabilities[c]]), color: COLORS[c % COLORS.length], cls: "regime" });
    lineChart($("regimes"), series, [], [0, 1]);
  }
}

function fillSelect(sel, options, value) {
  const current = Array.from(sel.options).map((o) => o.value).join("\u0000");
  if (current !== options.map((o) => o[0]).join("\u0000")) {
    sel.innerHTML = "";
    for (const [v, label] of options) {
      const o = document.createElement("option");
      o.value = v;
      o.textContent = label;
      sel.appendChild(o);
    }
  }
  sel.value = String(value);
}

async function json(path) {
  const r = await fetch(path, { cache: "no-store" });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || "HTTP " + r.status);
  return body;
}

async function refreshList() {
  const list = await json("/models");
  state.models = list.models;
  if (!state.model || !list.models.some((m) => m.model === state.model)) {
    const ready = list.models.find((m) => !m.warmup) || list.models[0];
    state.model = ready ? ready.model : null;
  }
  fillSelect($("model"), list.models.map((m) => [m.model, `${m.model} (${m.type}, ${m.pointsSeen} points)`]), state.model || "");
}

async function refresh() {
  try {
    if (state.models.length === 0 || Date.now() - (state.listedAt || 0) > 5000) {
      await refreshList();
      state.listedAt = Date.now();
    }
    if (!state.model) {
      $("status").textContent = "no model yet: waiting for points";
      return;
    }
    const id = encodeURIComponent(state.model);
    const [model, recent] = await Promise.all([json("/models/" + id), json("/models/" + id + "/recent")]);
    const d = model.dimension || (model.featureState ? model.featureState.outputDimension : 1);
    const names = model.features || (model.featureState ? model.featureState.names : []);
    const opts = [];
    for (let c = 0; c < d; c++) opts.push([c, names[c] || "x" + c]);
    state.x = Math.min(state.x, d - 1);
    state.y = d > 1 ? Math.min(state.y === state.x ? (state.x + 1) % d : state.y, d - 1) : 0;
    fillSelect($("xcoord"), opts, state.x);
    fillSelect($("ycoord"), opts, state.y);
    drawScatter(model, recent);
    drawSeries(model, recent);
    $("status").textContent = `${model.model}: ${model.pointsSeen} points, version ${model.version}` +
      (model.warmup ? " (warming up)" : "") + `; ${model.recent.anomalies} flagged among the last ${model.recent.points} points; served by ${model.servedBy}`;
    const shown = Object.assign({}, model);
    $("params").textContent = JSON.stringify(shown, (k, v) => (typeof v === "number" ? +v.toPrecision(6) : v), 1);
    document.body.setAttribute("data-updated", String(Date.now()));
  } catch (e) {
    $("status").textContent = "error: " + e.message;
  }
}

$("model").addEventListener("change", (e) => { state.model = e.target.value; refresh(); });
$("xcoord").addEventListener("change", (e) => { state.x = +e.target.value; refresh(); });
$("ycoord").addEventListener("change", (e) => { state.y = +e.target.value; refresh(); });
refresh();
setInterval(refresh, 1000);
