// Register (POST /v1/players), then log in at once.
import { useState } from "preact/hooks";
import { api } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";
import { startSession } from "../lib/store.mjs";

const PLACES = [
  ["MT", "Malta"],
  ["GB", "United Kingdom"],
  ["DE", "Germany"],
  ["FR", "France"],
  ["US-NJ", "United States — New Jersey"],
  ["CA-ON", "Canada — Ontario"],
];
const CURRENCIES = ["EUR", "GBP", "USD", "CAD"];

export function Register() {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {
      email: form.get("email"),
      password: form.get("password"),
      date_of_birth: form.get("date_of_birth"),
      country: form.get("country"),
      currency: form.get("currency"),
    };
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/v1/players", { body });
      const session = await api("POST", "/v1/sessions", {
        body: { email: body.email, password: body.password },
      });
      await startSession(session.token);
      location.hash = "#/wallet";
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  return html`
    <section class="card narrow">
      <h1>Create an account</h1>
      <form onSubmit=${submit}>
        <label>Email <input name="email" type="email" autocomplete="email" required /></label>
        <label>Password (12 characters or more)
          <input name="password" type="password" minlength="12" autocomplete="new-password"
            required /></label>
        <label>Date of birth <input name="date_of_birth" type="date" required /></label>
        <label>Where you live <select name="country">
          ${PLACES.map(([code, name]) => html`<option value=${code}>${name}</option>`)}
        </select></label>
        <label>Currency <select name="currency">
          ${CURRENCIES.map((code) => html`<option value=${code}>${code}</option>`)}
        </select></label>
        ${error && html`<p role="alert" class="error">${error}</p>`}
        <button type="submit" disabled=${busy}>Create account</button>
      </form>
      <p>Already registered? <a href="#/login">Log in</a></p>
    </section>`;
}
