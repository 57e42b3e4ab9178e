// croupier-pf-1 (docs/fairness.md) in the browser with Web Crypto: the commitment check and
// the draws of a round, recomputed from the revealed server seed.

const encoder = new TextEncoder();

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Lowercase hex SHA-256 of the seed's ASCII bytes: what the commitment must equal. */
export async function sha256Hex(text) {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** The round's byte stream: HMAC-SHA256(server_seed, "client:nonce:i") for i = 0, 1, …,
 * read 4 bytes at a time; `uniform(n)` draws by rejection, as the spec says. */
export async function roundStream(serverSeed, clientSeed, nonce) {
  const key = await crypto.subtle.importKey(
    "raw", encoder.encode(serverSeed), { name: "HMAC", hash: "SHA-256" }, false, ["sign"],
  );
  let block = 0;
  let bytes = new Uint8Array(0);
  let at = 0;
  async function next4() {
    if (at + 4 > bytes.length) {
      const message = encoder.encode(`${clientSeed}:${nonce}:${block++}`);
      const more = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
      const joined = new Uint8Array(bytes.length - at + more.length);
      joined.set(bytes.subarray(at));
      joined.set(more, bytes.length - at);
      bytes = joined;
      at = 0;
    }
    const x = ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
    at += 4;
    return x;
  }
  return {
    async uniform(n) {
      const limit = 2 ** 32 - (2 ** 32 % n);
      for (;;) {
        const x = await next4();
        if (x < limit) return x % n;
      }
    },
  };
}

/** European roulette: the pocket. */
export async function roulettePocket(serverSeed, clientSeed, nonce) {
  const stream = await roundStream(serverSeed, clientSeed, nonce);
  return stream.uniform(37);
}

/** A slot's base spin: one stop per reel, and the window (rows top to bottom). */
export async function slotSpin(serverSeed, clientSeed, nonce, reels, rows) {
  const stream = await roundStream(serverSeed, clientSeed, nonce);
  const stops = [];
  for (const strip of reels) stops.push(await stream.uniform(strip.length));
  const window = [];
  for (let r = 0; r < rows; r++) {
    window.push(reels.map((strip, i) => strip[(stops[i] + r) % strip.length]));
  }
  return { stops, window };
}

/** A shoe of `decks` canonical decks, Fisher–Yates shuffled (cards are dealt from index 0). */
export async function shuffledShoe(serverSeed, clientSeed, nonce, decks) {
  const stream = await roundStream(serverSeed, clientSeed, nonce);
  const deck = [];
  for (let k = 0; k < decks; k++) {
    for (const rank of "23456789TJQKA") for (const suit of "cdhs") deck.push(rank + suit);
  }
  for (let i = deck.length - 1; i >= 1; i--) {
    const j = await stream.uniform(i + 1);
    [deck[i], deck[j]] = [deck[j], deck[i]];
  }
  return deck;
}
