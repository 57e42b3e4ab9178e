// The lobby: the games on offer (GET /v1/games) and the live jackpot ticker, pushed over
// the WebSocket's `jackpots` channel.
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api.mjs";
import { html } from "../lib/html.mjs";
import { formatMoney } from "../lib/money.mjs";

const ROUTE_OF_KIND = { slots: "slot", roulette: "roulette", blackjack: "blackjack", holdem: "poker" };

export function Lobby({ store }) {
  const [games, setGames] = useState([]);
  useEffect(() => {
    api("GET", "/v1/games").then((answer) => setGames(answer.items));
  }, []);
  const wins = store.events.filter((event) => event.type === "jackpot.won");
  return html`
    <section class="card">
      <h1>Lobby</h1>
      <h2>Jackpots</h2>
      <ul class="jackpots" aria-live="polite" data-testid="jackpots">
        ${store.jackpots.map((pool) => html`<li>
          <span>${pool.game_id}</span>
          <strong>${formatMoney(pool.amount, pool.currency)}</strong></li>`)}
        ${!store.jackpots.length && html`<li>No jackpot yet: the first spin opens the pool.</li>`}
      </ul>
      ${wins.map((win) => html`<p class="win">Jackpot won on ${win.data.game_id}:
        ${formatMoney(win.data.amount, win.data.currency)}</p>`)}
      <h2>Your activity</h2>
      <ol class="activity" data-testid="activity" aria-live="polite">
        ${store.events.filter((event) => event.stream.startsWith("player:")).map((event) => html`
          <li data-seq=${event.seq}>${`#${event.seq} ${event.type}`}${event.data.balance_after !== undefined
            ? ` · balance ${formatMoney(event.data.balance_after, store.wallet?.currency)}` : ""}</li>`)}
        ${!store.events.length && html`<li>Nothing yet since you logged in.</li>`}
      </ol>
      <h2>Games</h2>
      <ul class="games">
        ${games.map((game) => {
          const route = ROUTE_OF_KIND[game.kind];
          const target = route === "poker" ? "#/poker" : route ? `#/${route}/${game.id}` : null;
          return html`<li class=${game.enabled ? "" : "disabled"}>
            ${target && game.enabled ? html`<a href=${target}>${game.name}</a>` : html`<span>${game.name}</span>`}
            <small>${game.kind}${game.rtp ? ` · RTP ${game.rtp}` : ""}
              ${!target ? " · not playable here yet" : ""}</small></li>`;
        })}
      </ul>
    </section>`;
}
