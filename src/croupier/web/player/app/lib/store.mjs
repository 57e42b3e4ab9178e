// The signed-in player's state, shared by every page: the wallet (kept current by the player
// stream's events, not by polling), the live connection, the jackpots and the reality check.

import { useEffect, useState } from "preact/hooks";
import { api, sessionToken, setSessionToken } from "./api.mjs";
import { Realtime } from "./realtime.mjs";

const state = {
  token: sessionToken(),
  wallet: null, // {currency, cash, bonus, pending}
  connection: "offline",
  jackpots: [],
  events: [], // the newest player and lobby events, newest first
  realityCheck: null, // the data of a reality.check waiting for the player
  jurisdiction: null, // GET /v1/limits' jurisdiction id
  spinIntervalMs: 0,
};
const listeners = new Set();
let realtime = null;
const eventHandlers = new Set();

function changed() {
  for (const fn of listeners) fn({ ...state });
}

export function useStore() {
  const [snapshot, setSnapshot] = useState({ ...state });
  useEffect(() => {
    listeners.add(setSnapshot);
    return () => listeners.delete(setSnapshot);
  }, []);
  return snapshot;
}

export function getState() {
  return state;
}

export function getRealtime() {
  return realtime;
}

/** fn(event) for each player/lobby event as it arrives (pages wait for their round's). */
export function onPlayerEvent(fn) {
  eventHandlers.add(fn);
  return () => eventHandlers.delete(fn);
}

function handleEvent(frame) {
  const data = frame.data || {};
  if (frame.type === "jackpot.tick") {
    state.jackpots = data.pools || [];
  } else {
    state.events = [frame, ...state.events].slice(0, 50);
    if (data.balance_after !== undefined && state.wallet) {
      state.wallet = { ...state.wallet, cash: data.balance_after };
    }
    if (frame.type === "reality.check") state.realityCheck = data;
  }
  for (const fn of eventHandlers) fn(frame);
  changed();
}

export async function refreshWallet() {
  state.wallet = await api("GET", "/v1/wallet");
  changed();
  return state.wallet;
}

/** After a login: the wallet, the pacing of the player's jurisdiction, the live connection. */
export async function startSession(token, { withdrawOnly = false } = {}) {
  setSessionToken(token);
  state.token = token;
  // A withdraw-only session (self-excluded, timed out) may read the wallet and withdraw;
  // the WebSocket refuses it, so none is opened.
  if (withdrawOnly) sessionStorage.setItem("croupier.withdraw-only", "1");
  else sessionStorage.removeItem("croupier.withdraw-only");
  try {
    await refreshWallet();
  } catch (error) {
    if (error.status === 401) return endSession();
    throw error;
  }
  try {
    const [limits, profiles] = await Promise.all([
      api("GET", "/v1/limits"),
      fetch("/app/data/jurisdictions.json").then((r) => r.json()),
    ]);
    state.jurisdiction = limits.jurisdiction;
    state.spinIntervalMs = profiles[limits.jurisdiction]?.spin_interval_ms_min ?? 0;
  } catch {
    state.spinIntervalMs = 0; // a withdraw-only session may not read its limits
  }
  realtime?.close();
  if (withdrawOnly) {
    state.connection = "withdraw-only";
    return changed();
  }
  realtime = new Realtime(token);
  realtime.onEvent(handleEvent);
  realtime.onState((connection) => {
    state.connection = connection;
    if (connection === "signed-out") endSession();
    changed();
  });
  changed();
}

export function endSession() {
  realtime?.close();
  realtime = null;
  setSessionToken(null);
  Object.assign(state, { token: null, wallet: null, connection: "offline", events: [] });
  state.realityCheck = null;
  changed();
}

export async function logout() {
  try {
    await api("DELETE", "/v1/sessions/current");
  } finally {
    endSession();
  }
}

export function realityCheckDone() {
  state.realityCheck = null;
  changed();
}

/** Jackpots are public: a signed-out visitor sees them from GET /v1/jackpots. */
export async function loadJackpots() {
  const answer = await api("GET", "/v1/jackpots");
  if (!state.jackpots.length) state.jackpots = answer.items;
  changed();
}
