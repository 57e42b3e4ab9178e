// European roulette: choose a chip, click the layout (numbers, the lines and corners between
// them, the outside boxes) to place bets, spin. Every spot is a button with its bet's name,
// so the table is keyboard operable too.
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";
import { formatMoney } from "../lib/money.mjs";
import { RED, TABLE_H, TABLE_W, betKey, caption, layoutSpots } from "../lib/roulette-layout.mjs";
import { playRound, settledEvent } from "../lib/rounds.mjs";

const SPOTS = layoutSpots();
const GAME = "european-roulette";

function chipValues(limits) {
  return [1, 5, 10, 50, 100].map((f) => limits.stake_min_minor * f).filter((v) => v <= limits.stake_max_minor);
}

export function Roulette({ store }) {
  const currency = store.wallet?.currency;
  const [limits, setLimits] = useState(null);
  const [chip, setChip] = useState(null);
  const [bets, setBets] = useState(new Map());
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    api("GET", "/v1/games").then((games) => {
      const game = games.items.find((item) => item.id === GAME);
      const found = game?.limits.find((item) => item.currency === currency);
      setLimits(found ?? null);
      if (found) setChip(found.stake_min_minor);
    });
  }, [currency]);

  function place(spot) {
    setBets((before) => {
      const next = new Map(before);
      const key = betKey(spot.type, spot.numbers);
      const stake = (next.get(key)?.stake ?? 0) + chip;
      next.set(key, { type: spot.type, numbers: spot.numbers, stake, label: spot.label });
      return next;
    });
  }

  function remove(key) {
    setBets((before) => {
      const next = new Map(before);
      next.delete(key);
      return next;
    });
  }

  async function spin() {
    setBusy(true);
    setError(null);
    try {
      const body = { bets: [...bets.values()].map(({ type, numbers, stake }) => ({ type, numbers, stake })) };
      const round = await playRound(GAME, body, "roul");
      const event = await settledEvent(round.round_id);
      setResult({ ...round, seq: event.seq, win: event.data.win });
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  if (!limits) return html`<p>Loading the table…</p>`;
  const total = [...bets.values()].reduce((sum, bet) => sum + bet.stake, 0);
  const pocket = result?.outcome?.pocket;
  return html`
    <section class="card">
      <h1>European roulette</h1>
      <fieldset class="chips"><legend>Chip</legend>
        ${chipValues(limits).map((value) => html`<label class="chip">
          <input type="radio" name="chip" checked=${chip === value} onChange=${() => setChip(value)} />
          ${formatMoney(value, currency)}</label>`)}
      </fieldset>
      <div class="roulette" data-testid="roulette-table" role="group" aria-label="Roulette layout"
        ref=${(el) => { if (el) { el.style.width = TABLE_W + "px"; el.style.height = TABLE_H + "px"; } }}>
        ${SPOTS.map((spot) => {
          const key = betKey(spot.type, spot.numbers);
          const bet = bets.get(key);
          const won = pocket !== undefined && spot.type === "straight" && spot.numbers[0] === pocket;
          return html`<button type="button" aria-label=${spot.label} title=${spot.label}
            class=${`spot ${spot.kind}${bet ? " has-bet" : ""}${won ? " won" : ""}`}
            ref=${(el) => { if (el) Object.assign(el.style, { left: spot.x + "px", top: spot.y + "px", width: spot.w + "px", height: spot.h + "px" }); }}
            onClick=${() => place(spot)}>${caption(spot)}${bet && html`<span class="stack" aria-hidden="true"></span>`}</button>`;
        })}
      </div>
      <h2>Your bets</h2>
      <ul class="bets" data-testid="bets">
        ${[...bets.entries()].map(([key, bet]) => html`<li>${`${bet.label}: ${formatMoney(bet.stake, currency)} `}<button type="button" class="link" aria-label=${"Remove " + bet.label} onClick=${() => remove(key)}>remove</button></li>`)}
      </ul>
      <div class="controls">
        <span>Total ${formatMoney(total, currency)}</span>
        <button type="button" class="primary" disabled=${busy || !bets.size} onClick=${spin}>Spin</button>
        <button type="button" disabled=${busy || !bets.size} onClick=${() => setBets(new Map())}>Clear bets</button>
      </div>
      <p role="status" aria-live="polite" data-testid="roulette-result" data-round=${result?.round_id ?? ""}>
        ${result && html`<span class=${"pocket " + (pocket === 0 ? "green" : RED.has(pocket) ? "red" : "black")}>${pocket}</span>
${" "}Round <code>${result.round_id}</code>${` settled (event #${result.seq}): `}${result.win > 0 ? `won ${formatMoney(result.win, currency)}` : "no win"}${" · "}<a href=${"#/verify/" + result.round_id}>verify</a>`}
      </p>
      ${error && html`<p role="alert" class="error">${error}</p>`}
    </section>`;
}
