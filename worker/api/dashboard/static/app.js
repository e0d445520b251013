// The H3LIX worker dashboard. Polls the worker's /status and the chain's
// REST API (through the worker's /chain/ proxy) and renders them. Failures
// are shown on the page, never thrown: a page left open must keep going
// when the chain or the worker restarts.
"use strict";

const POLL_MS = 2000;
const ENERGY_ROUNDS = 12;
const $ = (id) => document.getElementById(id);

const state = {
  status: null,
  round: null,        // chain current_round response
  field: null,        // chain latest_field.field
  leaderboard: [],
  energy: new Map(),  // round -> {joules, mg}
  produced: [],
  blocks: [],         // [height, ms] observations, for the block time
  fieldRound: null,
  chain: "unknown",
};

async function getJSON(path) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 5000);
  try {
    const res = await fetch(path, { signal: ctl.signal, cache: "no-store" });
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      const msg = body && (body.error || body.message) ? (body.error || body.message) : res.statusText;
      throw new Error(`${path}: ${res.status} ${msg}`);
    }
    return body;
  } finally {
    clearTimeout(timer);
  }
}

const chain = (path) => getJSON("/chain" + path);

function short(addr) {
  if (!addr) return "–";
  return addr.length > 20 ? addr.slice(0, 11) + "…" + addr.slice(-6) : addr;
}

function text(el, s) {
  if (el.textContent !== String(s)) el.textContent = String(s);
}

function td(row, content, cls) {
  const cell = row.insertCell();
  if (content instanceof Node) cell.appendChild(content);
  else cell.textContent = content;
  if (cls) cell.className = cls;
  return cell;
}

function link(href, label) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = label;
  a.rel = "noopener";
  return a;
}

function setRows(table, rows, build) {
  const body = table.tBodies[0];
  body.replaceChildren();
  rows.forEach((r, i) => build(body.insertRow(), r, i));
}

// ---- charts ---------------------------------------------------------------

function makeChart(el, opts) {
  const width = () => Math.max(240, el.clientWidth || 300);
  const chart = new uPlot({ width: width(), height: 220, ...opts }, opts.data, el);
  let last = width();
  new ResizeObserver(() => {
    if (width() !== last) {
      last = width();
      chart.setSize({ width: last, height: 220 });
    }
  }).observe(el);
  return chart;
}

const axisStyle = { stroke: "#8b98a5", grid: { stroke: "#2b3640" }, ticks: { stroke: "#2b3640" } };
// Rounds are whole numbers: no ticks between them.
const roundAxis = { ...axisStyle, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] };

const curveChart = makeChart($("curve-chart"), {
  data: [[], []],
  scales: { x: { time: false }, y: { range: [0, 100] } },
  axes: [{ ...roundAxis, label: "after round" }, { ...axisStyle, label: "% solved" }],
  series: [{ label: "round" }, { label: "solved %", stroke: "#4fb3ff", width: 2, points: { show: true } }],
});

const energyChart = makeChart($("energy-chart"), {
  data: [[], [], []],
  scales: { x: { time: false }, j: {}, c: {} },
  axes: [
    { ...roundAxis, label: "round" },
    { ...axisStyle, scale: "j", label: "joules" },
    { ...axisStyle, scale: "c", side: 1, label: "mg CO₂e", grid: { show: false } },
  ],
  series: [
    { label: "round" },
    { label: "joules", scale: "j", stroke: "#f0b429", width: 2, points: { show: true } },
    { label: "mg CO₂e", scale: "c", stroke: "#3fb950", width: 2, points: { show: true } },
  ],
});

// ---- rendering ------------------------------------------------------------

function renderRound() {
  const s = state.status;
  const r = state.round;
  const round = r ? r.round.id : s ? s.round : "–";
  text($("round"), round);
  let phase = r ? r.phase.replace("PHASE_", "").toLowerCase() : s ? s.phase : "–";
  text($("phase"), phase || "–");
  const height = r ? Number(r.height) : s ? s.height : NaN;
  text($("height"), Number.isFinite(height) ? height : "–");
  const end = s ? s.phase_ends_at_height : NaN;
  text($("phase-end"), end || "–");
  if (Number.isFinite(height) && end) {
    const left = Math.max(0, end - height);
    const bt = blockTime();
    text($("countdown"), bt ? `≈${Math.round(left * bt)} s (${left} blocks)` : `${left} blocks`);
  } else {
    text($("countdown"), "–");
  }
  text($("last-field-round"), state.field ? state.field.round : "–");
}

function blockTime() {
  const b = state.blocks;
  if (b.length < 2) return null;
  const [h0, t0] = b[0];
  const [h1, t1] = b[b.length - 1];
  return h1 > h0 ? (t1 - t0) / 1000 / (h1 - h0) : null;
}

function renderNode() {
  const s = state.status;
  if (!s) return;
  text($("operator"), s.operator || "");
  text($("engine"), s.engine + (s.adversary ? ` (adversary: ${s.adversary})` : ""));
  const me = state.leaderboard.find((e) => e.operator === s.operator);
  const score = me ? me.score_ppm : s.reputation ? s.reputation.score_ppm : null;
  text($("my-score"), score == null ? "–" : (score / 1e6).toFixed(3));
  text($("published"), `${s.artifacts_committed} / ${s.artifacts_revealed}`);
  text($("attested"), s.attestations_sent);
  text($("verified-count"), s.payloads_verified);
  const e = s.energy || {};
  text($("energy-total"), `${e.joules ?? 0} J, ${e.mg_co2e ?? 0} mg CO₂e (${e.method || "–"})`);
  const sch = s.scheduler;
  text($("scheduler"), sch ? `${sch.work ? "work" : "wait"}: ${sch.reason}` : "–");
  const err = $("last-error");
  err.hidden = !s.last_error;
  text(err, s.last_error || "");
}

function renderField() {
  const f = state.field;
  const me = state.status && state.status.operator;
  text($("field-round"), f ? `(round ${f.round})` : "");
  const entries = f ? f.entries || [] : [];
  setRows($("field"), entries, (row, e) => {
    row.dataset.artifact = e.artifact_id;
    if (e.producer === me) row.className = "me";
    td(row, e.artifact_id);
    td(row, short(e.producer) + (e.producer === me ? " (you)" : "")).title = e.producer;
    const w = document.createElement("span");
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = Math.round((e.weight_ppm / 1e6) * 80) + "px";
    w.append(bar, `${(e.weight_ppm / 1e4).toFixed(1)} %`);
    td(row, w).dataset.weightPpm = e.weight_ppm;
    td(row, e.kind);
    td(row, link(`/ipfs/${e.cid}?format=raw`, short(e.cid)), "mono");
  });
  let note = "";
  if (!f) note = "No field yet.";
  else if (f.degenerate) note = "The last field is degenerate (too few distinct producers): nobody was conditioned on it.";
  else if (entries.length === 0) note = "The last field is empty.";
  text($("field-note"), note);
}

function renderLeaderboard() {
  const me = state.status && state.status.operator;
  setRows($("leaderboard"), state.leaderboard, (row, e, i) => {
    row.dataset.operator = e.operator;
    if (e.operator === me) row.className = "me";
    td(row, i + 1);
    td(row, short(e.operator) + (e.operator === me ? " (you)" : "")).title = e.operator;
    td(row, (e.score_ppm / 1e6).toFixed(3)).dataset.scorePpm = e.score_ppm;
    td(row, e.rounds);
    td(row, e.artifacts_accepted);
    td(row, e.artifacts_rejected);
  });
}

function renderCurve() {
  const pts = (state.status && state.status.learning_curve) || [];
  const xs = pts.map((p) => p.after_round);
  const ys = pts.map((p) => (p.total ? (100 * p.solved) / p.total : 0));
  curveChart.setData([xs, ys]);
}

function renderEnergy() {
  const rounds = [...state.energy.keys()].sort((a, b) => a - b);
  energyChart.setData([
    rounds,
    rounds.map((r) => state.energy.get(r).joules),
    rounds.map((r) => state.energy.get(r).mg),
  ]);
}

function renderProduced() {
  setRows($("produced"), state.produced, (row, a) => {
    row.dataset.artifact = a.id;
    td(row, a.round);
    td(row, a.id);
    td(row, a.status.replace("ARTIFACT_STATUS_", "").toLowerCase());
    td(row, a.cid ? link(`/ipfs/${a.cid}?format=raw`, short(a.cid)) : "–", "mono");
  });
}

function renderVerified() {
  const vs = ((state.status && state.status.verifications) || []).slice().reverse().slice(0, 20);
  setRows($("verified"), vs, (row, v) => {
    row.dataset.artifact = v.artifact_id;
    td(row, v.round);
    td(row, link(`/chain/h3lix/artifact/v1/artifacts/${v.artifact_id}`, v.artifact_id));
    td(row, v.verdict.replace("VERDICT_", "").toLowerCase(), "verdict-" + v.verdict);
  });
}

function renderConn() {
  const el = $("conn");
  const ok = state.status && state.chain === "ok";
  el.className = "pill " + (ok ? "ok" : "bad");
  text(el, !state.status ? "worker unreachable" : state.chain === "ok" ? "live" : `chain: ${state.chain}`);
}

function render() {
  renderRound();
  renderNode();
  renderField();
  renderLeaderboard();
  renderCurve();
  renderEnergy();
  renderProduced();
  renderVerified();
  renderConn();
}

// ---- polling --------------------------------------------------------------

async function pollStatus() {
  try {
    state.status = await getJSON("/status");
  } catch (e) {
    state.status = null;
  }
}

async function pollChain() {
  try {
    const [round, field, lb] = await Promise.all([
      chain("/h3lix/ccf/v1/current_round"),
      chain("/h3lix/ccf/v1/latest_field").catch(() => null),
      chain("/h3lix/reputation/v1/leaderboard?pagination.limit=50"),
    ]);
    state.round = round;
    state.leaderboard = lb.reputations || [];
    state.blocks.push([Number(round.height), Date.now()]);
    if (state.blocks.length > 30) state.blocks.shift();
    state.field = field ? field.field : null;
    state.chain = "ok";
    if (state.field && state.field.round !== state.fieldRound) {
      state.fieldRound = state.field.round;
      await Promise.all([pollEnergy(Number(state.field.round)), pollProduced()]);
    }
  } catch (e) {
    state.chain = e.message.includes("503") ? "not configured (chain.rest)" : "unreachable";
  }
}

async function pollEnergy(last) {
  const want = [];
  for (let r = Math.max(1, last - ENERGY_ROUNDS + 1); r <= last; r++) {
    if (!state.energy.has(r) || r === last) want.push(r);
  }
  await Promise.all(
    want.map(async (r) => {
      try {
        const f = (await chain(`/h3lix/ccf/v1/fields/${r}`)).field;
        state.energy.set(r, { joules: Number(f.energy.joules), mg: Number(f.energy.mg_co2e) });
      } catch (e) {
        // a round without a stored field (pruned or never finalized) has no point
      }
    }),
  );
  for (const r of [...state.energy.keys()]) if (r <= last - ENERGY_ROUNDS) state.energy.delete(r);
}

async function pollProduced() {
  const me = state.status && state.status.operator;
  if (!me) return;
  try {
    const res = await chain(`/h3lix/artifact/v1/nodes/${me}/artifacts?pagination.limit=20&pagination.reverse=true`);
    state.produced = res.artifacts || [];
  } catch (e) {
    // keep the last list
  }
}

async function tick() {
  try {
    await pollStatus();
    await pollChain();
    if (state.produced.length === 0) await pollProduced();
    render();
    document.body.dataset.updated = String(Date.now());
  } catch (e) {
    // Show it and keep polling: the next answer may be fine.
    state.chain = "page error: " + e.message;
    renderConn();
  } finally {
    setTimeout(tick, POLL_MS);
  }
}

tick();
