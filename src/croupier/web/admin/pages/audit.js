// The audit trail: filtered (actor and subject exactly, action as a prefix, a time range),
// paged in seq order up to the listing's bound (through_seq), and its hash chain verified.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { html } from "../html.js";
import { ErrorNote } from "../ui.js";

const EMPTY = { actor: "", action: "", subject: "", since: "", until: "" };

export function Audit() {
  const [filters, setFilters] = useState(EMPTY);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [chain, setChain] = useState(null);
  const set = (name) => (e) => setFilters({ ...filters, [name]: e.currentTarget.value });

  async function load(cursor) {
    setError(null);
    try {
      const query = { ...filters, limit: 50 };
      if (cursor) Object.assign(query, { after_seq: cursor.after, through_seq: cursor.through });
      const found = await api("/audit", { query });
      setPage({ ...found, cursor });
    } catch (failure) {
      setError(failure);
    }
  }
  async function verify() {
    setError(null);
    try {
      setChain(await api("/audit/verify"));
    } catch (failure) {
      setError(failure);
    }
  }
  return html`<section>
    <h1 tabindex="-1">Audit log</h1>
    <form class="inline" onSubmit=${(e) => { e.preventDefault(); load(null); }}>
      <label for="au-actor">Actor</label><input id="au-actor" placeholder="staff:…" value=${filters.actor} onInput=${set("actor")} />
      <label for="au-action">Action (prefix)</label><input id="au-action" placeholder="adjustment." value=${filters.action} onInput=${set("action")} />
      <label for="au-subject">Subject</label><input id="au-subject" value=${filters.subject} onInput=${set("subject")} />
      <label for="au-since">Since (UTC)</label><input id="au-since" type="datetime-local" value=${filters.since} onInput=${set("since")} />
      <label for="au-until">Until</label><input id="au-until" type="datetime-local" value=${filters.until} onInput=${set("until")} />
      <button>Search</button>
    </form>
    <button type="button" onClick=${verify}>Verify the chain</button>
    ${chain && html`<p role="status" class=${chain.ok ? "ok" : "error"}>${chain.ok
      ? `The chain holds: ${chain.records} records, head ${chain.head_seq}.`
      : `Broken at record ${chain.broken_seq}: ${chain.problem}`}</p>`}
    <${ErrorNote} error=${error} />
    ${page && html`<table data-testid="audit-table"><caption>Records up to ${page.through_seq}, in order</caption>
      <thead><tr><th scope="col">Seq</th><th scope="col">At</th><th scope="col">Actor</th><th scope="col">Action</th>
        <th scope="col">Subject</th><th scope="col">From</th><th scope="col">Reason</th><th scope="col">Change</th></tr></thead>
      <tbody>${page.items.map((r) => html`<tr key=${r.seq}><td>${r.seq}</td><td>${r.at.replace("T", " ").slice(0, 19)}</td>
        <td><code>${r.actor}</code></td><td>${r.action}</td><td>${r.subject || "—"}</td><td>${r.source_ip || "—"}</td>
        <td>${r.reason || ""}</td><td>${r.before || r.after
          ? html`<details><summary>before / after</summary><pre>${JSON.stringify({ before: r.before, after: r.after }, null, 1)}</pre></details>` : ""}</td></tr>`)}</tbody></table>
      ${page.next_after_seq !== null
        ? html`<button type="button" onClick=${() => load({ after: page.next_after_seq, through: page.through_seq })}>Next page</button>`
        : html`<p role="status">End of the listing.</p>`}`}
  </section>`;
}
