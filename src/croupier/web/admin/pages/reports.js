// Reports: GGR and NGR by day and game, observed RTP against theoretical with its band, and
// the player liabilities, for a period of whole UTC days (the API's defaults: 30 days).
import { useState } from "preact/hooks";
import { api, download } from "../api.js";
import { GgrChart, RtpChart, pct } from "../charts.js";
import { html } from "../html.js";
import { money } from "../money.js";
import { Badge, ErrorNote, Loading, useLoad } from "../ui.js";

const DAY_MS = 86_400_000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

function everyDay(from, to) {
  const days = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) days.push(isoDay(t));
  return days;
}

// GGR rows (day × game × currency) → per currency, one figure per day of the period.
function byCurrency(report) {
  const out = new Map();
  for (const row of report.rows) {
    if (!out.has(row.currency)) out.set(row.currency, { exponent: row.exponent, sums: new Map() });
    const sums = out.get(row.currency).sums;
    sums.set(row.day, (sums.get(row.day) || 0) + row.ggr_minor);
  }
  return [...out.entries()].map(([currency, { exponent, sums }]) => ({
    currency, exponent,
    days: everyDay(report.from, report.to).map((day) => ({ day, ggr_minor: sums.get(day) || 0 })),
  }));
}

export function Reports() {
  const today = isoDay(Date.now());
  const [period, setPeriod] = useState({ from: isoDay(Date.now() - 13 * DAY_MS), to: today, game: "" });
  const [asked, setAsked] = useState(period);
  const query = { from: asked.from, to: asked.to, game: asked.game || undefined };
  const ggr = useLoad(() => api("/reports/ggr", { query }), [asked]);
  const rtp = useLoad(() => api("/reports/rtp", { query }), [asked]);
  const liabilities = useLoad(() => api("/reports/liabilities"), []);
  const set = (name) => (e) => setPeriod({ ...period, [name]: e.currentTarget.value });
  const [saveError, setSaveError] = useState(null);
  const save = (report) => () => {
    setSaveError(null);
    const kept = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
    download(`/reports/${report}`, kept).catch(setSaveError);
  };
  return html`<section>
    <h1 tabindex="-1">Reports</h1>
    <form class="inline" onSubmit=${(e) => { e.preventDefault(); setAsked({ ...period }); }}>
      <label for="rep-from">From (UTC day)</label><input id="rep-from" type="date" required value=${period.from} onInput=${set("from")} />
      <label for="rep-to">To (included)</label><input id="rep-to" type="date" required value=${period.to} onInput=${set("to")} />
      <label for="rep-game">Game (optional)</label><input id="rep-game" placeholder="lotus-20" value=${period.game} onInput=${set("game")} />
      <button>Show</button>
      <button type="button" onClick=${save("ggr")}>GGR as CSV</button>
      <button type="button" onClick=${save("rtp")}>RTP as CSV</button>
    </form>
    <${ErrorNote} error=${saveError} />

    <section aria-labelledby="ggr-h"><h2 id="ggr-h">GGR by day</h2>
      <${ErrorNote} error=${ggr.error} />
      ${ggr.loading && !ggr.data ? html`<${Loading} what="GGR" />` : null}
      ${ggr.data && (ggr.data.rows.length
        ? html`${byCurrency(ggr.data).map((c) => html`<figure><${GgrChart} ...${c} />
              <figcaption>GGR (bets − wins) per UTC day in ${c.currency}, all games${asked.game ? ` (${asked.game})` : ""}.</figcaption></figure>`)}
            <table data-testid="ggr-table"><caption>By day and game</caption>
              <thead><tr><th scope="col">Day</th><th scope="col">Game</th><th scope="col" class="num">Rounds</th>
                <th scope="col" class="num">Bets</th><th scope="col" class="num">Wins</th><th scope="col" class="num">GGR</th>
                <th scope="col" class="num">Jackpot funding</th><th scope="col" class="num">NGR</th></tr></thead>
              <tbody>${ggr.data.rows.map((r) => html`<tr><td>${r.day}</td><td>${r.game_id}</td><td class="num">${r.rounds}</td>
                <td class="num">${money(r.bets_minor, r.currency, r.exponent)}</td><td class="num">${money(r.wins_minor, r.currency, r.exponent)}</td>
                <td class="num">${money(r.ggr_minor, r.currency, r.exponent)}</td><td class="num">${money(r.jackpot_funding_minor, r.currency, r.exponent)}</td>
                <td class="num">${money(r.ngr_minor, r.currency, r.exponent)}</td></tr>`)}</tbody></table>`
        : html`<p role="status">No rounds settled in this period.</p>`)}
    </section>

    <section aria-labelledby="rtp-h"><h2 id="rtp-h">Observed RTP against theoretical</h2>
      <${ErrorNote} error=${rtp.error} />
      ${rtp.data && (rtp.data.rows.length
        ? html`<figure><${RtpChart} rows=${rtp.data.rows} />
              <figcaption>Dot: observed RTP; line: the certified RTP; shaded: the 99.9 % band. A game outside its band is flagged.</figcaption></figure>
            <table data-testid="rtp-table"><thead><tr><th scope="col">Game</th><th scope="col">Currency</th><th scope="col" class="num">Rounds</th>
              <th scope="col" class="num">Observed</th><th scope="col" class="num">Theoretical</th><th scope="col" class="num">Band</th><th scope="col">Flag</th></tr></thead>
              <tbody>${rtp.data.rows.map((r) => html`<tr><td>${r.game_id}</td><td>${r.currency}</td><td class="num">${r.rounds}</td>
                <td class="num">${pct(r.observed)}</td><td class="num">${pct(r.theoretical)}</td>
                <td class="num">${pct(r.low)} – ${pct(r.high)}</td><td>${r.flagged ? html`<${Badge} value="flagged" />` : "within"}</td></tr>`)}</tbody></table>`
        : html`<p role="status">No rounds in this period.</p>`)}
    </section>

    <section aria-labelledby="liab-h"><h2 id="liab-h">Player liabilities (now)</h2>
      <${ErrorNote} error=${liabilities.error} />
      ${liabilities.data && html`
        ${liabilities.data.matches_ledger ? null
          : html`<p class="error" role="alert">The balances and the ledger disagree in ${liabilities.data.mismatched_currencies.join(", ")}: run <code>croupier ledger verify</code>.</p>`}
        <table><thead><tr><th scope="col">Currency</th><th scope="col" class="num">Cash</th><th scope="col" class="num">Bonus</th>
          <th scope="col" class="num">Reserved</th><th scope="col" class="num">Total owed</th><th scope="col">Ledger</th></tr></thead>
          <tbody>${liabilities.data.rows.map((r) => html`<tr><td>${r.currency}</td><td class="num">${money(r.cash_minor, r.currency, r.exponent)}</td>
            <td class="num">${money(r.bonus_minor, r.currency, r.exponent)}</td><td class="num">${money(r.reserved_minor, r.currency, r.exponent)}</td>
            <td class="num">${money(r.total_minor, r.currency, r.exponent)}</td><td>${r.matches ? "matches" : html`<${Badge} value="mismatch" />`}</td></tr>`)}</tbody></table>`}
    </section>
  </section>`;
}
