// Manual adjustments with four eyes: one member asks, a second approves. Above the approval
// threshold the API stores the request `pending` and moves nothing; approving it posts it.
// The requester's own approval is refused by the API (403), and shown as it says.
import { useState } from "preact/hooks";
import { api, newKey } from "../api.js";
import { html } from "../html.js";
import { money, toMinor } from "../money.js";
import { Badge, ErrorNote, Loading, ReasonAction, can, useLoad, when } from "../ui.js";

const REASON_CODES = ["goodwill", "correction", "chargeback-reversal", "promotion", "other"];

function RequestForm({ initialPlayer, onDone }) {
  const [form, setForm] = useState({
    player: initialPlayer || "", direction: "credit", amount: "", code: "goodwill", reason: "",
  });
  // One key per intended adjustment: a retry after a lost answer replays, never doubles.
  const [key, setKey] = useState(() => newKey("adj"));
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => {
    setForm({ ...form, [name]: e.currentTarget.value });
    setKey(newKey("adj"));
  };
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const player = await api(`/players/${encodeURIComponent(form.player.trim())}`);
      const currency = player.wallet.currency;
      const amount = toMinor(form.amount, currency);
      if (amount === null) {
        throw Object.assign(new Error(`"${form.amount}" is not a positive amount in ${currency}`), {
          status: 0, code: "invalid-amount", errors: [],
        });
      }
      const made = await api("/adjustments", {
        method: "POST",
        key,
        body: {
          player_id: player.profile.player_id, direction: form.direction, amount_minor: amount,
          reason_code: form.code, reason: form.reason.trim(),
        },
      });
      setDone(made);
      setKey(newKey("adj"));
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="stack" onSubmit=${submit} aria-labelledby="ask-h">
    <h2 id="ask-h">Ask for an adjustment</h2>
    <label for="adj-player">Player id</label>
    <input id="adj-player" required value=${form.player} onInput=${set("player")} />
    <fieldset><legend>Direction</legend>
      <label><input type="radio" name="direction" value="credit" checked=${form.direction === "credit"}
        onChange=${set("direction")} /> Credit (to the player)</label>
      <label><input type="radio" name="direction" value="debit" checked=${form.direction === "debit"}
        onChange=${set("direction")} /> Debit (from the player)</label>
    </fieldset>
    <label for="adj-amount">Amount, in the player's currency</label>
    <input id="adj-amount" inputmode="decimal" required placeholder="150.00" value=${form.amount} onInput=${set("amount")} />
    <label for="adj-code">Reason code</label>
    <select id="adj-code" value=${form.code} onChange=${set("code")}>
      ${REASON_CODES.map((c) => html`<option value=${c}>${c}</option>`)}
    </select>
    <label for="adj-reason">Reason</label>
    <input id="adj-reason" required maxlength="500" value=${form.reason} onInput=${set("reason")} />
    <p class="hint">Above the approval threshold the request waits for a second member's approval; nothing moves until then.</p>
    <button disabled=${busy}>Ask</button>
    <${ErrorNote} error=${error} />
    ${done && html`<p role="status" class="ok" data-testid="asked">Request <code>${done.request_id}</code>:
      <${Badge} value=${done.state} /> ${done.state === "pending" ? "— waiting for a second member's approval." : "— posted to the ledger."}</p>`}
  </form>`;
}

function Row({ me, item, reload }) {
  const mine = item.requested_by === `staff:${me.staff.staff_id}`;
  const id = encodeURIComponent(item.request_id);
  const decide = (what) => async (reason) => {
    await api(`/adjustments/${id}/${what}`, { method: "POST", body: { reason } });
    reload();
  };
  return html`<tr data-request=${item.request_id}>
    <td><code>${item.request_id}</code></td>
    <td><a href=${`#/players/${encodeURIComponent(item.player_id)}`}>${item.player_id.slice(0, 8)}…</a></td>
    <td>${item.direction}</td>
    <td class="num">${money(item.amount_minor, item.currency)}</td>
    <td>${item.reason_code}: ${item.note}</td>
    <td>${mine ? html`<strong>you</strong>` : item.requested_by.slice(0, 14)}<br /><small>${when(item.requested_at_ms)}</small></td>
    <td><${Badge} value=${item.state} /></td>
    <td>${item.state === "pending" && can(me, "adjustment.approve")
      ? html`${mine ? html`<p class="hint">Your own request: a second member must approve it.</p>` : null}
          <${ReasonAction} label="Approve" onSubmit=${decide("approve")} />
          <${ReasonAction} label="Reject" danger onSubmit=${decide("reject")} />`
      : item.decided_by ? html`<small>by ${item.decided_by.slice(0, 14)}: ${item.decision_reason}</small>` : null}</td>
  </tr>`;
}

export function Adjustments({ me, rest }) {
  const [state, setState] = useState("pending");
  const { data, error, loading, reload } = useLoad(
    () => api("/adjustments", { query: { state: state || undefined, limit: 100 } }),
    [state],
  );
  return html`<section>
    <h1 tabindex="-1">Adjustments</h1>
    <${RequestForm} initialPlayer=${rest?.[0]} onDone=${reload} />
    <section aria-labelledby="list-h"><h2 id="list-h">Requests</h2>
    <label for="adj-state">Show</label>
    <select id="adj-state" value=${state} onChange=${(e) => setState(e.currentTarget.value)}>
      <option value="pending">pending</option><option value="">all</option>
      <option value="posted">posted</option><option value="rejected">rejected</option>
      <option value="failed">failed</option>
    </select>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} what="the requests" />` : null}
    ${data && (data.items.length
      ? html`<table aria-labelledby="list-h"><thead><tr><th scope="col">Request</th><th scope="col">Player</th>
          <th scope="col">Direction</th><th scope="col" class="num">Amount</th><th scope="col">Reason</th>
          <th scope="col">Asked by</th><th scope="col">State</th><th scope="col">Decision</th></tr></thead>
          <tbody>${data.items.map((item) => html`<${Row} key=${item.request_id} me=${me} item=${item} reload=${reload} />`)}</tbody></table>`
      : html`<p role="status">No ${state || ""} requests.</p>`)}
    </section>
  </section>`;
}
