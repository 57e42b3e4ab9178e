// "Verify this round": the revealed server seed is hashed and checked against the commitment
// shown before play, and the round's draws are recomputed here with Web Crypto
// (croupier-pf-1, docs/fairness.md), then compared with what the server recorded.
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api.mjs";
import { describeError, html } from "../lib/html.mjs";
import { roulettePocket, sha256Hex, slotSpin } from "../lib/fairness.mjs";

async function recompute(round) {
  const { server_seed: seed, client_seed: client, nonce, server_seed_hash: commitment } = round.fairness;
  const hash = await sha256Hex(seed);
  const checks = [{ what: "SHA-256 of the revealed server seed", expected: commitment, got: hash }];
  if (round.game_id === "european-roulette") {
    const pocket = await roulettePocket(seed, client, nonce);
    checks.push({ what: "Pocket", expected: String(round.outcome.pocket), got: String(pocket) });
  } else if (round.outcome?.stops) {
    const strips = await fetch(`/app/data/slots/${round.game_id}.json`).then((r) => r.json());
    const spin = await slotSpin(seed, client, nonce, strips.reels, strips.rows);
    checks.push({ what: "Reel stops", expected: round.outcome.stops.join(" "), got: spin.stops.join(" ") });
    checks.push({
      what: "Symbols shown",
      expected: round.outcome.window.map((row) => row.join(" ")).join(" / "),
      got: spin.window.map((row) => row.join(" ")).join(" / "),
    });
  }
  return checks;
}

export function Verify({ param }) {
  const [round, setRound] = useState(null);
  const [checks, setChecks] = useState(null);
  const [error, setError] = useState(null);

  async function load() {
    try {
      const found = await api("GET", `/v1/rounds/${param}`);
      setRound(found);
      if (found.fairness.server_seed) setChecks(await recompute(found));
    } catch (failure) {
      setError(describeError(failure));
    }
  }
  useEffect(() => { load(); }, [param]);

  async function reveal() {
    try {
      await api("POST", "/v1/fairness/rotate");
      await load();
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  if (error) return html`<p role="alert" class="error">${error}</p>`;
  if (!round) return html`<p>Loading the round…</p>`;
  const matches = checks && checks.every((check) => check.expected === check.got);
  return html`
    <section class="card">
      <h1>Verify round <code>${round.round_id}</code></h1>
      <dl class="figures">
        <dt>Game</dt><dd>${round.game_id}</dd>
        <dt>Commitment (server seed hash)</dt><dd><code>${round.fairness.server_seed_hash}</code></dd>
        <dt>Client seed</dt><dd><code>${round.fairness.client_seed}</code></dd>
        <dt>Nonce</dt><dd>${round.fairness.nonce}</dd>
        <dt>Server seed</dt><dd><code>${round.fairness.server_seed ?? "not revealed yet"}</code></dd>
      </dl>
      ${!round.fairness.server_seed && html`
        <p>The server seed is revealed when you rotate your seed pair: your next rounds use a
          new one, committed to now.</p>
        <button type="button" onClick=${reveal}>Reveal the seed (rotate my seed pair)</button>`}
      ${checks && html`
        <table data-testid="verify-checks">
          <thead><tr><th>Check</th><th>Recorded</th><th>Recomputed in this browser</th><th></th></tr></thead>
          <tbody>${checks.map((check) => html`<tr>
            <td>${check.what}</td><td><code>${check.expected}</code></td><td><code>${check.got}</code></td>
            <td>${check.expected === check.got ? "✓ match" : "✗ differs"}</td></tr>`)}</tbody>
        </table>
        <p role="status" class=${matches ? "verdict ok" : "verdict bad"} data-testid="verdict">
          ${matches ? "Verified: this round is exactly what your seeds produce."
                    : "Mismatch: this round does not follow from the seeds."}</p>`}
    </section>`;
}
