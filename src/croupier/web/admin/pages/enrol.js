// First login: enrol a TOTP authenticator (QR code or its secret), keep the recovery codes,
// confirm with the app's current code. Only then is the session a full one.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { html } from "../html.js";
import { ErrorNote, Loading } from "../ui.js";

export function Enrol({ onDone }) {
  const [enrolment, setEnrolment] = useState(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState(null);
  useEffect(() => {
    api("/mfa/enrol", { method: "POST" }).then(setEnrolment, setError);
  }, []);
  async function confirm(event) {
    event.preventDefault();
    setError(null);
    try {
      await api("/mfa/confirm", { method: "POST", body: { code: code.trim() } });
      onDone();
    } catch (failure) {
      setError(failure);
    }
  }
  const secret = enrolment ? new URL(enrolment.otpauth_uri).searchParams.get("secret") : "";
  return html`<main id="main" class="login">
    <h1>Enrol your authenticator</h1>
    <${ErrorNote} error=${error} />
    ${!enrolment && !error ? html`<${Loading} what="the enrolment" />` : null}
    ${enrolment &&
    html`<ol>
        <li>Scan this code with your authenticator app, or type its secret.
          <div class="qr"><img src=${enrolment.qr_png_data_uri} alt="QR code of your TOTP secret" width="200" height="200" /></div>
          <p>Secret: <code data-testid="totp-secret">${secret}</code></p></li>
        <li>Keep these recovery codes somewhere safe: each works once, and they are shown only now.
          <ul class="codes" data-testid="recovery-codes">${enrolment.recovery_codes.map((c) => html`<li><code>${c}</code></li>`)}</ul></li>
        <li><form onSubmit=${confirm}>
          <label for="confirm-code">The app's current code</label>
          <input id="confirm-code" inputmode="numeric" autocomplete="one-time-code" required
            value=${code} onInput=${(e) => setCode(e.currentTarget.value)} />
          <button>Confirm</button>
        </form></li>
      </ol>`}
  </main>`;
}
