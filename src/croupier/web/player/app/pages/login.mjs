// Log in (POST /v1/sessions); a TOTP code when the account has it on, and the withdraw-only
// session of a self-excluded or timed-out player.
import { useState } from "preact/hooks";
import { api } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";
import { startSession } from "../lib/store.mjs";

export function Login() {
  const [needsTotp, setNeedsTotp] = useState(false);
  const [excluded, setExcluded] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { email: form.get("email"), password: form.get("password") };
    if (needsTotp) body.totp = form.get("totp");
    if (excluded && form.get("withdraw_only")) body.withdraw_only = true;
    setBusy(true);
    setError(null);
    try {
      const session = await api("POST", "/v1/sessions", { body });
      await startSession(session.token, { withdrawOnly: Boolean(body.withdraw_only) });
      location.hash = body.withdraw_only ? "#/wallet" : "#/lobby";
    } catch (failure) {
      if (failure.code === "totp-required") setNeedsTotp(true);
      if (failure.code === "self-excluded" || failure.code === "timed-out") setExcluded(true);
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  return html`
    <section class="card narrow">
      <h1>Log in</h1>
      <form onSubmit=${submit}>
        <label>Email <input name="email" type="email" autocomplete="username" required /></label>
        <label>Password <input name="password" type="password"
          autocomplete="current-password" required /></label>
        ${needsTotp && html`<label>Authenticator code <input name="totp" inputmode="numeric"
          autocomplete="one-time-code" pattern="[0-9]{6}" required /></label>`}
        ${excluded && html`<label class="check"><input type="checkbox" name="withdraw_only" />
          Log in to withdraw my balance only</label>`}
        ${error && html`<p role="alert" class="error">${error}</p>`}
        <button type="submit" disabled=${busy}>Log in</button>
      </form>
      <p>New here? <a href="#/register">Create an account</a></p>
    </section>`;
}
