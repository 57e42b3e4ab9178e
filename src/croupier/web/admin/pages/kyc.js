// The KYC queue: submissions the provider could not decide, with the document unsealed for
// the reviewer (every listing is audited), verified or rejected with a reason.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { html } from "../html.js";
import { Badge, ErrorNote, Loading, ReasonAction, useLoad, when } from "../ui.js";

export function Kyc() {
  const [state, setState] = useState("pending");
  const { data, error, loading, reload } = useLoad(() => api("/kyc", { query: { state, limit: 100 } }), [state]);
  const decide = (item, decision) => async (reason) => {
    await api(`/kyc/${encodeURIComponent(item.player_id)}/decision`, { method: "POST", body: { decision, reason } });
    reload();
  };
  return html`<section>
    <h1 tabindex="-1">KYC queue</h1>
    <label for="kyc-state">Show</label>
    <select id="kyc-state" value=${state} onChange=${(e) => setState(e.currentTarget.value)}>
      <option value="pending">pending</option><option value="verified">verified</option><option value="rejected">rejected</option>
    </select>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} what="the queue" />` : null}
    ${data && (data.items.length
      ? html`<table><thead><tr><th scope="col">Submitted</th><th scope="col">Player</th><th scope="col">Document</th>
          <th scope="col">State</th><th scope="col">Decide</th></tr></thead>
          <tbody>${data.items.map((k) => html`<tr key=${k.player_id}><td>${when(k.submitted_at_ms)}</td>
            <td><a href=${`#/players/${encodeURIComponent(k.player_id)}`}>${k.player_id.slice(0, 8)}…</a></td>
            <td>${k.document ? `${k.document.type} ${k.document.number} (${k.document.country}, expires ${k.document.expiry})` : "—"}</td>
            <td><${Badge} value=${k.state} />${k.reason ? html`<br /><small>${k.reason}</small>` : null}</td>
            <td>${k.state === "pending" ? html`<${ReasonAction} label="Verify" onSubmit=${decide(k, "verified")} />` : null}
              ${k.state !== "rejected" ? html`<${ReasonAction} label="Reject" danger onSubmit=${decide(k, "rejected")} />` : null}</td></tr>`)}</tbody></table>`
      : html`<p role="status">No ${state} submissions.</p>`)}
  </section>`;
}
