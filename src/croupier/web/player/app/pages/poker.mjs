// Live hold'em cash tables over the WebSocket (docs/realtime.md, "Cash tables"): the lobby
// of tables (GET /v1/poker/tables), then one table: its public events on the `table`
// channel, and after each one the private view (`table.view`: your cards and choices).
import { useEffect, useState } from "preact/hooks";
import { api, newKey } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";
import { formatMoney, parseMoney, toDecimal } from "../lib/money.mjs";
import { getRealtime, onPlayerEvent } from "../lib/store.mjs";

const SUITS = { c: "♣", d: "♦", h: "♥", s: "♠" };

function Cards({ cards }) {
  return html`${(cards || []).map((code) => html`<span role="img" aria-label=${code}
    class=${"card-face small" + (code[1] === "d" || code[1] === "h" ? " red" : "")}>
    ${code[0] === "T" ? "10" : code[0]}${SUITS[code[1]]}</span>`)}`;
}

function Tables() {
  const [tables, setTables] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api("GET", "/v1/poker/tables").then((answer) => setTables(answer.items))
      .catch((failure) => setError(describeError(failure)));
  }, []);
  if (error) return html`<p role="alert" class="error">${error}</p>`;
  if (!tables) return html`<p>Loading the tables…</p>`;
  return html`<section class="card"><h1>Poker tables</h1>
    <table><thead><tr><th>Table</th><th>Blinds</th><th>Buy-in</th><th>Seats</th><th></th></tr></thead>
    <tbody>${tables.map((t) => html`<tr><td>${t.table_id}</td>
      <td>${formatMoney(t.stakes.small_blind_minor, t.currency)} / ${formatMoney(t.stakes.big_blind_minor, t.currency)}</td>
      <td>${formatMoney(t.buy_in.min_minor, t.currency)} – ${formatMoney(t.buy_in.max_minor, t.currency)}</td>
      <td>${t.seats_taken} / ${t.seat_count}</td>
      <td><a href=${"#/poker/" + t.table_id} aria-label=${"Open table " + t.table_id}>Open</a></td></tr>`)}</tbody></table>
  </section>`;
}

function Table({ tableId }) {
  const [view, setView] = useState(null);
  const [error, setError] = useState(null);
  const [raiseTo, setRaiseTo] = useState("");

  async function send(message) {
    const realtime = getRealtime();
    if (!realtime) throw new Error("not connected");
    const answer = await realtime.request({ ...message, table_id: tableId, request_id: newKey("pk") });
    setView(answer.data ?? answer);
    return answer;
  }
  async function act(message) {
    setError(null);
    try {
      await send(message);
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  useEffect(() => {
    let stop = false;
    const refresh = () => send({ type: "table.view" }).catch((failure) => !stop && setError(describeError(failure)));
    api("GET", `/v1/poker/tables/${tableId}`).then((publicView) => !stop && setView((v) => v ?? publicView));
    const realtime = getRealtime();
    realtime?.watchTable(tableId);
    const off = onPlayerEvent((event) => {
      if (event.stream === `table:${tableId}` || event.type === "poker.hole_cards") refresh();
    });
    if (realtime?.state === "live") refresh();
    return () => { stop = true; off(); };
  }, [tableId]);

  if (!view) return html`<p>Loading the table…</p>`;
  const currency = view.currency;
  const hand = view.hand;
  const choices = view.your_choices;
  const seated = view.your_seat !== null && view.your_seat !== undefined;
  return html`
    <section class="card" data-testid="poker-table">
      <h1>Table ${tableId}</h1>
      <p class="hint">${`Blinds ${formatMoney(view.stakes.small_blind_minor, currency)} / ${formatMoney(view.stakes.big_blind_minor, currency)}`}</p>
      <ul class="seats">${view.seats.map((seat) => html`<li class=${hand?.to_act === seat.seat ? "to-act" : ""}>
${`Seat ${seat.seat + 1}${seat.seat === view.your_seat ? " (you)" : ""}: ${seat.name} · `
        + formatMoney(seat.stack_minor, currency) + (seat.sitting_out ? " · sitting out" : "")
        + (hand?.bets_minor?.[String(seat.seat)] ? ` · bet ${formatMoney(hand.bets_minor[String(seat.seat)], currency)}` : "")}</li>`)}</ul>
      ${hand && html`<div class="hand"><span>Board</span> <${Cards} cards=${hand.board} />
        <span class="hint">Pot ${formatMoney((hand.pots_minor || []).reduce((a, b) => a + b, 0), currency)}</span></div>`}
      ${view.your_cards && html`<div class="hand" data-testid="your-cards"><span>Your cards</span> <${Cards} cards=${view.your_cards} /></div>`}
      ${!seated && html`<form class="inline" onSubmit=${(e) => { e.preventDefault();
          const amount = parseMoney(new FormData(e.target).get("buy_in"), currency);
          act({ type: "table.join", buy_in_minor: amount }); }}>
        <label>Buy-in (${currency}) <input name="buy_in" inputmode="decimal" required
          value=${toDecimal(view.buy_in.min_minor, currency)} /></label>
        <button type="submit">Sit down</button></form>`}
      ${choices && html`<div class="controls" role="group" aria-label="Your poker actions">
        ${choices.can_fold && html`<button type="button" onClick=${() => act({ type: "table.act", action: "fold" })}>Fold</button>`}
        ${choices.call_minor
          ? html`<button type="button" onClick=${() => act({ type: "table.act", action: "call" })}>Call ${formatMoney(choices.call_minor, currency)}</button>`
          : html`<button type="button" onClick=${() => act({ type: "table.act", action: "check" })}>Check</button>`}
        ${choices.min_raise_to_minor !== null && choices.min_raise_to_minor !== undefined && html`
          <label>Raise to <input inputmode="decimal" value=${raiseTo}
            placeholder=${toDecimal(choices.min_raise_to_minor, currency)} onInput=${(e) => setRaiseTo(e.target.value)} /></label>
          <button type="button" onClick=${() => act({ type: "table.act",
            action: hand?.bets_minor && Object.values(hand.bets_minor).some((b) => b > 0) ? "raise" : "bet",
            amount_minor: parseMoney(raiseTo || toDecimal(choices.min_raise_to_minor, currency), currency) })}>Raise</button>`}
      </div>`}
      ${seated && html`<div class="controls">
        <button type="button" onClick=${() => act({ type: "table.leave" })}>Leave the table</button></div>`}
      ${error && html`<p role="alert" class="error">${error}</p>`}
    </section>`;
}

export function Poker({ param }) {
  return param ? html`<${Table} tableId=${param} />` : html`<${Tables} />`;
}
