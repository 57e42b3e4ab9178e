// Account security: turn on two-factor authentication (TOTP, docs/accounts.md). The secret
// and the ten recovery codes are shown once; a first code from the app turns it on, and
// from then on the login asks for a code.
import { useState } from "preact/hooks";
import { api } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";

export function Account() {
  const [enrolment, setEnrolment] = useState(null);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);

  async function start() {
    setError(null);
    try {
      setEnrolment(await api("POST", "/v1/players/me/totp"));
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  async function confirm(event) {
    event.preventDefault();
    const code = String(new FormData(event.target).get("code") ?? "").trim();
    setError(null);
    try {
      await api("POST", "/v1/players/me/totp/confirm", { body: { code } });
      setEnrolment(null);
      setMessage("Two-factor authentication is on: the login now asks for a code.");
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return html`
    <section class="card">
      <h1>Account security</h1>
      <h2>Two-factor authentication</h2>
      ${!enrolment && !message && html`<p>Protect logins and withdrawals with a code from an
        authenticator app.</p>
        <button type="button" onClick=${start}>Turn on two-factor authentication</button>`}
      ${enrolment && html`
        <p>Add this key to your authenticator app (or open the link on your phone):</p>
        <p><code data-testid="totp-secret">${enrolment.secret}</code></p>
        <p><a href=${enrolment.otpauth_uri}>${enrolment.otpauth_uri}</a></p>
        <p>Recovery codes, each good once if you lose the app. Keep them somewhere safe:</p>
        <ul class="recovery">${enrolment.recovery_codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
        <form onSubmit=${confirm}>
          <label>Code from your authenticator app
            <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required /></label>
          <button type="submit">Confirm</button>
        </form>`}
      <p role="status">${message}</p>
      ${error && html`<p role="alert" class="error">${error}</p>`}
    </section>`;
}
