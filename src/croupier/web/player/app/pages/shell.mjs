// Around every page: the navigation, the balance, the connection state and, when the
// player stream says one is due, the reality-check dialog (docs/compliance.md).
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";
import { formatMoney } from "../lib/money.mjs";
import { getRealtime, logout, realityCheckDone } from "../lib/store.mjs";

const CONNECTION_TEXT = {
  live: "Live",
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  "signed-out": "Signed out",
  closed: "Offline",
  offline: "Offline",
  "withdraw-only": "Withdrawals only",
};

const LINKS = [
  ["lobby", "Lobby"],
  ["slot", "Slots"],
  ["roulette", "Roulette"],
  ["blackjack", "Blackjack"],
  ["poker", "Poker"],
  ["history", "History"],
  ["wallet", "Wallet"],
  ["responsible", "Safer gambling"],
  ["account", "Account"],
];

export function Shell({ store, children }) {
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href="#/lobby">Croupier</a>
      ${store.token &&
      html`<nav aria-label="Main">
        ${LINKS.map(([route, text]) => html`<a href=${"#/" + route}>${text}</a>`)}
      </nav>`}
      <div class="status">
        ${store.wallet &&
        html`<span class="balance">Balance <strong data-testid="balance">
          ${formatMoney(store.wallet.cash, store.wallet.currency)}</strong></span>`}
        ${store.token &&
        html`<span role="status" class=${"connection " + store.connection}
          data-testid="connection">${CONNECTION_TEXT[store.connection] ?? store.connection}</span>
          <button type="button" class="link" onClick=${() => logout()}>Log out</button>`}
      </div>
    </header>
    <main id="main" tabindex="-1">${children}</main>
    ${store.realityCheck && html`<${RealityCheck} check=${store.realityCheck} />`}
  `;
}

function RealityCheck({ check }) {
  const dialog = useRef(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    // A modal <dialog>: focus moves into it and Escape is the same as "Keep playing".
    if (!dialog.current.open) dialog.current.showModal();
  }, []);
  async function acknowledge() {
    try {
      const realtime = getRealtime();
      if (realtime?.state === "live") await realtime.request({ type: "reality.ack" });
      else await api("POST", "/v1/reality-checks/ack");
      realityCheckDone();
    } catch (failure) {
      if (failure.code === "state-conflict") realityCheckDone();
      else setError(describeError(failure));
    }
  }
  return html`
    <dialog ref=${dialog} class="reality" aria-labelledby="reality-title"
      onCancel=${(event) => { event.preventDefault(); acknowledge(); }}>
      <h2 id="reality-title">Reality check</h2>
      <p>You have been playing for ${check.session_minutes} minutes.</p>
      <p>Net result this session:
        <strong>${formatMoney(check.net_minor, check.currency)}</strong></p>
      ${error && html`<p role="alert" class="error">${error}</p>`}
      <div class="actions">
        <button type="button" onClick=${acknowledge}>Keep playing</button>
        <button type="button" onClick=${() => logout()}>Log out</button>
        <a href="#/responsible" onClick=${acknowledge}>Set limits</a>
      </div>
    </dialog>`;
}
