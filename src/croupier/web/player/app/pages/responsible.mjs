// Safer gambling: the player's own limits (GET/PUT /v1/limits), time-out and self-exclusion
// (docs/api.md, "Responsible gambling"). A decrease applies at once; an increase waits the
// jurisdiction's cooling-off and shows as pending. The reality-check dialog is the shell's.
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";
import { formatMoney, parseMoney, toDecimal } from "../lib/money.mjs";
import { endSession } from "../lib/store.mjs";

const KINDS = [["deposit", "Deposit limit"], ["loss", "Loss limit"], ["wager", "Wager limit"]];
const PERIODS = ["daily", "weekly", "monthly"];

function Pending({ limit, format }) {
  if (!limit || limit.pending === undefined || (limit.pending === null && !limit.pending_from)) return null;
  return html`<small class="hint"> → ${limit.pending === null ? "none" : format(limit.pending)} from
    ${new Date(limit.pending_from).toLocaleString()}</small>`;
}

export function Responsible({ store }) {
  const currency = store.wallet?.currency;
  const [limits, setLimits] = useState(null);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const money = (minor) => formatMoney(minor, currency);

  useEffect(() => {
    api("GET", "/v1/limits").then(setLimits).catch((failure) => setError(describeError(failure)));
  }, []);

  async function save(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {};
    for (const [kind] of KINDS) {
      for (const period of PERIODS) {
        const text = String(form.get(`${kind}.${period}`) ?? "").trim();
        const now = limits[kind][period].value;
        const wanted = text === "" ? null : parseMoney(text, currency);
        if (text !== "" && wanted === null) return setError(`${kind} ${period}: not an amount`);
        if (wanted !== now) (body[kind] ??= {})[period] = wanted;
      }
    }
    const session = String(form.get("session_minutes") ?? "").trim();
    const sessionWanted = session === "" ? null : Number(session);
    if (sessionWanted !== limits.session_minutes.value) body.session_minutes = sessionWanted;
    const reality = String(form.get("reality_check_minutes") ?? "").trim();
    const realityWanted = reality === "" ? null : Number(reality);
    if (realityWanted !== limits.reality_check_minutes) body.reality_check_minutes = realityWanted;
    setError(null);
    try {
      setLimits(await api("PUT", "/v1/limits", { body }));
      setMessage("Limits saved. Lower limits apply now; higher ones after the cooling-off.");
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  async function stop(path, body, what) {
    if (!confirm(`${what}? This cannot be undone or shortened.`)) return;
    try {
      const answer = await api("POST", path, { body });
      alert(`${what} until ${new Date(answer.until).toLocaleString()}. You are now logged out.`);
      endSession();
      location.hash = "#/login";
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  if (error && !limits) return html`<p role="alert" class="error">${error}</p>`;
  if (!limits) return html`<p>Loading your limits…</p>`;
  const value = (minor) => (minor === null ? "" : toDecimal(minor, currency));
  return html`
    <section class="card">
      <h1>Safer gambling</h1>
      <p class="hint">Rules of your jurisdiction (${limits.jurisdiction}): increases wait
        ${limits.cooling_off_hours} h${limits.increase_needs_confirmation ? " and your confirmation" : ""}.</p>
      <form onSubmit=${save} data-testid="limits">
        <table>
          <thead><tr><th></th>${PERIODS.map((p) => html`<th>${p}</th>`)}</tr></thead>
          <tbody>${KINDS.map(([kind, title]) => html`<tr><th>${title} (${currency})</th>
            ${PERIODS.map((period) => html`<td><label class="compact">
              <span class="sr">${title} ${period}</span>
              <input name=${`${kind}.${period}`} inputmode="decimal" placeholder="none"
                value=${value(limits[kind][period].value)} /></label>
              <${Pending} limit=${limits[kind][period]} format=${money} /></td>`)}</tr>`)}</tbody>
        </table>
        <label>Session time limit (minutes)
          <input name="session_minutes" inputmode="numeric" placeholder="none"
            value=${limits.session_minutes.value ?? ""} /></label>
        <label>Reality check every (minutes, ${limits.reality_check_bounds.join("–")})
          <input name="reality_check_minutes" inputmode="numeric" placeholder="none"
            value=${limits.reality_check_minutes ?? ""} /></label>
        <button type="submit">Save limits</button>
      </form>
      <p role="status">${message}</p>
      ${error && html`<p role="alert" class="error">${error}</p>`}
      <div class="columns">
        <form onSubmit=${(e) => { e.preventDefault(); stop("/v1/time-out", { hours: Number(new FormData(e.target).get("hours")) }, "Take a time-out"); }}>
          <h2>Take a break</h2>
          <label>Time-out (hours) <input name="hours" type="number" min="1" value="24" required /></label>
          <button type="submit">Start time-out</button>
        </form>
        <form onSubmit=${(e) => { e.preventDefault(); stop("/v1/self-exclusion", { months: Number(new FormData(e.target).get("months")) }, "Exclude yourself"); }}>
          <h2>Self-exclusion</h2>
          <label>Exclude me for (months) <input name="months" type="number" min="1" value="6" required /></label>
          <button type="submit">Exclude me</button>
        </form>
      </div>
      <p class="hint">During a time-out or self-exclusion you can still log in to withdraw your balance.</p>
    </section>`;
}
