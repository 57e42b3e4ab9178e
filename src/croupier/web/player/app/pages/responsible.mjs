import { html } from "../lib/html.mjs";
export function Responsible() {
  return html`<p>Coming soon</p>`;
}
