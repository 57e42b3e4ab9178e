// Small pieces every page uses: loading state, refusals shown as the API says them, dates.
import { useCallback, useEffect, useState } from "preact/hooks";
import { html } from "./html.js";

// Loads `load()` now and when `deps` change; `reload()` loads again.
export function useLoad(load, deps) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const run = useCallback(() => {
    let live = true;
    setState((old) => ({ ...old, loading: true, error: null }));
    load().then(
      (data) => live && setState({ loading: false, data, error: null }),
      (error) => live && setState({ loading: false, data: null, error }),
    );
    return () => {
      live = false;
    };
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

// A refusal, as the API gave it: its status, its code and its detail, read out by screen
// readers (role=alert) when it appears.
export function ErrorNote({ error }) {
  if (!error) return null;
  return html`<div class="error" role="alert">
    <strong>${error.status ? `${error.status} ${error.code}` : "Error"}</strong>: ${error.message}
    ${error.errors?.length
      ? html`<ul>${error.errors.map((e) => html`<li>${e.field}: ${e.message}</li>`)}</ul>`
      : null}
  </div>`;
}

export function Loading({ what }) {
  return html`<p class="loading" aria-live="polite">Loading ${what}…</p>`;
}

export function when(ms) {
  if (ms === null || ms === undefined) return "—";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

export function Badge({ value }) {
  return html`<span class=${`badge badge-${String(value).replace(/[^a-z0-9-]/gi, "")}`}>${value}</span>`;
}

// A "reason" box and a button: every change the admin API makes takes a reason.
export function ReasonAction({ label, onSubmit, danger = false, field = "reason" }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [id] = useState(() => `reason-${Math.random().toString(36).slice(2, 10)}`);
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(reason.trim());
      setReason("");
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="inline" onSubmit=${submit}>
    <label for=${id}>${field === "note" ? "Note" : "Reason"} to ${label.toLowerCase()}</label>
    <input id=${id} value=${reason} required maxlength="500"
      onInput=${(e) => setReason(e.currentTarget.value)} />
    <button class=${danger ? "danger" : ""} disabled=${busy || !reason.trim()}>${label}</button>
    <${ErrorNote} error=${error} />
  </form>`;
}

export function can(me, permission) {
  return Boolean(me?.permissions?.includes(permission));
}
