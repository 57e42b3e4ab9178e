// The landing page: who you are, what your role may do, where to go.
import { html } from "../html.js";

export function Home({ me, pages }) {
  return html`<section>
    <h1 tabindex="-1">Welcome, ${me.staff.username}</h1>
    <p>You are logged in as <strong>${me.staff.role}</strong>. The menu shows the pages your
      role may open; the API checks every action again.</p>
    <ul class="cards">${pages.map((p) => html`<li><a href=${`#/${p.path}`}>${p.title}</a></li>`)}</ul>
    <details><summary>Your permissions</summary>
      <ul>${me.permissions.map((p) => html`<li><code>${p}</code></li>`)}</ul></details>
  </section>`;
}
