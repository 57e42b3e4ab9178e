// Charts drawn as inline SVG, no library: GGR by day (bars, one colour per sign) and
// observed RTP against the theoretical with its 99.9 % band (one row per game).
// Each chart has a title and a description for screen readers, and the page shows the
// same figures as a table beside it.
import { html } from "./html.js";
import { money } from "./money.js";

const W = 720;

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

// rows: [{day, ggr_minor}] of one currency, summed over games.
export function GgrChart({ days, currency, exponent }) {
  const H = 260, left = 90, bottom = 40, top = 16, right = 10;
  const values = days.map((d) => d.ggr_minor);
  const max = niceMax(Math.max(0, ...values.map(Math.abs)));
  const hasNegative = values.some((v) => v < 0);
  const plotH = H - top - bottom;
  const zeroY = top + (hasNegative ? plotH / 2 : plotH);
  const scale = (hasNegative ? plotH / 2 : plotH) / max;
  const band = (W - left - right) / Math.max(days.length, 1);
  const barW = Math.max(2, Math.min(40, band * 0.7));
  const ticks = hasNegative ? [max, max / 2, 0, -max / 2, -max] : [max, max / 2, 0];
  const label = (v) => money(Math.round(v), currency, exponent);
  return html`<svg class="chart" viewBox=${`0 0 ${W} ${H}`} role="img" aria-labelledby="ggr-t ggr-d">
    <title id="ggr-t">GGR by day, ${currency}</title>
    <desc id="ggr-d">${days.map((d) => `${d.day}: ${label(d.ggr_minor)}`).join("; ")}</desc>
    ${ticks.map((t) => html`<g><line class="grid" x1=${left} x2=${W - right} y1=${zeroY - t * scale} y2=${zeroY - t * scale} />
      <text class="axis" x=${left - 6} y=${zeroY - t * scale + 4} text-anchor="end">${label(t)}</text></g>`)}
    ${days.map((d, i) => {
      const x = left + i * band + (band - barW) / 2;
      const h = Math.abs(d.ggr_minor) * scale;
      const y = d.ggr_minor >= 0 ? zeroY - h : zeroY;
      return html`<g><rect class=${d.ggr_minor >= 0 ? "bar" : "bar negative"} x=${x} y=${y} width=${barW} height=${Math.max(h, 1)}>
          <title>${d.day}: ${label(d.ggr_minor)}</title></rect>
        ${days.length <= 16 || i % Math.ceil(days.length / 12) === 0
          ? html`<text class="axis" x=${x + barW / 2} y=${H - bottom + 16} text-anchor="middle">${d.day.slice(5)}</text>` : null}</g>`;
    })}
    <line class="zero" x1=${left} x2=${W - right} y1=${zeroY} y2=${zeroY} />
  </svg>`;
}

// rows: the RTP report's (observed, theoretical, low, high as decimal strings).
export function RtpChart({ rows }) {
  const rowH = 34, left = 190, right = 36, top = 24;
  const H = top + rows.length * rowH + 30;
  // The axis follows the RTPs, not the bands: a few rounds give a band of thousands of
  // percent, which would squash every dot against zero. A band that runs past the axis is
  // cut there and says where it ends.
  const centres = rows.flatMap((r) => [r.observed, r.theoretical]).filter((v) => v !== null && v !== "").map(Number);
  const max = Math.ceil(Math.max(1.2, ...centres) * 1.25 * 10) / 10;
  const x = (v) => left + (Math.min(Number(v), max) / max) * (W - left - right);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  return html`<svg class="chart" viewBox=${`0 0 ${W} ${H}`} role="img" aria-labelledby="rtp-t rtp-d">
    <title id="rtp-t">Observed RTP against theoretical, with the 99.9 % band</title>
    <desc id="rtp-d">${rows.map((r) => `${r.game_id} ${r.currency}: observed ${pct(r.observed)}, theoretical ${pct(r.theoretical)}, band ${pct(r.low)} to ${pct(r.high)}${r.flagged ? ", flagged" : ""}`).join("; ")}</desc>
    ${ticks.map((t) => html`<g><line class="grid" x1=${x(t)} x2=${x(t)} y1=${top - 8} y2=${H - 26} />
      <text class="axis" x=${x(t)} y=${H - 10} text-anchor="middle">${pct(t)}</text></g>`)}
    ${rows.map((r, i) => {
      const y = top + i * rowH + rowH / 2;
      return html`<g class=${r.flagged ? "flagged" : ""}>
        <text class="axis" x=${left - 8} y=${y + 4} text-anchor="end">${r.game_id} · ${r.currency}</text>
        ${r.low !== null && r.low !== "" && r.high !== null && r.high !== ""
          ? html`<rect class="band" x=${x(r.low)} y=${y - 9} width=${Math.max(x(r.high) - x(r.low), 1)} height="18"><title>band ${pct(r.low)} – ${pct(r.high)}</title></rect>
            ${Number(r.high) > max ? html`<text class="axis" x=${W - right - 4} y=${y + 4} text-anchor="end">band to ${pct(r.high)} →</text>` : null}` : null}
        ${r.theoretical !== null && r.theoretical !== ""
          ? html`<line class="theory" x1=${x(r.theoretical)} x2=${x(r.theoretical)} y1=${y - 12} y2=${y + 12}><title>theoretical ${pct(r.theoretical)}</title></line>` : null}
        <circle class="observed" cx=${x(r.observed)} cy=${y} r="6"><title>observed ${pct(r.observed)}</title></circle>
      </g>`;
    })}
  </svg>`;
}

export function pct(value) {
  if (value === null || value === undefined || value === "") return "—";
  return `${(Number(value) * 100).toFixed(2)} %`;
}
