// The withdrawal review queue: held withdrawals (reserved on the ledger, not yet sent to the
// provider), oldest first. Approving pays through the provider; declining returns the money.
import { api } from "../api.js";
import { html } from "../html.js";
import { money } from "../money.js";
import { Badge, ErrorNote, Loading, ReasonAction, useLoad, when } from "../ui.js";

export function Withdrawals() {
  const { data, error, loading, reload } = useLoad(() => api("/withdrawals/queue", { query: { limit: 100 } }), []);
  const decide = (item, what) => async (reason) => {
    await api(`/withdrawals/${encodeURIComponent(item.intent_id)}/${what}`, { method: "POST", body: { reason } });
    reload();
  };
  return html`<section>
    <h1 tabindex="-1">Withdrawal queue</h1>
    <p>Withdrawals above the review threshold, or of players flagged <code>withdrawal-review</code>:
      the money is reserved and waits for a decision.</p>
    <button type="button" onClick=${reload}>Refresh</button>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} what="the queue" />` : null}
    ${data && (data.items.length
      ? html`<table><caption>${data.items.length} held</caption>
          <thead><tr><th scope="col">Asked</th><th scope="col">Player</th><th scope="col" class="num">Amount</th>
            <th scope="col">State</th><th scope="col">Decide</th></tr></thead>
          <tbody>${data.items.map((item) => html`<tr key=${item.intent_id} data-intent=${item.intent_id}>
            <td>${when(item.requested_at_ms)}</td>
            <td><a href=${`#/players/${encodeURIComponent(item.player_id)}`}>${item.player_id}</a></td>
            <td class="num">${money(item.amount_minor, item.currency)}</td>
            <td><${Badge} value=${item.state} /></td>
            <td><${ReasonAction} label="Approve and pay" onSubmit=${decide(item, "approve")} />
              ${item.state === "pending" ? html`<${ReasonAction} label="Decline" danger onSubmit=${decide(item, "decline")} />` : null}</td>
          </tr>`)}</tbody></table>`
      : html`<p role="status">The queue is empty.</p>`)}
  </section>`;
}
