// The report's browser side: reads the inlined data, draws the fleet chart, heatmap, event strip,
// per-cluster charts (uPlot) and the event table. Every string from a scenario reaches the page
// through textContent, attributes set by property, or canvas text: never parsed as HTML.
// Plain ES2020 for any current browser; bundled into src/report/assets/generated.ts by
// scripts/build-report-assets.mjs.
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const uPlot = window.uPlot;
  const dpr = () => window.devicePixelRatio || 1;

  const PALETTE = [
    '#5794f2',
    '#73bf69',
    '#ff9830',
    '#f2495c',
    '#b877d9',
    '#fade2a',
    '#8ab8ff',
    '#37872d',
    '#ff7383',
    '#ca95e5',
    '#96d98d',
    '#ffb357',
    '#c4162a',
    '#1f60c4',
    '#e0b400',
    '#8f3bb8',
  ];
  const CATEGORY_COLOR = {
    rollout: '#b877d9',
    response: '#38c5e0',
    alert: '#f2cc0c',
    restart: '#ff5c5c',
    other: '#8e929b',
  };
  const CATEGORY_LABEL = {
    rollout: 'Rollout',
    alert: 'Alerts',
    response: 'Response',
    restart: 'Restarts',
    other: 'Other',
  };
  const AXIS = {
    stroke: '#a0a4ab',
    grid: { stroke: '#2a2e35', width: 1 },
    ticks: { stroke: '#2a2e35', width: 1 },
  };
  const NO_DATA = 255;

  // ---- formatting (mirrors src/report/format.ts) ----
  function trim(v) {
    if (!Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    if (a >= 100) return String(Math.round(v));
    if (a === 0) return '0';
    return String(Number(v.toPrecision(3)));
  }
  function clock(seconds, withSeconds) {
    const s = Math.round(Math.abs(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const base = `${seconds < 0 ? '-' : ''}${h}:${String(m).padStart(2, '0')}`;
    return withSeconds ? `${base}:${String(sec).padStart(2, '0')}` : base;
  }
  function offset(seconds) {
    return seconds === null || seconds === undefined ? '—' : `T+${clock(seconds, true)}`;
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
    const s = Math.abs(seconds);
    if (s < 60) return `${trim(seconds)} s`;
    if (s < 3600) return `${trim(seconds / 60)} min`;
    return `${Math.floor(s / 3600)} h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')} min`;
  }
  function bytes(v) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${trim(v)} ${units[i]}`;
  }
  function percent(f) {
    const p = f * 100;
    if (p > 99 && p < 100) return `${Math.floor(p * 100) / 100}%`;
    return `${trim(p)}%`;
  }
  function value(v, unit) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '—';
    if (unit === 'seconds') return v < 1 ? `${trim(v * 1000)} ms` : duration(v);
    if (unit === 'bytes') return bytes(v);
    if (unit === 'fraction' || unit === 'ratio') return percent(v);
    return unit === '' || unit === '1' ? trim(v) : `${trim(v)} ${unit}`;
  }
  function tick(v, unit) {
    if (v === null || v === undefined) return '';
    if (unit === 'seconds') return v < 1 ? `${trim(v * 1000)}ms` : `${trim(v)}s`;
    if (unit === 'bytes') return bytes(v).replace(' ', '');
    if (unit === 'fraction' || unit === 'ratio') return percent(v);
    const a = Math.abs(v);
    if (a >= 1e6) return `${trim(v / 1e6)}M`;
    if (a >= 1e4) return `${trim(v / 1e3)}k`;
    return trim(v);
  }
  // Byte axes tick at powers of two (16, 32, 48, 64 GiB) rather than at decimal steps of GiB.
  const BYTE_INCRS = [];
  for (let k = 10; k <= 50; k++) BYTE_INCRS.push(2 ** k, 1.5 * 2 ** k);
  BYTE_INCRS.sort((a, b) => a - b);
  function axisLabel(unit) {
    if (unit === 'seconds') return 'latency (log)';
    if (unit === 'fraction' || unit === 'ratio') return 'percent';
    if (unit === '1' || unit === '') return '';
    return unit;
  }

  // ---- DOM helpers: text only ----
  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null) continue;
        if (k === 'text') node.textContent = String(v);
        else if (k === 'className') node.className = v;
        else if (k === 'title') node.title = String(v);
        else if (k === 'onclick') node.addEventListener('click', v);
        else node.setAttribute(k, String(v));
      }
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }
  const $ = (id) => document.getElementById(id);

  // ---- data decoding: gzip + base64, float32 byte planes ----
  async function inflate(b64) {
    const bin = atob(b64);
    const raw = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) raw[i] = bin.charCodeAt(i);
    const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  function unshuffle(planes) {
    const n = planes.length / 4;
    const out = new Uint8Array(planes.length);
    for (let i = 0; i < n; i++) {
      out[4 * i] = planes[i];
      out[4 * i + 1] = planes[n + i];
      out[4 * i + 2] = planes[2 * n + i];
      out[4 * i + 3] = planes[3 * n + i];
    }
    return new Float32Array(out.buffer);
  }
  async function floats(b64) {
    return unshuffle(await inflate(b64));
  }
  function toArray(f32, from, count, isLog) {
    const out = new Array(count);
    for (let i = 0; i < count; i++) {
      const v = f32[from + i];
      out[i] = Number.isNaN(v) || (isLog && v <= 0) ? null : v;
    }
    return out;
  }

  // ---- colours ----
  const STOPS = [
    [0, [47, 143, 63]],
    [0.2, [155, 191, 48]],
    [0.4, [242, 162, 12]],
    [0.7, [232, 89, 12]],
    [1, [179, 20, 27]],
  ];
  const LUT = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i <= 250; i++) {
    const b = i / 250;
    let k = 0;
    while (k < STOPS.length - 2 && b > STOPS[k + 1][0]) k++;
    const [b0, c0] = STOPS[k];
    const [b1, c1] = STOPS[k + 1];
    const f = Math.min(1, Math.max(0, (b - b0) / (b1 - b0)));
    for (let j = 0; j < 3; j++) LUT[4 * i + j] = c0[j] + (c1[j] - c0[j]) * f;
    LUT[4 * i + 3] = 255;
  }
  for (let i = 251; i < 256; i++) LUT.set([43, 47, 54, 255], 4 * i);
  function healthWord(b) {
    if (b === NO_DATA) return 'no data';
    const x = b / 250;
    if (x < 0.15) return 'healthy';
    if (x < data.breach) return 'watch';
    if (x < 0.7) return 'objective breached';
    if (x < 0.95) return 'bad';
    return 'severe';
  }

  // ---- shared state ----
  const state = {
    heat: null,
    reason: null,
    events: [],
    order: [],
    selected: -1,
    charts: [],
    geometry: { left: 170, right: 64 },
    markersShown: { rollout: true, response: true, alert: true, restart: true },
    eventLimit: 300,
  };
  const T = data.simulatedSeconds;
  const clusterCount = data.clusters.length;

  function timeIncrs() {
    return [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800];
  }
  function timeAxis(label) {
    return {
      ...AXIS,
      label: label || undefined,
      size: label ? 40 : 24,
      labelSize: label ? 14 : 0,
      labelGap: 0,
      labelFont: '11px system-ui, sans-serif',
      font: '11px system-ui, sans-serif',
      incrs: timeIncrs(),
      space: 60,
      values: (_u, splits, _axis, _space, incr) => splits.map((v) => clock(v, incr < 60)),
    };
  }

  function eventsFor(clusterIndex) {
    return state.events.filter((e) => e[1] === clusterIndex || e[1] >= clusterCount);
  }

  // ---- fleet chart ----
  function milestoneShort(m) {
    return m.short || m.name;
  }
  function drawMilestones(u) {
    if (data.milestones.length === 0) return;
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const r = dpr();
    ctx.save();
    ctx.font = `${10 * r}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    const labels = [];
    for (const m of data.milestones) {
      for (const kind of ['published', 'simulated']) {
        const t = m[kind];
        if (t === null || t === undefined) continue;
        const x = u.valToPos(t, 'x', true);
        if (x < left || x > left + width) continue;
        ctx.strokeStyle = kind === 'simulated' ? 'rgba(240,240,240,0.85)' : 'rgba(154,160,170,0.8)';
        ctx.setLineDash(kind === 'simulated' ? [] : [4 * r, 3 * r]);
        ctx.lineWidth = r;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        if (kind === 'simulated') labels.push({ x, text: milestoneShort(m) });
      }
    }
    // Labels take the first lane where they do not overlap the previous one.
    labels.sort((a, b) => a.x - b.x);
    const laneEnds = [];
    ctx.fillStyle = '#f0f0f0';
    for (const label of labels) {
      const w = ctx.measureText(label.text).width;
      let lane = laneEnds.findIndex((end) => end < label.x);
      if (lane < 0) lane = laneEnds.length;
      laneEnds[lane] = label.x + 3 * r + w + 6 * r;
      const flip = label.x + 3 * r + w > left + width;
      ctx.textAlign = flip ? 'right' : 'left';
      ctx.fillText(label.text, flip ? label.x - 3 * r : label.x + 3 * r, top + 2 * r + lane * 12 * r);
    }
    ctx.restore();
  }

  async function drawFleetChart() {
    const target = $('fleet-chart');
    target.textContent = '';
    const steps = data.steps;
    const xs = new Array(steps);
    for (let i = 0; i < steps; i++) xs[i] = i * data.resolutionSeconds;
    const unhealthy = new Array(steps).fill(0);
    for (let c = 0; c < clusterCount; c++) {
      for (let i = 0; i < steps; i++) {
        const b = state.heat[c * steps + i];
        if (b !== NO_DATA && b / 250 >= data.breach) unhealthy[i]++;
      }
    }
    const series = [{ label: 'time', value: (_u, v) => offset(v) }];
    const columns = [xs];
    let minAvail = 1;
    if (data.fleet.availability) {
      const avail = toArray(await floats(data.fleet.availability), 0, steps, false);
      for (const v of avail) if (v !== null && v < minAvail) minAvail = v;
      columns.push(avail);
      series.push({
        label: 'fleet availability',
        stroke: '#73bf69',
        fill: 'rgba(115,191,105,0.10)',
        width: 1.5,
        scale: 'avail',
        value: (_u, v) => value(v, 'fraction'),
        points: { show: false },
      });
    }
    columns.push(unhealthy);
    series.push({
      label: `clusters breaching an objective (of ${clusterCount})`,
      stroke: '#f2a20c',
      width: 1.5,
      scale: 'count',
      value: (_u, v) => (v === null ? '—' : String(v)),
      points: { show: false },
      paths: uPlot.paths.stepped({ align: 1 }),
    });
    const lowest = Math.min(minAvail, 0.999);
    const width = Math.max(600, target.clientWidth);
    const axes = [timeAxis('time since scenario start (h:mm)')];
    if (data.fleet.availability) {
      axes.push({
        ...AXIS,
        scale: 'avail',
        size: state.geometry.left,
        label: 'fleet availability',
        labelSize: 18,
        font: '11px system-ui, sans-serif',
        labelFont: '11px system-ui, sans-serif',
        values: (_u, vals) => vals.map((v) => percent(v)),
      });
    }
    axes.push({
      ...AXIS,
      scale: 'count',
      side: 1,
      size: state.geometry.right,
      grid: { show: !data.fleet.availability, stroke: '#2a2e35', width: 1 },
      label: 'clusters',
      labelSize: 18,
      font: '11px system-ui, sans-serif',
      labelFont: '11px system-ui, sans-serif',
      values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')),
    });
    if (!data.fleet.availability) axes[1].size = state.geometry.left;
    const chart = new uPlot(
      {
        width,
        height: 190,
        padding: [10, 0, 0, 0],
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
        scales: {
          x: { time: false },
          avail: { range: () => [Math.max(0, lowest - (1 - lowest) * 0.15), 1 + (1 - lowest) * 0.04] },
          count: { range: () => [0, Math.max(1, clusterCount)] },
        },
        axes,
        series,
        hooks: { draw: [drawMilestones] },
      },
      columns,
      target,
    );
    state.fleetChart = chart;
    const r = dpr();
    state.geometry = {
      left: chart.bbox.left / r,
      right: width - (chart.bbox.left + chart.bbox.width) / r,
    };
  }

  // ---- heatmap ----
  function computeOrder(mode) {
    const idx = data.clusters.map((_, i) => i);
    const cl = data.clusters;
    const byName = (a, b) => (cl[a].name < cl[b].name ? -1 : cl[a].name > cl[b].name ? 1 : 0);
    if (mode === 'name') return idx.sort(byName);
    if (mode === 'region')
      return idx.sort((a, b) =>
        cl[a].region < cl[b].region ? -1 : cl[a].region > cl[b].region ? 1 : byName(a, b),
      );
    if (mode === 'worst')
      return idx.sort(
        (a, b) => cl[b].worst - cl[a].worst || cl[b].breachSteps - cl[a].breachSteps || byName(a, b),
      );
    if (mode === 'listed') return idx;
    // first breach: the cascade reads top to bottom; clusters that never breached follow, worst first.
    return idx.sort((a, b) => {
      const fa = cl[a].firstBreach;
      const fb = cl[b].firstBreach;
      if (fa !== null && fb !== null) return fa - fb || cl[b].worst - cl[a].worst;
      if (fa !== null) return -1;
      if (fb !== null) return 1;
      return cl[b].worst - cl[a].worst || byName(a, b);
    });
  }

  const heatLayout = { rowH: 12, top: 16, axis: 22, width: 0 };

  function xOf(t) {
    const { left, right } = state.geometry;
    return left + (t / T) * (heatLayout.width - left - right);
  }
  function tOf(x) {
    const { left, right } = state.geometry;
    return ((x - left) / (heatLayout.width - left - right)) * T;
  }

  function drawTimeAxis(ctx, y, height) {
    const { left, right } = state.geometry;
    const plotW = heatLayout.width - left - right;
    let incr = timeIncrs().find((i) => (i / T) * plotW >= 70) || 86400;
    if (!incr) incr = 3600;
    ctx.fillStyle = '#a0a4ab';
    ctx.strokeStyle = '#2a2e35';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let t = 0; t <= T + 1e-9; t += incr) {
      const x = xOf(t);
      ctx.beginPath();
      ctx.moveTo(x, y - height);
      ctx.lineTo(x, y + 3);
      ctx.stroke();
      ctx.fillText(clock(t, incr < 60), x, y + 5);
    }
    ctx.textAlign = 'left';
  }

  function drawHeatmap() {
    const canvas = $('heatmap');
    const width = canvas.parentElement.clientWidth;
    const n = clusterCount;
    const rowH = Math.max(3, Math.min(18, Math.floor(640 / Math.max(1, n))));
    Object.assign(heatLayout, { rowH, width });
    const height = heatLayout.top + n * rowH + heatLayout.axis;
    const r = dpr();
    canvas.width = Math.round(width * r);
    canvas.height = Math.round(height * r);
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext('2d');
    ctx.setTransform(r, 0, 0, r, 0, 0);
    ctx.fillStyle = '#181b1f';
    ctx.fillRect(0, 0, width, height);
    const { left, right } = state.geometry;
    const plotW = width - left - right;
    const cols = Math.max(1, Math.round(plotW * r));
    const steps = data.steps;
    const res = data.resolutionSeconds;
    const image = new ImageData(cols, Math.max(1, n));
    const px = image.data;
    for (let row = 0; row < n; row++) {
      const c = state.order[row];
      const base = c * steps;
      for (let x = 0; x < cols; x++) {
        const s0 = Math.min(steps - 1, Math.floor((x * T) / cols / res));
        const s1 = Math.min(steps, Math.max(s0 + 1, Math.ceil(((x + 1) * T) / cols / res)));
        let worst = -1;
        for (let s = s0; s < s1; s++) {
          const b = state.heat[base + s];
          if (b !== NO_DATA && b > worst) worst = b;
        }
        const code = worst < 0 ? NO_DATA : worst;
        px.set(LUT.subarray(4 * code, 4 * code + 4), 4 * (row * cols + x));
      }
    }
    const off = document.createElement('canvas');
    off.width = cols;
    off.height = Math.max(1, n);
    off.getContext('2d').putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, left, heatLayout.top, plotW, n * rowH);
    if (rowH >= 8) {
      ctx.fillStyle = '#181b1f';
      for (let row = 1; row < n; row++) ctx.fillRect(left, heatLayout.top + row * rowH - 0.5, plotW, 1);
    }
    // Labels: every row when they fit; otherwise breached clusters first, without overlaps.
    ctx.font = `${Math.min(12, Math.max(10, rowH - 2))}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    const taken = [];
    const order = state.order.map((c, row) => ({ c, row }));
    const ranked =
      rowH >= 10 ? order : [...order].sort((a, b) => data.clusters[b.c].worst - data.clusters[a.c].worst);
    for (const { c, row } of ranked) {
      const y = heatLayout.top + row * rowH + rowH / 2;
      if (rowH < 10 && taken.some((t) => Math.abs(t - y) < 11)) continue;
      taken.push(y);
      const cl = data.clusters[c];
      ctx.fillStyle = c === state.selected ? '#ffffff' : cl.worst >= data.breach ? '#e6e7e8' : '#8e929b';
      ctx.fillText(fit(ctx, cl.name, left - 12), 4, y);
      if (rowH < 10) {
        ctx.fillStyle = '#3a3f48';
        ctx.fillRect(left - 6, y - 0.5, 4, 1);
      }
    }
    if (state.selected >= 0) {
      const row = state.order.indexOf(state.selected);
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1.5;
      ctx.strokeRect(left - 1, heatLayout.top + row * rowH - 1, plotW + 2, rowH + 2);
    }
    drawHeatMarkers(ctx, plotW);
    drawTimeAxis(ctx, heatLayout.top + n * rowH + 2, 0);
  }

  function fit(ctx, text, maxWidth) {
    if (ctx.measureText(text).width <= maxWidth) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxWidth) lo = mid;
      else hi = mid - 1;
    }
    return `${text.slice(0, lo)}…`;
  }

  function drawHeatMarkers(ctx, plotW) {
    const { rowH, top } = heatLayout;
    const n = clusterCount;
    const rowOf = new Map(state.order.map((c, row) => [c, row]));
    for (const e of state.events) {
      const cat = data.kinds[e[2]].category;
      if (!state.markersShown[cat]) continue;
      const x = xOf(e[0]);
      if (x < state.geometry.left || x > state.geometry.left + plotW) continue;
      ctx.fillStyle = CATEGORY_COLOR[cat];
      ctx.strokeStyle = CATEGORY_COLOR[cat];
      if (e[1] >= clusterCount) {
        if (cat === 'restart' || cat === 'other') continue;
        // Fleet-wide events: a flag in the top strip and a faint line across every row.
        ctx.globalAlpha = 0.55;
        ctx.setLineDash([3, 3]);
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + n * rowH);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.globalAlpha = 1;
        ctx.beginPath();
        ctx.moveTo(x - 4, 2);
        ctx.lineTo(x + 4, 2);
        ctx.lineTo(x, top - 3);
        ctx.closePath();
        ctx.fill();
        continue;
      }
      if (cat === 'restart' || cat === 'other') continue;
      const row = rowOf.get(e[1]);
      if (row === undefined) continue;
      const y = top + row * rowH;
      if (cat === 'alert') {
        const cy = y + rowH / 2;
        const s = Math.max(1.5, Math.min(4, rowH / 2 - 0.5));
        ctx.beginPath();
        ctx.moveTo(x, cy - s);
        ctx.lineTo(x + s, cy);
        ctx.lineTo(x, cy + s);
        ctx.lineTo(x - s, cy);
        ctx.closePath();
        ctx.fill();
      } else {
        ctx.fillRect(x - 1, y, 2, rowH);
      }
    }
  }

  function heatPick(ev) {
    const canvas = $('heatmap');
    const rect = canvas.getBoundingClientRect();
    const x = ev.clientX - rect.left;
    const y = ev.clientY - rect.top;
    const row = Math.floor((y - heatLayout.top) / heatLayout.rowH);
    if (row < 0 || row >= clusterCount) return null;
    const t = Math.min(T, Math.max(0, tOf(x)));
    const inPlot = x >= state.geometry.left && x <= heatLayout.width - state.geometry.right;
    return { c: state.order[row], row, t, x, y, inPlot };
  }

  function showHeatTip(ev) {
    const tip = $('heat-tip');
    const cursor = $('heat-cursor');
    const hit = heatPick(ev);
    if (!hit) {
      tip.hidden = true;
      cursor.hidden = true;
      return;
    }
    const cl = data.clusters[hit.c];
    const step = Math.min(data.steps - 1, Math.floor(hit.t / data.resolutionSeconds));
    const b = state.heat[hit.c * data.steps + step];
    const reason = state.reason[hit.c * data.steps + step];
    tip.textContent = '';
    tip.append(
      el('div', { className: 't', text: cl.name }),
      el('div', { className: 'm', text: `${cl.region} · ${cl.nodes.toLocaleString('en-US')} nodes` }),
    );
    if (hit.inPlot) {
      tip.append(
        el('div', { text: `${offset(hit.t)} · ${healthWord(b)}` }),
        el('div', {
          className: 'm',
          text:
            b === NO_DATA
              ? 'no signal recorded'
              : reason === 0
                ? data.reasons[0]
                : `worst signal: ${data.reasons[reason]}`,
        }),
      );
      const near = state.events.filter((e) => e[1] === hit.c && Math.abs(xOf(e[0]) - hit.x) <= 3).slice(0, 4);
      for (const e of near)
        tip.append(el('div', { className: 'm', text: `${offset(e[0])} ${data.kinds[e[2]].name}: ${e[4]}` }));
    }
    tip.append(el('div', { className: 'm', text: 'click for this cluster’s charts' }));
    tip.hidden = false;
    const wrapW = heatLayout.width;
    tip.style.left = `${Math.min(hit.x + 14, wrapW - 470)}px`;
    tip.style.top = `${hit.y + 14}px`;
    if (hit.inPlot) {
      cursor.hidden = false;
      cursor.style.left = `${hit.x}px`;
      cursor.style.top = `${heatLayout.top}px`;
      cursor.style.height = `${clusterCount * heatLayout.rowH}px`;
    } else cursor.hidden = true;
  }

  // ---- event strip ----
  const stripLayout = { rows: [], rowH: 16, width: 0 };
  function drawEventStrip() {
    const canvas = $('event-strip');
    const present = ['rollout', 'alert', 'response', 'restart', 'other'].filter((cat) =>
      state.events.some((e) => data.kinds[e[2]].category === cat),
    );
    stripLayout.rows = present;
    const width = canvas.parentElement.clientWidth;
    stripLayout.width = width;
    const height = Math.max(1, present.length) * stripLayout.rowH + 4;
    const r = dpr();
    canvas.width = Math.round(width * r);
    canvas.height = Math.round(height * r);
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext('2d');
    ctx.setTransform(r, 0, 0, r, 0, 0);
    ctx.fillStyle = '#181b1f';
    ctx.fillRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const { left, right } = state.geometry;
    present.forEach((cat, row) => {
      const y = row * stripLayout.rowH + 2;
      ctx.fillStyle = '#1f2329';
      ctx.fillRect(left, y + 1, width - left - right, stripLayout.rowH - 2);
      ctx.fillStyle = '#a0a4ab';
      ctx.fillText(CATEGORY_LABEL[cat], 4, y + stripLayout.rowH / 2);
      ctx.fillStyle = CATEGORY_COLOR[cat];
      for (const e of state.events) {
        if (data.kinds[e[2]].category !== cat) continue;
        ctx.fillRect(xOf(e[0]) - 1, y + 2, 2, stripLayout.rowH - 4);
      }
    });
  }
  function showStripTip(ev) {
    const tip = $('strip-tip');
    const canvas = $('event-strip');
    const rect = canvas.getBoundingClientRect();
    const x = ev.clientX - rect.left;
    const y = ev.clientY - rect.top;
    const row = Math.floor((y - 2) / stripLayout.rowH);
    const cat = stripLayout.rows[row];
    if (!cat) {
      tip.hidden = true;
      return;
    }
    const near = state.events.filter(
      (e) => data.kinds[e[2]].category === cat && Math.abs(xOf(e[0]) - x) <= 4,
    );
    if (near.length === 0) {
      tip.hidden = true;
      return;
    }
    tip.textContent = '';
    for (const e of near.slice(0, 6)) {
      tip.append(
        el('div', {}, [
          el('span', { className: 't', text: `${offset(e[0])} ` }),
          el('span', { text: `${data.scopes[e[1]]} · ${data.kinds[e[2]].name}: ${e[4]}` }),
        ]),
      );
    }
    if (near.length > 6) tip.append(el('div', { className: 'm', text: `… and ${near.length - 6} more` }));
    tip.hidden = false;
    tip.style.left = `${Math.min(x + 14, stripLayout.width - 470)}px`;
    tip.style.top = `${y + 14}px`;
  }

  // ---- cluster charts ----
  function markerDrawer(clusterIndex, family) {
    const marks = eventsFor(clusterIndex).filter((e) => {
      const cat = data.kinds[e[2]].category;
      return cat !== 'other' && state.markersShown[cat] && !(e[1] >= clusterCount && cat === 'restart');
    });
    return (u) => {
      const ctx = u.ctx;
      const { left, top, width, height } = u.bbox;
      const r = dpr();
      ctx.save();
      for (const e of marks) {
        const cat = data.kinds[e[2]].category;
        const x = u.valToPos(e[0], 'x', true);
        if (x < left || x > left + width) continue;
        const strong = cat === 'restart' && family && family.marksRestarts;
        ctx.strokeStyle = CATEGORY_COLOR[cat];
        ctx.globalAlpha = strong ? 0.9 : 0.45;
        ctx.lineWidth = r;
        ctx.setLineDash(strong ? [] : [3 * r, 3 * r]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        if (cat === 'restart') {
          ctx.globalAlpha = 1;
          ctx.fillStyle = CATEGORY_COLOR.restart;
          ctx.beginPath();
          ctx.moveTo(x - 4 * r, top);
          ctx.lineTo(x + 4 * r, top);
          ctx.lineTo(x, top + 6 * r);
          ctx.closePath();
          ctx.fill();
        }
      }
      if (family?.thresholds) {
        ctx.setLineDash([6 * r, 4 * r]);
        ctx.globalAlpha = 0.8;
        ctx.font = `${10 * r}px system-ui, sans-serif`;
        ctx.textAlign = 'right';
        ctx.textBaseline = 'bottom';
        for (const th of family.thresholds) {
          const scale = u.scales.y;
          if (scale.min === undefined || th.value < scale.min || th.value > scale.max) continue;
          const y = u.valToPos(th.value, 'y', true);
          ctx.strokeStyle = '#e0422f';
          ctx.beginPath();
          ctx.moveTo(left, y);
          ctx.lineTo(left + width, y);
          ctx.stroke();
          ctx.fillStyle = '#ff8a7a';
          // Below the line when the line runs along the top of the plot.
          const isNearTop = y - top < 14 * r;
          ctx.textBaseline = isNearTop ? 'top' : 'bottom';
          ctx.fillText(th.label, left + width - 4 * r, isNearTop ? y + 2 * r : y - 2 * r);
        }
      }
      ctx.restore();
    };
  }

  function yRange(unit, isLog) {
    if (isLog) return undefined;
    if (unit === 'fraction' || unit === 'ratio') {
      return (_u, min, max) => {
        if (min === null || max === null) return [0, 1];
        const lo = Math.min(min, 0.999);
        const hi = Math.max(max, 1);
        return [Math.max(0, lo - (hi - lo) * 0.08), hi + (hi - lo) * 0.04];
      };
    }
    return (_u, min, max) => [Math.min(0, min ?? 0), max === null || max <= 0 ? 1 : max * 1.08];
  }

  /** A cluster's series as objects: kind fields plus key (colour) and label (legend). */
  function seriesOf(cluster) {
    return cluster.series.map(([kindIndex, labels]) => {
      const kind = data.seriesKinds[kindIndex];
      return {
        ...kind,
        key: labels || kind.name,
        label: [labels, kind.role].filter((part) => part).join(' · ') || kind.name,
      };
    });
  }

  function groupSeries(series) {
    const groups = new Map();
    series.forEach((s, index) => {
      const key = s.f >= 0 ? `f:${data.families[s.f].id}` : `o:${s.name}`;
      if (!groups.has(key))
        groups.set(key, { key, family: s.f >= 0 ? data.families[s.f] : null, members: [] });
      groups.get(key).members.push({ ...s, index });
    });
    const known = [];
    for (const fam of data.families) if (groups.has(`f:${fam.id}`)) known.push(groups.get(`f:${fam.id}`));
    const other = [...groups.values()].filter((g) => g.family === null);
    return { known, other };
  }

  let syncing = false;
  function buildChart(target, clusterIndex, group, values, xs) {
    const fam = group.family;
    const isLog = Boolean(fam?.log);
    const units = [];
    for (const m of group.members) if (!units.includes(m.unit)) units.push(m.unit);
    const leftUnit = units[0];
    const rightUnit = units.length > 1 ? units[1] : null;
    const colorKeys = [];
    const columns = [xs];
    const series = [{ label: 'time', value: (_u, v) => offset(v) }];
    const members = group.members;
    if (fam?.summed) {
      const sum = new Array(xs.length).fill(null);
      for (const m of members) {
        const col = values[m.index];
        for (let i = 0; i < xs.length; i++) if (col[i] !== null) sum[i] = (sum[i] || 0) + col[i];
      }
      columns.push(sum);
      series.push({
        label: `${fam.title.toLowerCase()} (of ${members.length})`,
        stroke: PALETTE[1],
        fill: 'rgba(115,191,105,0.12)',
        width: 1.5,
        value: (_u, v) => (v === null ? '—' : trim(v)),
        points: { show: false },
        paths: uPlot.paths.stepped({ align: 1 }),
      });
    } else {
      for (const m of members) {
        let ci = colorKeys.indexOf(m.key);
        if (ci < 0) {
          colorKeys.push(m.key);
          ci = colorKeys.length - 1;
        }
        const metric = fam ? fam.metrics[m.m] : null;
        const isRight = rightUnit !== null && m.unit === rightUnit;
        const col = values[m.index];
        columns.push(isLog ? col.map((v) => (v !== null && v > 0 ? v : null)) : col);
        series.push({
          label: m.label,
          stroke: PALETTE[ci % PALETTE.length],
          width: 1.4,
          dash: metric?.dashed ? [5, 4] : undefined,
          scale: isRight ? 'y2' : 'y',
          value: (_u, v) => value(v, m.unit),
          points: { show: false },
        });
      }
    }
    const axisBase = {
      ...AXIS,
      font: '11px system-ui, sans-serif',
      labelFont: '11px system-ui, sans-serif',
      labelSize: 16,
    };
    const axes = [
      timeAxis(''),
      {
        ...axisBase,
        size: 58,
        label: axisLabel(leftUnit),
        values: (_u, vals) => vals.map((v) => tick(v, leftUnit)),
        ...(leftUnit === 'bytes' ? { incrs: BYTE_INCRS } : {}),
      },
    ];
    const scales = {
      x: { time: false },
      y: isLog ? { distr: 3, log: 10 } : { range: yRange(leftUnit, false) },
    };
    if (rightUnit !== null) {
      axes.push({
        ...axisBase,
        scale: 'y2',
        side: 1,
        size: 58,
        grid: { show: false },
        label: axisLabel(rightUnit),
        values: (_u, vals) => vals.map((v) => tick(v, rightUnit)),
      });
      scales.y2 = { range: yRange(rightUnit, false) };
    }
    const width = Math.max(320, target.clientWidth - 2);
    return new uPlot(
      {
        width,
        height: 200,
        padding: [6, rightUnit === null ? 14 : 0, 0, 0],
        cursor: { sync: { key: `cluster-${clusterIndex}` }, drag: { x: true, y: false } },
        legend: { live: true },
        scales,
        axes,
        series,
        hooks: {
          draw: [markerDrawer(clusterIndex, fam)],
          setScale: [
            (u, key) => {
              if (key !== 'x' || syncing) return;
              syncing = true;
              for (const other of state.charts) {
                if (other !== u) other.setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
              }
              syncing = false;
            },
          ],
        },
      },
      columns,
      target,
    );
  }

  function renderSummary(cluster) {
    const box = $('cluster-summary');
    box.textContent = '';
    const rows = [];
    const words = (k) =>
      k
        .replace(/Seconds$/, '')
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .toLowerCase();
    const walk = (prefix, obj) => {
      for (const [k, v] of Object.entries(obj)) {
        const path = prefix ? `${prefix} · ${k}` : k;
        if (v !== null && typeof v === 'object') walk(path, v);
        else rows.push([path, k, v]);
      }
    };
    walk('', cluster.summary || {});
    for (const [path, key, v] of rows) {
      let text = String(v);
      if (typeof v === 'number') {
        if (path.split(' · ').some((part) => /Seconds$/.test(part))) text = value(v, 'seconds');
        else if (/At$/.test(key)) text = offset(v);
        else if (/fraction|availability/i.test(key)) text = percent(v);
        else text = trim(v);
      } else if (v === null) text = /At$/.test(key) ? 'never' : '—';
      const label = path.split(' · ').map(words).join(' · ');
      box.append(el('div', { title: path }, [el('span', { text: label }), el('span', { text })]));
    }
  }

  async function selectCluster(index, options) {
    if (index < 0 || index >= clusterCount) return;
    state.selected = index;
    const cluster = data.clusters[index];
    $('cluster-select').value = String(index);
    $('cluster-name').textContent = cluster.name;
    $('cluster-meta').textContent =
      `${cluster.region} · ${cluster.nodes.toLocaleString('en-US')} nodes · ${cluster.series.length} series`;
    const pill = $('cluster-health');
    const breached = cluster.breachSteps * data.resolutionSeconds;
    pill.className = `pill ${cluster.worst >= data.breach ? 'bad' : 'ok'}`;
    pill.textContent =
      cluster.worst >= data.breach
        ? `breached objectives for ${duration(breached)}, first at ${offset(cluster.firstBreach * data.resolutionSeconds)}`
        : 'within objectives throughout';
    renderSummary(cluster);
    for (const chart of state.charts) chart.destroy();
    state.charts = [];
    const grid = $('charts');
    const otherGrid = $('other-charts');
    grid.textContent = '';
    otherGrid.textContent = '';
    const points = data.chartPoints;
    const f32 = await floats(cluster.blob);
    if (state.selected !== index) return;
    const values = cluster.series.map((_s, i) => toArray(f32, i * points, points, false));
    const xs = new Array(points);
    for (let i = 0; i < points; i++) xs[i] = i * data.chartStepSeconds;
    const { known, other } = groupSeries(seriesOf(cluster));
    const place = (container, group) => {
      const names = [...new Set(group.members.map((m) => m.name))];
      // In a busy chart, series that stayed at zero throughout only add legend noise: say so, skip them.
      let members = group.members;
      let hidden = 0;
      if (members.length > 4 && !group.family?.summed) {
        const drawn = members.filter((m) => values[m.index].some((v) => v !== null && v !== 0));
        hidden = members.length - drawn.length;
        members = drawn.length > 0 ? drawn : [{ ...members[0], label: `all ${members.length} series` }];
      }
      const sub = group.family ? names.join(', ') : group.members[0].help;
      const note =
        hidden === group.members.length
          ? ` · all ${hidden} series at 0 throughout`
          : hidden > 0
            ? ` · ${hidden} series at 0 throughout not drawn`
            : '';
      const card = el(
        'div',
        { className: 'chart', 'data-family': group.family ? group.family.id : 'other' },
        [
          el('h4', { text: group.family ? group.family.title : group.members[0].name }),
          el('div', {
            className: 'sub',
            text: `${sub}${note}`,
            title: [...new Set(group.members.map((m) => `${m.name}: ${m.help}`))].join('\n'),
          }),
        ],
      );
      container.append(card);
      state.charts.push(buildChart(card, index, { ...group, members }, values, xs));
    };
    for (const group of known) place(grid, group);
    for (const group of other) place(otherGrid, group);
    $('other-section').hidden = other.length === 0;
    $('no-charts').hidden = known.length + other.length > 0;
    drawHeatmap();
    if (options?.scroll) $('cluster').scrollIntoView({ behavior: 'auto', block: 'start' });
  }

  /** selectCluster for event handlers: a failure shows in the page instead of vanishing. */
  function show(index, options) {
    selectCluster(index, options).catch(fail);
  }

  // ---- event table ----
  function renderEvents() {
    const body = $('event-rows');
    body.textContent = '';
    const cat = $('event-category').value;
    const sev = $('event-severity').value;
    const onlySelected = $('event-selected').checked;
    const needle = $('event-search').value.trim().toLowerCase();
    const matches = state.events.filter((e) => {
      const kind = data.kinds[e[2]];
      if (cat !== 'all' && kind.category !== cat) return false;
      if (sev !== 'all' && data.severities[e[3]] !== sev) return false;
      if (onlySelected && e[1] !== state.selected) return false;
      if (needle) {
        const hay = `${data.scopes[e[1]]} ${kind.name} ${e[4]}`.toLowerCase();
        if (!hay.includes(needle)) return false;
      }
      return true;
    });
    const frag = document.createDocumentFragment();
    for (const e of matches.slice(0, state.eventLimit)) {
      const kind = data.kinds[e[2]];
      const scope =
        e[1] < clusterCount
          ? el('button', {
              className: 'linkish',
              text: data.scopes[e[1]],
              title: 'show this cluster’s charts',
              onclick: () => show(e[1], { scroll: true }),
            })
          : el('span', { className: 'm', text: data.scopes[e[1]] });
      const severity = data.severities[e[3]];
      frag.append(
        el('tr', {}, [
          el('td', { className: 'num mono', text: offset(e[0]) }),
          el('td', {}, [scope]),
          el('td', {}, [el('span', { className: `kind ${kind.category}`, text: kind.name })]),
          el('td', { className: `sev-${severity}`, text: severity }),
          el('td', { className: 'msg', text: e[4] }),
        ]),
      );
    }
    body.append(frag);
    $('event-count').textContent =
      `showing ${Math.min(matches.length, state.eventLimit)} of ${matches.length} matching (${state.events.length} events in the run)`;
    $('event-more').hidden = matches.length <= state.eventLimit;
  }

  // ---- wiring ----
  function fillClusterSelect() {
    const select = $('cluster-select');
    select.textContent = '';
    for (const c of computeOrder('worst')) {
      const cl = data.clusters[c];
      const mark = cl.worst >= data.breach ? '● ' : '○ ';
      select.append(
        el('option', { value: String(c), text: `${mark}${cl.name} (${cl.region}, ${cl.nodes} nodes)` }),
      );
    }
  }

  function redrawAll() {
    drawFleetChart()
      .then(() => {
        drawHeatmap();
        drawEventStrip();
        if (state.selected >= 0) return selectCluster(state.selected);
        return undefined;
      })
      .catch(fail);
  }

  function fail(error) {
    const box = $('report-error');
    box.hidden = false;
    box.textContent = `The report could not be drawn: ${error?.message ? error.message : String(error)}`;
    console.error(error);
  }

  async function init() {
    state.heat = await inflate(data.heat.badness);
    state.reason = await inflate(data.heat.reason);
    state.events = data.events.blob
      ? JSON.parse(new TextDecoder().decode(await inflate(data.events.blob)))
      : [];
    state.order = computeOrder('first-breach');
    fillClusterSelect();
    await drawFleetChart();
    drawHeatmap();
    drawEventStrip();

    const heat = $('heatmap');
    heat.addEventListener('mousemove', showHeatTip);
    heat.addEventListener('mouseleave', () => {
      $('heat-tip').hidden = true;
      $('heat-cursor').hidden = true;
    });
    heat.addEventListener('click', (ev) => {
      const hit = heatPick(ev);
      if (hit) show(hit.c, { scroll: true });
    });
    const strip = $('event-strip');
    strip.addEventListener('mousemove', showStripTip);
    strip.addEventListener('mouseleave', () => {
      $('strip-tip').hidden = true;
    });
    $('heat-order').addEventListener('change', (ev) => {
      state.order = computeOrder(ev.target.value);
      drawHeatmap();
    });
    for (const cat of Object.keys(state.markersShown)) {
      const box = $(`mark-${cat}`);
      if (!box) continue;
      box.addEventListener('change', () => {
        state.markersShown[cat] = box.checked;
        drawHeatmap();
        for (const chart of state.charts) chart.redraw(false);
        if (state.selected >= 0) show(state.selected);
      });
    }
    $('cluster-select').addEventListener('change', (ev) => show(Number(ev.target.value)));
    for (const id of ['event-category', 'event-severity', 'event-selected', 'event-search']) {
      $(id).addEventListener('input', () => {
        state.eventLimit = 300;
        renderEvents();
      });
    }
    $('event-more').addEventListener('click', () => {
      state.eventLimit += 300;
      renderEvents();
    });
    const paramFilter = $('param-filter');
    if (paramFilter) {
      paramFilter.addEventListener('input', () => {
        const needle = paramFilter.value.trim().toLowerCase();
        for (const row of document.querySelectorAll('#parameter-rows tr')) {
          row.hidden = needle !== '' && !row.textContent.toLowerCase().includes(needle);
        }
      });
    }
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(redrawAll, 150);
    });

    if (clusterCount > 0) await selectCluster(data.defaultCluster);
    renderEvents();
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = 'true';
  }

  init().catch(fail);
})();
