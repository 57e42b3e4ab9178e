// The AML risk queue: one flag per rule and triggering transfer, open until a reviewer
// resolves it with a reason (risk.resolve).
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { html } from "../html.js";
import { money } from "../money.js";
import { Badge, ErrorNote, Loading, ReasonAction, can, useLoad, when } from "../ui.js";

export function Risk({ me }) {
  const [state, setState] = useState("open");
  const { data, error, loading, reload } = useLoad(() => api("/risk/flags", { query: { state, limit: 100 } }), [state]);
  const resolve = (flag) => async (reason) => {
    await api(`/risk/flags/${encodeURIComponent(flag.flag_id)}/resolve`, { method: "POST", body: { reason } });
    reload();
  };
  return html`<section>
    <h1 tabindex="-1">Risk / AML flags</h1>
    <label for="risk-state">Show</label>
    <select id="risk-state" value=${state} onChange=${(e) => setState(e.currentTarget.value)}>
      <option value="open">open</option><option value="resolved">resolved</option><option value="all">all</option>
    </select>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} what="the flags" />` : null}
    ${data && (data.items.length
      ? html`<table><thead><tr><th scope="col">Raised</th><th scope="col">Rule</th><th scope="col">Player</th>
          <th scope="col" class="num">Amount</th><th scope="col">Detail</th><th scope="col">State</th><th scope="col">Resolve</th></tr></thead>
          <tbody>${data.items.map((f) => html`<tr key=${f.flag_id}><td>${when(f.raised_at_ms)}</td><td>${f.rule}</td>
            <td><a href=${`#/players/${encodeURIComponent(f.player_id)}`}>${f.player_id.slice(0, 8)}…</a></td>
            <td class="num">${money(f.amount_minor, f.currency)}</td><td><code>${JSON.stringify(f.detail)}</code></td>
            <td><${Badge} value=${f.state} /></td>
            <td>${f.state === "open" && can(me, "risk.resolve")
              ? html`<${ReasonAction} label="Resolve" onSubmit=${resolve(f)} />` : f.resolution || ""}</td></tr>`)}</tbody></table>`
      : html`<p role="status">No ${state === "all" ? "" : state} flags.</p>`)}
  </section>`;
}
