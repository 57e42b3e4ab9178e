// Playing a round: over the WebSocket when it is live (the answer and the events share the
// connection), over HTTP otherwise. Either way the round's `round.settled` event on the
// player stream is what the pages show: settledEvent() waits for it.
import { api, newKey } from "./api.mjs";
import { getRealtime, onPlayerEvent } from "./store.mjs";

const settled = new Map(); // round_id → round.settled event, the newest few
onPlayerEvent((event) => {
  if (event.type !== "round.settled") return;
  settled.set(event.data.round_id, event);
  if (settled.size > 200) settled.delete(settled.keys().next().value);
  for (const waiter of waiters) waiter(event);
});
const waiters = new Set();

/** Start a round of `gameId` with `body` ({stake} or {bets}); resolves with the round. */
export async function playRound(gameId, body, prefix = "round") {
  const key = newKey(prefix);
  const realtime = getRealtime();
  if (realtime?.state === "live") {
    try {
      const answer = await realtime.request({ type: "round.start", request_id: key, game_id: gameId, ...body });
      return answer.data;
    } catch (error) {
      if (error.message !== "connection lost") throw error;
      // The connection dropped mid-request: the same key over HTTP plays it at most once.
    }
  }
  return api("POST", `/v1/games/${gameId}/rounds`, { body, key });
}

/** The `round.settled` event of `roundId`: already here, or when it arrives. */
export function settledEvent(roundId) {
  if (settled.has(roundId)) return Promise.resolve(settled.get(roundId));
  return new Promise((resolve) => {
    const waiter = (event) => {
      if (event.data.round_id !== roundId) return;
      waiters.delete(waiter);
      resolve(event);
    };
    waiters.add(waiter);
  });
}

/** Stake choices between a game's limits in the player's currency. */
export function stakeSteps(limits) {
  if (!limits) return [];
  const steps = [];
  for (const factor of [1, 2, 5, 10, 20, 50, 100, 200, 500]) {
    const stake = limits.stake_min_minor * factor;
    if (stake <= limits.stake_max_minor) steps.push(stake);
  }
  return steps;
}
