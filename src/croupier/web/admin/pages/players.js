// Player search: by player id or email (the API compares emails normalised, any case).
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { html } from "../html.js";
import { ErrorNote } from "../ui.js";

export function Players() {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  async function search(event) {
    event.preventDefault();
    setError(null);
    try {
      setFound((await api("/players", { query: { q: query.trim() } })).items);
    } catch (failure) {
      setFound(null);
      setError(failure);
    }
  }
  return html`<section>
    <h1 tabindex="-1">Players</h1>
    <form class="inline" role="search" onSubmit=${search}>
      <label for="player-query">Player id or email</label>
      <input id="player-query" type="search" required maxlength="254" value=${query}
        onInput=${(e) => setQuery(e.currentTarget.value)} />
      <button>Search</button>
    </form>
    <${ErrorNote} error=${error} />
    ${found && !found.length ? html`<p role="status">No player has that id or email.</p>` : null}
    ${found?.length
      ? html`<table><caption>Found</caption>
          <thead><tr><th scope="col">Player</th><th scope="col">Country</th><th scope="col">Currency</th><th scope="col">Registered</th></tr></thead>
          <tbody>${found.map(
            (p) => html`<tr><td><a href=${`#/players/${encodeURIComponent(p.player_id)}`}>${p.player_id}</a></td>
              <td>${p.country}</td><td>${p.currency}</td><td>${p.created_at}</td></tr>`,
          )}</tbody></table>`
      : null}
  </section>`;
}
