#include "rig/report/report_assets.hpp"

namespace cyanrig {

// The report's swimlanes: an SVG drawn from the model in <script id="run-data"> (report_model.cpp)
// for the time window in view, at most a few shapes per pixel column, so a 16-device, 100-repeat run
// draws as fast as a short one. Zoom: the repeat picker, the buttons, the mouse wheel, dragging; a
// failure link (#fail-N) zooms to its moment and marks it.
std::string_view report_script() {
  return R"JS((function () {
  'use strict';
  const started = performance.now();
  const body = document.body;
  let violations = 0;
  document.addEventListener('securitypolicyviolation', function () {
    violations += 1;
    body.setAttribute('data-csp-violations', String(violations));
  });
  const data = JSON.parse(document.getElementById('run-data').textContent);
  const S = data.strings;
  // Particle's default LED signals: colour, pattern, period in ms (particle-reference section 2).
  const LED = {
    off: ['#000000', 'solid'], breathing_white: ['#ffffff', 'breathe', 4000],
    breathing_blue: ['#0000ff', 'breathe', 4000], blinking_green: ['#00ff00', 'blink', 200],
    fast_blinking_green: ['#00ff00', 'blink', 100], breathing_green: ['#00ff00', 'breathe', 4000],
    blinking_cyan: ['#00ffff', 'blink', 200], fast_blinking_cyan: ['#00ffff', 'blink', 100],
    breathing_cyan: ['#00ffff', 'breathe', 4000], breathing_magenta: ['#ff00ff', 'breathe', 4000],
    blinking_blue: ['#0000ff', 'blink', 500], blinking_yellow: ['#ffff00', 'blink', 200],
    fast_blinking_magenta: ['#ff00ff', 'blink', 100], solid_gray: ['#1f1f1f', 'solid'],
    sos: ['#ff0000', 'blink', 500], cloud_error: ['#00ffff', 'flash', 500], unknown: ['#777777', 'hatch']
  };
  const FLASH = { red: '#ff0000', orange: '#ff6000', magenta: '#ff00ff' };
  // The cloud lane's values (report_model.cpp): class and what the title says.
  const CLOUD = [['offline', 'offline'], ['online', 'online'],
    ['stale', 'online, stale: the session it lists has ended']];
  const LABEL_W = 170, ROW = { power: 5, led: 14, cloud: 5, ticks: 16 }, GAP = 10;
  const LANE_H = ROW.power + ROW.led + ROW.cloud + ROW.ticks + 8;

  function decode(flat, width) {
    const out = [];
    let t = 0;
    for (let i = 0; i < flat.length; i += width) {
      t += flat[i];
      out.push([t].concat(flat.slice(i + 1, i + width)));
    }
    return out;
  }
  const lanes = data.lanes.map(function (l) {
    return { power: decode(l.power, 2), led: decode(l.led, 2), cloud: decode(l.cloud, 2),
      ticks: decode(l.ticks, 2), calls: decode(l.calls, 3), marks: decode(l.marks, 2), steps: decode(l.steps, 2) };
  });
  const rackSteps = decode(data.steps, 2);
  const gaps = data.gaps || [];
  const end = Math.max(data.end, 1);
  let view = [0, end];
  let marked = -1;

  function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  function clock(ms) {
    const s = ms / 1000, h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s - 3600 * h - 60 * m;
    const ss = (sec < 10 ? '0' : '') + sec.toFixed(ms % 1000 === 0 || view[1] - view[0] > 120000 ? 0 : 1);
    return (h > 0 ? h + ':' + (m < 10 ? '0' : '') : '') + m + ':' + ss;
  }
  function seconds(ms) { return (ms / 1000).toFixed(1) + ' s'; }
  function stateOf(label) { return label.split(' ')[0]; }
  function ledStyle(label) { return LED[stateOf(label)] || LED.unknown; }

  function patterns(scale) {
    let out = '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<rect width="6" height="6" fill="#555"/><rect width="3" height="6" fill="#999"/></pattern>';
    const used = {};
    lanes.forEach(function (l) { l.led.forEach(function (e) { used[S[e[1]]] = true; }); });
    Object.keys(used).sort().forEach(function (label, i) {
      const st = ledStyle(label), id = 'led' + i;
      used[label] = id;
      const p = st[2] ? Math.max(st[2] * scale, st[1] === 'breathe' ? 14 : 6) : 0;
      if (st[1] === 'breathe') {
        out += '<linearGradient id="' + id + 'g"><stop offset="0" stop-color="' + st[0] + '"/>' +
          '<stop offset="0.5" stop-color="#101010"/><stop offset="1" stop-color="' + st[0] + '"/></linearGradient>' +
          '<pattern id="' + id + '" width="' + p + '" height="' + ROW.led + '" patternUnits="userSpaceOnUse">' +
          '<rect width="' + p + '" height="' + ROW.led + '" fill="url(#' + id + 'g)"/></pattern>';
      } else if (st[1] === 'blink' || st[1] === 'flash') {
        const words = label.split(' ');
        const lit = st[1] === 'flash' ? (FLASH[words[1]] || '#ff0000') : st[0];
        out += '<pattern id="' + id + '" width="' + p + '" height="' + ROW.led + '" patternUnits="userSpaceOnUse">' +
          '<rect width="' + p + '" height="' + ROW.led + '" fill="#101010"/>' +
          (st[1] === 'flash' ? '<rect width="' + p / 4 + '" height="' + ROW.led + '" fill="' + st[0] + '"/>' +
            '<rect x="' + p / 2 + '" width="' + p / 4 + '" height="' + ROW.led + '" fill="' + lit + '"/>'
            : '<rect width="' + p / 2 + '" height="' + ROW.led + '" fill="' + lit + '"/>') + '</pattern>';
      } else {
        used[label] = null;
      }
    });
    return { defs: out + '</defs>', ids: used };
  }

  // Intervals [t, next t) of a track, at most one shape per pixel column.
  function intervals(track, x, w, draw) {
    let lastCol = -1;
    for (let i = 0; i < track.length; i++) {
      const t0 = track[i][0], t1 = i + 1 < track.length ? track[i + 1][0] : end;
      if (t1 < view[0] || t0 > view[1]) continue;
      const x0 = Math.max(x(t0), LABEL_W), x1 = Math.min(x(t1), LABEL_W + w);
      if (x1 - x0 < 1 && Math.floor(x0) === lastCol) continue;
      lastCol = Math.floor(x1);
      draw(track[i], x0, Math.max(x1 - x0, 1), t0, t1);
    }
  }
  function points(track, x, w, draw) {
    const seen = {};
    for (let i = 0; i < track.length; i++) {
      const t = track[i][0];
      if (t < view[0] || t > view[1]) continue;
      const px = Math.round(x(t));
      if (seen[px]) continue;
      seen[px] = true;
      draw(track[i], px, t);
    }
  }

  function render() {
    const svg = document.getElementById('lanes');
    const box = document.getElementById('timeline');
    const w = Math.max(box.clientWidth - LABEL_W - 10, 300);
    const scale = w / (view[1] - view[0]);
    const x = function (t) { return LABEL_W + (t - view[0]) * scale; };
    const top = 24, height = top + data.devices.length * (LANE_H + GAP);
    const pat = patterns(scale);
    const parts = [pat.defs];
    // Time axis.
    const steps = [1e3, 2e3, 5e3, 1e4, 3e4, 6e4, 12e4, 3e5, 6e5, 18e5, 36e5, 72e5, 216e5];
    const step = steps.find(function (s) { return s * scale >= 90; }) || 432e5;
    parts.push('<g class="axis">');
    for (let t = Math.ceil(view[0] / step) * step; t <= view[1]; t += step) {
      parts.push('<line x1="' + x(t) + '" x2="' + x(t) + '" y1="14" y2="' + height + '" class="grid"/>' +
        '<text x="' + (x(t) + 2) + '" y="11">' + clock(t) + '</text>');
    }
    parts.push('</g>');
    const laneY = function (i) { return top + i * (LANE_H + GAP); };
    // Outage windows, shaded across their segment's devices.
    parts.push('<g class="outages">');
    data.outages.forEach(function (o, k) {
      const x0 = Math.max(x(o.start), LABEL_W), x1 = Math.min(x(o.stop), LABEL_W + w);
      if (x1 < LABEL_W || x0 > LABEL_W + w) return;
      const notes = o.notes.map(function (n) { return S[n]; }).join('\n');
      const tip = esc('outage ' + o.label + ' on ' + o.segment + ': start ' + seconds(o.start) + ', stop ' +
        seconds(o.stop) + (notes ? '\n' + notes : ''));
      let members = 0;
      data.devices.forEach(function (d, i) {
        if (d.segment !== o.segment) return;
        members += 1;
        parts.push('<rect class="outage" data-outage="' + k + '" x="' + x0 + '" y="' + (laneY(i) - 3) + '" width="' +
          Math.max(x1 - x0, 1) + '" height="' + (LANE_H + 6) + '"><title>' + tip + '</title></rect>');
      });
      const ys = members ? '' : ' unplaced';
      parts.push('<line class="outage-edge' + ys + '" x1="' + x(o.start) + '" x2="' + x(o.start) + '" y1="14" y2="' +
        height + '"><title>' + tip + '</title></line>');
      parts.push('<line class="outage-edge' + ys + '" x1="' + x(o.stop) + '" x2="' + x(o.stop) + '" y1="14" y2="' +
        height + '"><title>' + tip + '</title></line>');
      for (let e = 0; e < o.effective.length; e += 2) {
        const i = o.effective[e], t = o.effective[e + 1];
        parts.push('<path class="effective" d="M' + x(t) + ' ' + (laneY(i) - 3) + 'v' + (LANE_H + 6) + '"><title>' +
          esc('outage effective for ' + data.devices[i].name + ' at ' + seconds(t)) + '</title></path>');
      }
    });
    parts.push('</g>');
    rackSteps.forEach(function (s) {
      if (s[0] < view[0] || s[0] > view[1]) return;
      parts.push('<line class="rack-step" x1="' + x(s[0]) + '" x2="' + x(s[0]) + '" y1="14" y2="' + height +
        '"><title>' + esc(S[s[1]] + ' at ' + seconds(s[0])) + '</title></line>');
    });
    data.devices.forEach(function (d, i) {
      const l = lanes[i], y = laneY(i);
      parts.push('<g class="lane" data-device="' + esc(d.name) + '" transform="translate(0,' + y + ')">');
      parts.push('<text class="name ' + esc(d.verdict) + '" x="4" y="12">' + esc(d.name) + '</text>' +
        '<text class="platform" x="4" y="26">' + esc(d.platform + (d.segment ? ' · ' + d.segment : '')) + '</text>');
      let ry = 0;
      parts.push('<g class="row power">');
      intervals(l.power, x, w, function (e, x0, wd, t0, t1) {
        parts.push('<rect class="' + (e[1] ? 'on' : 'off') + '" x="' + x0 + '" y="' + ry + '" width="' + wd +
          '" height="' + ROW.power + '"><title>power ' + (e[1] ? 'on' : 'off') + ' ' + seconds(t0) + ' – ' +
          seconds(t1) + '</title></rect>');
      });
      parts.push('</g>');
      ry += ROW.power + 1;
      parts.push('<g class="row led">');
      intervals(l.led, x, w, function (e, x0, wd, t0, t1) {
        const label = S[e[1]], st = ledStyle(label), id = pat.ids[label];
        const fill = stateOf(label) in LED ? (id ? 'url(#' + id + ')' : st[0]) : 'url(#hatch)';
        parts.push('<rect data-led="' + esc(stateOf(label)) + '" x="' + x0 + '" y="' + ry + '" width="' + wd +
          '" height="' + ROW.led + '" fill="' + fill + '"><title>' + esc(label) + ' ' + seconds(t0) + ' – ' +
          seconds(t1) + '</title></rect>');
      });
      parts.push('</g>');
      ry += ROW.led + 1;
      parts.push('<g class="row cloud">');
      intervals(l.cloud, x, w, function (e, x0, wd, t0, t1) {
        const status = CLOUD[e[1]] || CLOUD[0];
        parts.push('<rect class="' + status[0] + '" x="' + x0 + '" y="' + ry + '" width="' + wd +
          '" height="' + ROW.cloud + '"><title>cloud ' + status[1] + ' ' + seconds(t0) +
          ' – ' + seconds(t1) + '</title></rect>');
      });
      parts.push('</g>');
      ry += ROW.cloud + 2;
      parts.push('<g class="row events">');
      points(l.steps, x, w, function (e, px, t) {
        parts.push('<line class="step" x1="' + px + '" x2="' + px + '" y1="0" y2="' + (ry + ROW.ticks) + '"><title>' +
          esc(S[e[1]] + ' at ' + seconds(t)) + '</title></line>');
      });
      points(l.ticks, x, w, function (e, px, t) {
        parts.push('<line class="tick" x1="' + px + '" x2="' + px + '" y1="' + ry + '" y2="' + (ry + 7) + '"><title>' +
          esc(S[e[1]] + ' at ' + seconds(t)) + '</title></line>');
      });
      points(l.marks, x, w, function (e, px, t) {
        parts.push('<path class="mark" d="M' + px + ' ' + (ry + 8) + 'l4 4l-4 4z"><title>' +
          esc('mark ' + S[e[1]] + ' at ' + seconds(t)) + '</title></path>');
      });
      points(l.calls, x, w, function (e, px, t) {
        parts.push('<circle class="call ' + (e[1] ? 'ok' : 'bad') + '" cx="' + px + '" cy="' + (ry + 12) + '" r="3">' +
          '<title>' + esc(S[e[2]] + ' at ' + seconds(t)) + '</title></circle>');
      });
      parts.push('</g>');
      data.failures.forEach(function (f, n) {
        if (f[0] !== i || f[1] < view[0] || f[1] > view[1]) return;
        const px = x(f[1]);
        parts.push('<a href="#fail-' + n + '"><path class="failure-marker' + (n === marked ? ' marked' : '') +
          '" data-failure="' + n + '" d="M' + (px - 5) + ' ' + (ry + 4) + 'l10 10m0 -10l-10 10"><title>' +
          esc(S[f[2]] + ' at ' + seconds(f[1])) + '</title></path></a>');
      });
      parts.push('</g>');
    });
    // Repeats a long run does not draw (report_model.cpp): covered, so nothing seems to go on there.
    gaps.forEach(function (g) {
      const x0 = Math.max(x(g[0]), LABEL_W), x1 = Math.min(x(g[1]), LABEL_W + w);
      if (x1 <= x0) return;
      parts.push('<rect class="gap" x="' + x0 + '" y="14" width="' + (x1 - x0) + '" height="' + (height - 14) +
        '"><title>' + esc('not drawn ' + clock(g[0]) + ' – ' + clock(g[1]) + ': see events.jsonl') +
        '</title></rect>');
    });
    svg.setAttribute('width', LABEL_W + w + 10);
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', '0 0 ' + (LABEL_W + w + 10) + ' ' + height);
    svg.innerHTML = parts.join('');
    document.getElementById('view').textContent = clock(view[0]) + ' – ' + clock(view[1]);
  }

  function zoomTo(t0, t1) {
    const span = Math.max(t1 - t0, 200);
    t0 = Math.max(0, Math.min(t0, end - span));
    view = [t0, Math.min(end, t0 + span)];
    render();
  }
  const picker = document.getElementById('repeat');
  let drawnRepeats = 0;
  data.repeats.forEach(function (r) {
    const o = document.createElement('option');
    o.value = r[1] + ',' + r[2];
    const skipped = gaps.some(function (g) { return r[1] >= g[0] && r[1] < g[1]; });
    o.textContent = 'repeat ' + r[0] + ' (' + clock(r[1]) + ' – ' + clock(r[2]) + ')' + (skipped ? ', not drawn' : '');
    o.disabled = skipped;
    drawnRepeats += skipped ? 0 : 1;
    picker.appendChild(o);
  });
  if (gaps.length) {
    document.getElementById('drawn').textContent = 'The timeline draws ' + drawnRepeats + ' of ' +
      data.repeats.length + ' repeats: those with a failure, the first ones and the last. events.jsonl has ' +
      'every event.';
  }
  picker.addEventListener('change', function () {
    const v = picker.value.split(',').map(Number);
    if (v.length === 2) zoomTo(v[0], v[1]); else zoomTo(0, end);
  });
  function zoomBy(f, at) {
    const mid = at === undefined ? (view[0] + view[1]) / 2 : at;
    zoomTo(mid - (mid - view[0]) * f, mid + (view[1] - mid) * f);
  }
  document.getElementById('zoom-in').addEventListener('click', function () { zoomBy(0.5); });
  document.getElementById('zoom-out').addEventListener('click', function () { zoomBy(2); });
  document.getElementById('zoom-all').addEventListener('click', function () { picker.value = ''; zoomTo(0, end); });
  const svg = document.getElementById('lanes');
  const timeAt = function (clientX) {
    const r = svg.getBoundingClientRect(), w = r.width - LABEL_W - 10;
    return view[0] + (clientX - r.left - LABEL_W) / w * (view[1] - view[0]);
  };
  svg.addEventListener('wheel', function (e) {
    e.preventDefault();
    zoomBy(e.deltaY > 0 ? 1.25 : 0.8, timeAt(e.clientX));
  }, { passive: false });
  let drag = null;
  svg.addEventListener('mousedown', function (e) { drag = { x: e.clientX, view: view.slice() }; });
  window.addEventListener('mouseup', function () { drag = null; });
  window.addEventListener('mousemove', function (e) {
    if (!drag) return;
    const r = svg.getBoundingClientRect(), w = r.width - LABEL_W - 10;
    const dt = (drag.x - e.clientX) / w * (drag.view[1] - drag.view[0]);
    zoomTo(drag.view[0] + dt, drag.view[1] + dt);
  });
  function follow() {
    const m = /^#fail-(\d+)$/.exec(location.hash);
    if (!m || !data.failures[+m[1]] || data.failures[+m[1]][1] < 0) return false;
    marked = +m[1];
    const t = data.failures[marked][1];
    zoomTo(t - 90000, t + 30000);
    return true;
  }
  window.addEventListener('hashchange', follow);
  window.addEventListener('resize', render);
  if (!follow()) render();
  body.setAttribute('data-render-ms', String(Math.round(performance.now() - started)));
  body.setAttribute('data-lanes', String(document.querySelectorAll('#lanes g.lane').length));
})();
)JS";
}

}  // namespace cyanrig
