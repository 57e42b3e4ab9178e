// A slot machine: the reels turn until the round's settlement arrives and stop at the drawn
// stops, never sooner than the jurisdiction's minimum game cycle (GB, Ontario 2.5 s; DE 5 s).
// With reduced motion the reels do not turn; the pacing is kept all the same.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../lib/api.mjs";
import { describeError, html, reducedMotion } from "../lib/html.mjs";
import { formatMoney } from "../lib/money.mjs";
import { playRound, settledEvent, stakeSteps } from "../lib/rounds.mjs";

const LABELS = { TEN: "10" };

function windowAt(reels, stops, rows) {
  return Array.from({ length: rows }, (_, r) =>
    reels.map((strip, i) => strip[(stops[i] + r) % strip.length]));
}

export function Slot({ param, store }) {
  const gameId = param || "lotus-20";
  const [game, setGame] = useState(null);
  const [strips, setStrips] = useState(null);
  const [stake, setStake] = useState(null);
  const [offsets, setOffsets] = useState(null);
  const [spinning, setSpinning] = useState(false);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const spinMark = useRef(null);
  const currency = store.wallet?.currency;

  useEffect(() => {
    Promise.all([api("GET", "/v1/games"), fetch(`/app/data/slots/${gameId}.json`).then((r) => r.json())])
      .then(([games, data]) => {
        const found = games.items.find((item) => item.id === gameId);
        setGame(found);
        setStrips(data);
        setOffsets(data.reels.map(() => 0));
        const limits = found?.limits.find((item) => item.currency === currency);
        setStake(limits?.stake_min_minor ?? null);
      })
      .catch((failure) => setError(describeError(failure)));
  }, [gameId, currency]);

  // The settled round is on screen: the spin's latency, click to here, in the browser.
  useEffect(() => {
    if (!result || !spinMark.current) return;
    performance.measure(`spin-settled:${result.round_id}`, spinMark.current);
    spinMark.current = null;
  }, [result]);

  async function spin() {
    const mark = `spin-click:${performance.now()}`;
    performance.mark(mark);
    spinMark.current = mark;
    setSpinning(true);
    setResult(null);
    setError(null);
    let timer = null;
    if (!reducedMotion()) {
      timer = setInterval(() => setOffsets((now) => now.map((o, i) => o + 1 + (i % 2))), 70);
    }
    try {
      const round = await playRound(gameId, { stake }, "spin");
      // The server took the spin before it answered: counting the game cycle from the
      // answer, the next spin (not before the cycle ends) is never early for its pacer.
      const cycleEnds = performance.now() + store.spinIntervalMs;
      const event = await settledEvent(round.round_id);
      // The answer and its event are in: what is left is the browser's rendering.
      performance.measure(`spin-answered:${round.round_id}`, mark);
      const wait = cycleEnds - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      clearInterval(timer);
      setOffsets(round.outcome.stops);
      setResult({ ...round, seq: event.seq, win: event.data.win, jackpotWin: event.data.jackpot_win });
    } catch (failure) {
      clearInterval(timer);
      spinMark.current = null;
      setError(describeError(failure));
    } finally {
      setSpinning(false);
    }
  }

  if (error && !strips) return html`<p role="alert" class="error">${error}</p>`;
  if (!strips || !game) return html`<p>Loading the game…</p>`;
  const limits = game.limits.find((item) => item.currency === currency);
  const rows = windowAt(strips.reels, offsets, strips.rows);
  return html`
    <section class="card">
      <h1>${game.name}</h1>
      <p class="hint">RTP ${game.rtp}${store.spinIntervalMs
        ? ` · at least ${store.spinIntervalMs / 1000} s per spin where you live` : ""}</p>
      <div class=${"reels" + (spinning ? " spinning" : "")} role="img" data-testid="reels"
        aria-label=${spinning ? "Reels spinning" : `Reels: ${rows.map((row) => row.join(" ")).join(" / ")}`}>
        ${rows.map((row) => html`<div class="reel-row">
          ${row.map((symbol) => html`<span class=${"symbol s-" + symbol}>${LABELS[symbol] ?? symbol}</span>`)}
        </div>`)}
      </div>
      ${!limits ? html`<p class="error">This game takes no stakes in ${currency}.</p>` : html`
      <div class="controls">
        <label>Stake <select value=${stake} onChange=${(e) => setStake(Number(e.target.value))}>
          ${stakeSteps(limits).map((value) => html`<option value=${value}>${formatMoney(value, currency)}</option>`)}
        </select></label>
        <button type="button" class="primary" onClick=${spin} disabled=${spinning}>Spin</button>
      </div>`}
      <p role="status" aria-live="polite" data-testid="slot-result"
        data-round=${result?.round_id ?? ""}>
        ${result && html`Round <code>${result.round_id}</code>${` settled (event #${result.seq}): `}${result.win > 0 ? `won ${formatMoney(result.win, currency)}` : "no win"}${result.jackpotWin ? ` · JACKPOT ${formatMoney(result.jackpotWin, currency)}` : ""}${" · "}<a href=${"#/verify/" + result.round_id}>verify</a>`}
      </p>
      ${error && html`<p role="alert" class="error">${error}</p>`}
    </section>`;
}
