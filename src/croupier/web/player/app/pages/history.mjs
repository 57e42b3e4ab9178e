// Round history (GET /v1/rounds), newest first, a page at a time; each round can be verified.
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";
import { formatMoney } from "../lib/money.mjs";

export function History() {
  const [items, setItems] = useState([]);
  const [cursor, setCursor] = useState(undefined);
  const [error, setError] = useState(null);

  async function load(from) {
    try {
      const query = from ? `?limit=20&cursor=${from}` : "?limit=20";
      const answer = await api("GET", `/v1/rounds${query}`);
      setItems((before) => (from ? [...before, ...answer.items] : answer.items));
      setCursor(answer.next_cursor);
    } catch (failure) {
      setError(describeError(failure));
    }
  }
  useEffect(() => { load(null); }, []);

  return html`
    <section class="card">
      <h1>Round history</h1>
      ${error && html`<p role="alert" class="error">${error}</p>`}
      <table data-testid="history">
        <thead><tr><th>When</th><th>Game</th><th>Round</th><th>Status</th>
          <th class="num">Stake</th><th class="num">Win</th><th></th></tr></thead>
        <tbody>${items.map((round) => html`<tr>
          <td>${new Date(round.started_at_ms).toLocaleString()}</td>
          <td>${round.game_id}</td><td><code>${round.round_id}</code></td><td>${round.status}</td>
          <td class="num">${formatMoney(round.stake, round.currency)}</td>
          <td class="num">${formatMoney(round.win, round.currency)}</td>
          <td><a href=${"#/verify/" + round.round_id}
            aria-label=${"Verify round " + round.round_id}>Verify</a></td></tr>`)}</tbody>
      </table>
      ${!items.length && html`<p>No rounds yet.</p>`}
      ${cursor && html`<button type="button" onClick=${() => load(cursor)}>Older rounds</button>`}
    </section>`;
}
