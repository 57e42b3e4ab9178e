// One player: profile, wallet, account control, the compliance view (jurisdiction, KYC,
// responsible-gambling limits and exclusions, AML flags), sessions and ledger transfers.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { html } from "../html.js";
import { money } from "../money.js";
import { Badge, ErrorNote, Loading, ReasonAction, can, useLoad, when } from "../ui.js";

function Limit({ name, periods, currency, unit }) {
  if (!periods) return null;
  const cell = (p) => {
    const shown = (v) => (v === null || v === undefined ? "none" : unit === "money" ? money(v, currency) : `${v} min`);
    if (!p) return "—";
    return html`${shown(p.value)}${p.pending !== undefined && p.pending !== null
      ? html`<br /><small>rising to ${shown(p.pending)} from ${p.pending_from}</small>` : null}`;
  };
  if ("value" in periods) {
    // One limit, not one per period (the session length)
    return html`<tr><th scope="row">${name}</th><td colspan="3">${cell(periods)} per session</td></tr>`;
  }
  return html`<tr><th scope="row">${name}</th><td>${cell(periods.daily)}</td>
    <td>${cell(periods.weekly)}</td><td>${cell(periods.monthly)}</td></tr>`;
}

function Compliance({ view }) {
  const rg = view.responsible_gambling;
  const currency = view.wallet.currency;
  return html`<section aria-labelledby="compliance-h">
    <h2 id="compliance-h">Compliance</h2>
    <dl class="facts">
      <dt>Jurisdiction</dt><dd data-testid="jurisdiction">${view.jurisdiction || "—"}</dd>
      <dt>KYC</dt><dd><${Badge} value=${view.kyc?.state || "none"} />
        ${view.kyc?.enforced ? " enforced" : " not enforced"}${view.kyc?.required_before?.length
          ? `, required before ${view.kyc.required_before.join(", ")}` : ""}</dd>
      <dt>AML flags</dt><dd>${view.aml ? `${view.aml.flags_open} open of ${view.aml.flags}` : "—"}</dd>
      <dt>Exclusion</dt><dd data-testid="exclusion">${rg?.exclusion
        ? html`<${Badge} value=${rg.exclusion.kind} /> from ${rg.exclusion.since} until ${rg.exclusion.until || "indefinitely"}`
        : "none running"}</dd>
      ${rg ? html`<dt>Reality check</dt><dd>every ${rg.reality_check_minutes} min</dd>
        <dt>Marketing</dt><dd>${rg.marketing_allowed ? "allowed" : "not allowed"}</dd>` : null}
    </dl>
    ${rg && html`<table><caption>Responsible-gambling limits (the player's own; staff only see them)</caption>
      <thead><tr><th scope="col">Limit</th><th scope="col">Daily</th><th scope="col">Weekly</th><th scope="col">Monthly</th></tr></thead>
      <tbody>
        <${Limit} name="Deposit" periods=${rg.deposit} currency=${currency} unit="money" />
        <${Limit} name="Loss" periods=${rg.loss} currency=${currency} unit="money" />
        <${Limit} name="Wager" periods=${rg.wager} currency=${currency} unit="money" />
        <${Limit} name="Session" periods=${rg.session_minutes} currency=${currency} unit="minutes" />
      </tbody></table>`}
  </section>`;
}

function Control({ me, view, reload }) {
  if (!can(me, "account.control")) return null;
  const id = encodeURIComponent(view.profile.player_id);
  const act = (what) => async (reason) => {
    await api(`/players/${id}/${what}`, { method: "POST", body: { reason } });
    reload();
  };
  const status = view.control.status;
  return html`<div class="actions">
    ${status === "active" ? html`<${ReasonAction} label="Freeze" danger onSubmit=${act("freeze")} />` : null}
    ${status === "frozen" ? html`<${ReasonAction} label="Unfreeze" onSubmit=${act("unfreeze")} />` : null}
  </div>`;
}

function Transactions({ playerId, currency }) {
  const { data, error, loading } = useLoad(
    () => api(`/players/${encodeURIComponent(playerId)}/transactions`, { query: { limit: 20 } }),
    [playerId],
  );
  return html`<section aria-labelledby="tx-h"><h2 id="tx-h">Cash transfers (newest first)</h2>
    <${ErrorNote} error=${error} />
    ${loading ? html`<${Loading} what="transfers" />` : null}
    ${data && html`<table><thead><tr><th scope="col">When</th><th scope="col">Transfer</th>
        <th scope="col">Reason</th><th scope="col" class="num">Amount</th><th scope="col">Kind</th></tr></thead>
      <tbody>${data.items.map((t) => html`<tr><td>${when(t.timestamp_ms)}</td><td><code>${t.id}</code></td>
        <td>${t.reason}</td><td class="num">${money(t.amount, t.currency || currency)}</td>
        <td>${t.kind}</td></tr>`)}</tbody></table>`}
  </section>`;
}

export function Player({ me, playerId }) {
  const [pii, setPii] = useState(false);
  const { data: view, error, loading, reload } = useLoad(
    () => api(`/players/${encodeURIComponent(playerId)}`, { query: { pii: pii ? "true" : undefined } }),
    [playerId, pii],
  );
  return html`<section>
    <h1 tabindex="-1">Player <code>${playerId}</code></h1>
    <p><a href="#/players">← Search</a></p>
    <${ErrorNote} error=${error} />
    ${loading && !view ? html`<${Loading} what="the player" />` : null}
    ${view && html`
      <div class="grid">
        <section aria-labelledby="profile-h"><h2 id="profile-h">Profile</h2>
          <dl class="facts">
            <dt>Email</dt><dd>${view.profile.email}</dd>
            <dt>Date of birth</dt><dd>${view.profile.date_of_birth || "hidden"}</dd>
            <dt>Country</dt><dd>${view.profile.country}</dd>
            <dt>Registered</dt><dd>${view.profile.created_at}</dd>
            <dt>Status</dt><dd><${Badge} value=${view.control.status} />
              ${view.control.flags.map((f) => html` <${Badge} value=${f} />`)}</dd>
          </dl>
          ${can(me, "player.pii.view") && !pii
            ? html`<button type="button" onClick=${() => setPii(true)}>Reveal email and date of birth (audited)</button>` : null}
          <${Control} me=${me} view=${view} reload=${reload} />
        </section>
        <section aria-labelledby="wallet-h"><h2 id="wallet-h">Wallet</h2>
          <dl class="facts">
            <dt>Cash</dt><dd data-testid="cash">${money(view.wallet.cash, view.wallet.currency)}</dd>
            <dt>Bonus</dt><dd>${money(view.wallet.bonus, view.wallet.currency)}</dd>
            <dt>Reserved</dt><dd>${money(view.wallet.reserved, view.wallet.currency)}</dd>
          </dl>
          ${can(me, "adjustment.request")
            ? html`<a class="button" href=${`#/adjustments/${encodeURIComponent(playerId)}`}>Adjust this balance</a>` : null}
        </section>
      </div>
      <${Compliance} view=${view} />
      <${Transactions} playerId=${playerId} currency=${view.wallet.currency} />
      <section aria-labelledby="sessions-h"><h2 id="sessions-h">Recent sessions</h2>
        <ul>${view.sessions.map((s) => html`<li>${when(s.created_at_ms)} from ${s.ip || "—"}${s.revoked_at_ms ? " (revoked)" : ""}</li>`)}</ul>
      </section>`}
  </section>`;
}
