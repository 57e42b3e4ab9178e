// A blackjack table (POST /v1/games/{id}/rounds, then /v1/rounds/{id}/actions): only the
// actions the round lists in `outcome.legal_actions` are offered.
import { useEffect, useState } from "preact/hooks";
import { api, newKey } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";
import { formatMoney } from "../lib/money.mjs";
import { playRound, stakeSteps } from "../lib/rounds.mjs";

const ACTION_TEXT = {
  hit: "Hit", stand: "Stand", double: "Double", split: "Split", surrender: "Surrender",
  "take-insurance": "Take insurance", "decline-insurance": "No insurance",
};
const SUITS = { c: "♣", d: "♦", h: "♥", s: "♠" };

function Card({ code }) {
  const suit = code[1];
  const rank = code[0] === "T" ? "10" : code[0];
  const red = suit === "d" || suit === "h";
  return html`<span class=${"card-face" + (red ? " red" : "")} role="img"
    aria-label=${code}>${rank}${SUITS[suit]}</span>`;
}

export function Blackjack({ param, store }) {
  const [games, setGames] = useState([]);
  const [gameId, setGameId] = useState(param || "blackjack-6d-s17");
  const [stake, setStake] = useState(null);
  const [round, setRound] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const currency = store.wallet?.currency;

  useEffect(() => {
    api("GET", "/v1/games").then((answer) => {
      const tables = answer.items.filter((item) => item.kind === "blackjack" && item.enabled);
      setGames(tables);
      const table = tables.find((item) => item.id === gameId) ?? tables[0];
      const limits = table?.limits.find((item) => item.currency === currency);
      setStake(limits?.stake_min_minor ?? null);
    });
  }, [currency]);

  async function run(step) {
    setBusy(true);
    setError(null);
    try {
      setRound(await step());
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }
  const deal = () => run(() => playRound(gameId, { stake }, "bj"));
  const act = (action) => run(() =>
    api("POST", `/v1/rounds/${round.round_id}/actions`, { body: { action }, key: newKey("bja") }));

  const table = games.find((item) => item.id === gameId);
  const limits = table?.limits.find((item) => item.currency === currency);
  const outcome = round?.outcome;
  const open = round?.status === "open";
  const legal = open ? outcome.legal_actions : [];
  return html`
    <section class="card">
      <h1>Blackjack</h1>
      <div class="controls">
        <label>Table <select value=${gameId} disabled=${open} onChange=${(e) => setGameId(e.target.value)}>
          ${games.map((item) => html`<option value=${item.id}>${item.name}</option>`)}</select></label>
        ${limits ? html`<label>Stake <select value=${stake} disabled=${open}
            onChange=${(e) => setStake(Number(e.target.value))}>
            ${stakeSteps(limits).map((v) => html`<option value=${v}>${formatMoney(v, currency)}</option>`)}
          </select></label>
          <button type="button" class="primary" disabled=${busy || open} onClick=${deal}>Deal</button>`
        : html`<p class="error">This table takes no stakes in ${currency}.</p>`}
      </div>
      ${outcome && html`
        <div class="bj" data-testid="blackjack" data-status=${round.status}
          data-round=${round.round_id} data-actions=${legal.join(" ")}>
          <h2>Dealer ${outcome.dealer.total !== undefined && outcome.dealer.total !== null ? `(${outcome.dealer.total})` : ""}</h2>
          <div class="hand">${outcome.dealer.cards.map((code) => html`<${Card} code=${code} />`)}
            ${open && html`<span class="card-face back" role="img" aria-label="hidden card"></span>`}</div>
          ${outcome.hands.map((hand, i) => html`
            <h2>${outcome.hands.length > 1 ? `Hand ${i + 1}` : "You"} (${hand.total})
              ${i === outcome.active_hand && open ? " — to play" : ""}</h2>
            <div class="hand">${hand.cards.map((code) => html`<${Card} code=${code} />`)}
              <span class="hint">stake ${formatMoney(hand.stake, currency)} · ${hand.status}</span></div>`)}
        </div>
        <div class="controls" role="group" aria-label="Your actions">
          ${legal.map((action) => html`<button type="button" disabled=${busy}
            onClick=${() => act(action)}>${ACTION_TEXT[action] ?? action}</button>`)}
        </div>
        <p role="status" aria-live="polite" data-testid="blackjack-result">
          ${round.status === "settled" && html`Round <code>${round.round_id}</code>${" settled: "}${round.win > 0 ? `returned ${formatMoney(round.win, currency)}` : "lost"}${` (staked ${formatMoney(outcome.hands.reduce((sum, hand) => sum + hand.stake, 0), currency)}) · `}<a href=${"#/verify/" + round.round_id}>verify</a>`}
        </p>`}
      ${error && html`<p role="alert" class="error">${error}</p>`}
    </section>`;
}
