// The player client: a hash router over the pages, inside the shell (navigation, balance,
// connection state, the reality-check dialog). docs/web.md describes the structure.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { html } from "./lib/html.mjs";
import { loadJackpots, startSession, useStore } from "./lib/store.mjs";
import { Shell } from "./pages/shell.mjs";
import { Login } from "./pages/login.mjs";
import { Register } from "./pages/register.mjs";
import { Lobby } from "./pages/lobby.mjs";
import { Wallet } from "./pages/wallet.mjs";
import { Slot } from "./pages/slot.mjs";
import { Roulette } from "./pages/roulette.mjs";
import { Blackjack } from "./pages/blackjack.mjs";
import { History } from "./pages/history.mjs";
import { Verify } from "./pages/verify.mjs";
import { Responsible } from "./pages/responsible.mjs";
import { Poker } from "./pages/poker.mjs";
import { Account } from "./pages/account.mjs";

const PAGES = {
  lobby: Lobby,
  wallet: Wallet,
  slot: Slot,
  roulette: Roulette,
  blackjack: Blackjack,
  history: History,
  verify: Verify,
  responsible: Responsible,
  poker: Poker,
  account: Account,
};
const PUBLIC = { login: Login, register: Register };

function currentRoute() {
  const [name = "lobby", ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  return { name: name || "lobby", param: rest.join("/") };
}

function App() {
  const store = useStore();
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  if (!store.token) {
    const Page = PUBLIC[route.name] ?? Login;
    return html`<${Shell} store=${store}><${Page} /><//>`;
  }
  const Page = PAGES[route.name] ?? Lobby;
  return html`<${Shell} store=${store}><${Page} param=${route.param} store=${store} /><//>`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
loadJackpots().catch(() => {});
const saved = sessionStorage.getItem("croupier.token");
const withdrawOnly = sessionStorage.getItem("croupier.withdraw-only") === "1";
if (saved) startSession(saved, { withdrawOnly }).catch(() => {});
