// The back office's shell: who is logged in, the menu their role allows, and the page the
// address names (#/players, #/adjustments …; the hash keeps every page on /admin).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, session, whenExpired } from "./api.js";
import { html } from "./html.js";
import { can } from "./ui.js";
import { Login } from "./pages/login.js";
import { Home } from "./pages/home.js";
import { Players } from "./pages/players.js";
import { Player } from "./pages/player.js";
import { Adjustments } from "./pages/adjustments.js";
import { Withdrawals } from "./pages/withdrawals.js";
import { Reports } from "./pages/reports.js";
import { Audit } from "./pages/audit.js";
import { Risk } from "./pages/risk.js";
import { Kyc } from "./pages/kyc.js";
import { Exclusions } from "./pages/exclusions.js";
import { Reconciliation } from "./pages/reconciliation.js";

// Each page, the permission that shows it in the menu (the API checks it again anyway).
const PAGES = [
  { path: "players", title: "Players", permission: "player.view", page: Players },
  { path: "adjustments", title: "Adjustments", permission: "adjustment.request", page: Adjustments },
  { path: "withdrawals", title: "Withdrawals", permission: "withdrawal.review", page: Withdrawals },
  { path: "reports", title: "Reports", permission: "report.view", page: Reports },
  { path: "risk", title: "Risk / AML", permission: "risk.view", page: Risk },
  { path: "kyc", title: "KYC", permission: "kyc.review", page: Kyc },
  { path: "exclusions", title: "Exclusions", permission: "exclusions.view", page: Exclusions },
  { path: "reconciliation", title: "Reconciliation", permission: "payments", page: Reconciliation },
  { path: "audit", title: "Audit log", permission: "audit.view", page: Audit },
];

function route() {
  const [path, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  return { path, rest: rest.map(decodeURIComponent) };
}

function Shell({ me, onLogout }) {
  const [where, setWhere] = useState(route());
  useEffect(() => {
    const changed = () => setWhere(route());
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  useEffect(() => {
    // Move focus to the new page's heading, so keyboard and screen-reader users follow.
    document.querySelector("main h1")?.focus();
  }, [where.path, where.rest.join("/")]);
  const visible = PAGES.filter((p) => can(me, p.permission));
  let content;
  if (where.path === "players" && where.rest[0] && can(me, "player.view")) {
    content = html`<${Player} me=${me} playerId=${where.rest[0]} />`;
  } else {
    const found = PAGES.find((p) => p.path === where.path);
    if (!found) content = html`<${Home} me=${me} pages=${visible} />`;
    else if (!can(me, found.permission))
      content = html`<section><h1 tabindex="-1">${found.title}</h1>
        <p class="error" role="alert">Your role (${me.staff.role}) may not open this page
        (it needs <code>${found.permission}</code>).</p></section>`;
    else content = html`<${found.page} me=${me} rest=${where.rest} />`;
  }
  return html`<a class="skip" href="#main">Skip to the page</a>
    <header class="top">
      <a class="brand" href="#/">Croupier back office</a>
      <nav aria-label="Back office">
        <ul>${visible.map(
          (p) => html`<li><a href=${`#/${p.path}`}
            aria-current=${where.path === p.path ? "page" : undefined}>${p.title}</a></li>`,
        )}</ul>
      </nav>
      <div class="who">
        <span data-testid="who">${me.staff.username} · ${me.staff.role}</span>
        <button type="button" onClick=${onLogout}>Log out</button>
      </div>
    </header>
    <main id="main">${content}</main>`;
}

function App() {
  const [me, setMe] = useState(undefined); // undefined: asking; null: nobody
  async function refresh() {
    if (!session.token()) return setMe(null);
    try {
      const found = await api("/me");
      setMe(found.stage === "full" ? found : null);
    } catch {
      session.clear();
      setMe(null);
    }
  }
  useEffect(() => {
    whenExpired(() => {
      session.clear();
      setMe(null);
    });
    refresh();
  }, []);
  async function logout() {
    try {
      await api("/logout", { method: "POST" });
    } catch {
      // the token is forgotten here either way
    }
    session.clear();
    setMe(null);
  }
  if (me === undefined) return html`<p class="loading">Loading…</p>`;
  if (me === null) return html`<${Login} onDone=${refresh} />`;
  return html`<${Shell} me=${me} onLogout=${logout} />`;
}

render(html`<${App} />`, document.getElementById("app"));
