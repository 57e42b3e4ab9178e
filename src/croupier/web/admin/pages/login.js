// Staff login: password and the authenticator's code; a first login (password alone) goes
// on to enrol the TOTP (Enrol, below) before any other page opens.
import { useState } from "preact/hooks";
import { api, session } from "../api.js";
import { html } from "../html.js";
import { ErrorNote } from "../ui.js";
import { Enrol } from "./enrol.js";

export function Login({ onDone }) {
  const [form, setForm] = useState({ username: "", password: "", code: "" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [enrolling, setEnrolling] = useState(false);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api("/login", {
        method: "POST",
        body: { username: form.username, password: form.password, code: form.code.trim() || null },
      });
      session.set(answer.token);
      if (answer.stage === "enrolment") setEnrolling(true);
      else onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  if (enrolling) return html`<${Enrol} onDone=${onDone} />`;
  return html`<main id="main" class="login">
    <h1>Croupier back office</h1>
    <p>Staff only. Log in with your password and the 6-digit code of your authenticator app
      (or one recovery code). On your first login, leave the code empty: you will enrol one.</p>
    <form onSubmit=${submit} aria-describedby="login-error">
      <label for="username">Username</label>
      <input id="username" autocomplete="username" required value=${form.username} onInput=${set("username")} />
      <label for="password">Password</label>
      <input id="password" type="password" autocomplete="current-password" required
        value=${form.password} onInput=${set("password")} />
      <label for="code">Authenticator code</label>
      <input id="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32"
        value=${form.code} onInput=${set("code")} />
      <button disabled=${busy}>${busy ? "Logging in…" : "Log in"}</button>
    </form>
    <div id="login-error"><${ErrorNote} error=${error} /></div>
  </main>`;
}
