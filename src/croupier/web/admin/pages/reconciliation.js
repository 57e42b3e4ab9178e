// The payments reconciliation queue (filled by `croupier payments reconcile`): mismatches
// between the ledger and the provider's report, closed with a note of what was found.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { html } from "../html.js";
import { money } from "../money.js";
import { Badge, ErrorNote, Loading, ReasonAction, useLoad, when } from "../ui.js";

export function Reconciliation() {
  const [state, setState] = useState("open");
  const { data, error, loading, reload } = useLoad(() => api("/payments/reconciliation", { query: { state, limit: 100 } }), [state]);
  const resolve = (item) => async (note) => {
    await api(`/payments/reconciliation/${encodeURIComponent(item.id)}/resolve`, { method: "POST", body: { note } });
    reload();
  };
  return html`<section>
    <h1 tabindex="-1">Payments reconciliation</h1>
    <label for="rec-state">Show</label>
    <select id="rec-state" value=${state} onChange=${(e) => setState(e.currentTarget.value)}>
      <option value="open">open</option><option value="resolved">resolved</option>
    </select>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} what="the queue" />` : null}
    ${data && (data.items.length
      ? html`<table><thead><tr><th scope="col">Day</th><th scope="col">Provider</th><th scope="col">Reference</th>
          <th scope="col">Problem</th><th scope="col" class="num">Ledger</th><th scope="col" class="num">Provider</th><th scope="col">Resolve</th></tr></thead>
          <tbody>${data.items.map((i) => html`<tr key=${i.id}><td>${i.day}</td><td>${i.provider}</td><td><code>${i.reference}</code> (${i.kind})</td>
            <td><${Badge} value=${i.problem} /></td><td class="num">${money(i.ledger_minor, i.currency)}</td>
            <td class="num">${money(i.provider_minor, i.currency)}</td>
            <td>${i.resolved_ms ? html`${when(i.resolved_ms)}: ${i.note}` : html`<${ReasonAction} label="Resolve" field="note" onSubmit=${resolve(i)} />`}</td></tr>`)}</tbody></table>`
      : html`<p role="status">No ${state} items.</p>`)}
  </section>`;
}
