// The players whose time-out or self-exclusion runs now (the player's own decision: staff
// see it and never shorten it), by player id, a page at a time.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { html } from "../html.js";
import { Badge, ErrorNote, Loading, useLoad } from "../ui.js";

export function Exclusions() {
  const [cursor, setCursor] = useState(null);
  const [seen, setSeen] = useState([]); // the cursors behind us, for "Previous page"
  const { data, error, loading } = useLoad(
    () => api("/exclusions", { query: { limit: 100, cursor: cursor || undefined } }),
    [cursor],
  );
  return html`<section>
    <h1 tabindex="-1">Exclusions running now</h1>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} what="the exclusions" />` : null}
    ${data && (data.items.length
      ? html`<table><thead><tr><th scope="col">Player</th><th scope="col">Kind</th><th scope="col">Since</th><th scope="col">Until</th></tr></thead>
          <tbody>${data.items.map((x) => html`<tr key=${x.player_id}>
            <td><a href=${`#/players/${encodeURIComponent(x.player_id)}`}>${x.player_id}</a></td>
            <td><${Badge} value=${x.kind} /></td><td>${x.since}</td><td>${x.until || "indefinitely"}</td></tr>`)}</tbody></table>`
      : html`<p role="status">No time-out or self-exclusion runs now.</p>`)}
    ${seen.length ? html`<button type="button" onClick=${() => { setCursor(seen.at(-1)); setSeen(seen.slice(0, -1)); }}>Previous page</button>` : null}
    ${data?.next_cursor ? html`<button type="button" onClick=${() => { setSeen([...seen, cursor]); setCursor(data.next_cursor); }}>Next page</button>` : null}
  </section>`;
}
