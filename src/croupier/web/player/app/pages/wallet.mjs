// The wallet: balance, sandbox deposits and withdrawals (docs/payments.md), the movements.
import { useEffect, useState } from "preact/hooks";
import { api, newKey } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";
import { formatMoney, parseMoney } from "../lib/money.mjs";
import { getRealtime, refreshWallet } from "../lib/store.mjs";

export function Wallet({ store }) {
  const [items, setItems] = useState([]);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const [needsTotp, setNeedsTotp] = useState(false);
  const currency = store.wallet?.currency;

  async function loadMovements() {
    const answer = await api("GET", "/v1/wallet/transactions?limit=20");
    setItems(answer.items);
  }
  useEffect(() => {
    refreshWallet().then(loadMovements).catch((failure) => setError(describeError(failure)));
  }, []);

  async function move(kind, event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const amount = parseMoney(form.get("amount"), currency);
    setMessage(null);
    setError(null);
    if (!amount) return setError("Enter an amount, e.g. 10.00");
    const body = { amount };
    if (kind === "withdrawals" && form.get("totp")) body.totp = form.get("totp");
    try {
      const answer = await api("POST", `/v1/wallet/${kind}`, { body, key: newKey(kind.slice(0, 3)) });
      const what = kind === "deposits" ? "Deposited" : "Withdrew";
      const state = answer.state === "pending" ? " (waiting for the provider)" : "";
      setMessage(`${what} ${formatMoney(amount, currency)}${state}`);
      event.target.reset();
      // Live, the player stream's balance.changed brings the new balance; otherwise ask.
      if (getRealtime()?.state !== "live") await refreshWallet();
      await loadMovements();
    } catch (failure) {
      if (failure.code === "totp-required") setNeedsTotp(true);
      setError(describeError(failure));
    }
  }

  if (!store.wallet) return html`<p>Loading the wallet…</p>`;
  return html`
    <section class="card">
      <h1>Wallet</h1>
      <dl class="figures">
        <dt>Cash</dt><dd data-testid="wallet-cash">${formatMoney(store.wallet.cash, currency)}</dd>
        <dt>In play or in flight</dt><dd>${formatMoney(store.wallet.pending, currency)}</dd>
        <dt>Bonus</dt><dd>${formatMoney(store.wallet.bonus, currency)}</dd>
      </dl>
      <div class="columns">
        <form onSubmit=${(event) => move("deposits", event)} aria-labelledby="deposit-title">
          <h2 id="deposit-title">Deposit</h2>
          <label>Amount to deposit (${currency})
            <input name="amount" inputmode="decimal" required /></label>
          <button type="submit">Deposit</button>
        </form>
        <form onSubmit=${(event) => move("withdrawals", event)} aria-labelledby="withdraw-title">
          <h2 id="withdraw-title">Withdraw</h2>
          <label>Amount to withdraw (${currency})
            <input name="amount" inputmode="decimal" required /></label>
          ${needsTotp && html`<label>Authenticator code
            <input name="totp" inputmode="numeric" required /></label>`}
          <button type="submit">Withdraw</button>
        </form>
      </div>
      <p role="status">${message}</p>
      ${error && html`<p role="alert" class="error">${error}</p>`}
      <p class="hint">On <code>make run</code> payments go to the instant sandbox: no real money moves.</p>
      <h2>Movements</h2>
      <table>
        <thead><tr><th>When</th><th>What</th><th class="num">Amount</th></tr></thead>
        <tbody>${items.map((item) => html`<tr>
          <td>${new Date(item.timestamp_ms).toLocaleString()}</td><td>${item.reason}</td>
          <td class="num">${formatMoney(item.amount, item.currency)}</td></tr>`)}</tbody>
      </table>
    </section>`;
}
