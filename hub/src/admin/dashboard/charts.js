// The dashboard's two charts as inline SVG (no library, nothing loaded): a line of the last
// points and stacked bars per day. Drawn from the data handed in; they keep nothing. Styled by
// class from dashboard.css (the Content-Security-Policy allows no inline style).
'use strict';

const SlussenCharts = (() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const W = 600, H = 160, LEFT = 36, BOTTOM = 18, TOP = 4;

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    Object.entries(attrs).forEach(([k, v]) => e.setAttribute(k, String(v)));
    if (parent) parent.appendChild(e);
    return e;
  }

  function text(parent, attrs, content) {
    el('text', attrs, parent).textContent = content;
  }

  function titled(e, title) {
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    e.appendChild(t);
    return e;
  }

  // Axes from 0 to yMax in `container` (its old chart replaced); y() maps a value to a height.
  function frame(container, yMax) {
    const svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img'});
    el('line', {x1: LEFT, y1: H - BOTTOM, x2: W, y2: H - BOTTOM, class: 'axis'}, svg);
    el('line', {x1: LEFT, y1: TOP, x2: LEFT, y2: H - BOTTOM, class: 'axis'}, svg);
    text(svg, {x: LEFT - 4, y: TOP + 8, 'text-anchor': 'end'}, String(yMax));
    text(svg, {x: LEFT - 4, y: H - BOTTOM, 'text-anchor': 'end'}, '0');
    container.replaceChildren(svg);
    return {svg, y: (v) => (H - BOTTOM) - (H - BOTTOM - TOP) * (yMax > 0 ? v / yMax : 0)};
  }

  // The values as a line, the newest at the right edge of `capacity` slots.
  function line(container, values, capacity, unit, waiting) {
    const c = frame(container, Math.ceil(Math.max(1, ...values)));
    if (values.length < 2) {
      text(c.svg, {x: LEFT + 8, y: H / 2}, waiting);
      return;
    }
    const step = (W - LEFT) / (capacity - 1);
    const offset = capacity - values.length;
    const points = values.map((v, i) => (LEFT + (offset + i) * step).toFixed(1) + ',' +
                                        c.y(v).toFixed(1));
    titled(el('polyline', {points: points.join(' '), class: 'line'}, c.svg),
           'latest ' + values[values.length - 1].toFixed(1) + ' ' + unit);
  }

  // One bar per day ({date, met, met_late, missed}), its outcomes stacked.
  function outcomes(container, days) {
    const c = frame(container, Math.max(1, ...days.map((d) => d.met + d.met_late + d.missed)));
    if (days.length === 0) return;
    const slot = (W - LEFT) / days.length;
    days.forEach((d, i) => {
      const x = LEFT + i * slot + slot * 0.15;
      const w = slot * 0.7;
      let base = 0;
      [['met', d.met], ['met-late', d.met_late], ['missed', d.missed]].forEach(([cls, n]) => {
        if (n <= 0) return;
        const y = c.y(base + n);
        titled(el('rect', {x: x.toFixed(1), y: y.toFixed(1), width: w.toFixed(1),
                           height: (c.y(base) - y).toFixed(1), class: cls}, c.svg),
               d.date + ': ' + n + ' ' + cls.replace('-', ' '));
        base += n;
      });
      if ((days.length - 1 - i) % 2 === 0 || days.length <= 7) {  // today always labelled
        text(c.svg, {x: (x + w / 2).toFixed(1), y: H - 4, 'text-anchor': 'middle'},
             d.date.slice(5));
      }
    });
  }

  return {line, outcomes};
})();
