// The single-zero layout as places to click: every number, and every line and corner between
// numbers, is a spot that names its bet (docs/roulette.md). Geometry in CSS pixels; the page
// positions each spot absolutely over the drawn table.

export const CELL_W = 54;
export const CELL_H = 50;
export const ZERO_W = 50;
const OUTSIDE_TOP = 3 * CELL_H + 8;
const OUTSIDE_H = 40;
export const TABLE_W = ZERO_W + 13 * CELL_W;
export const TABLE_H = OUTSIDE_TOP + 2 * OUTSIDE_H;

export const RED = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);

const colOf = (n) => Math.floor((n - 1) / 3);
const rowOf = (n) => 2 - ((n - 1) % 3); // row 0 is the top line: 3, 6, 9, …
const xOf = (n) => ZERO_W + colOf(n) * CELL_W;

function spot(type, numbers, label, cx, cy, w, h, kind = "line") {
  return { type, numbers, label, x: cx - w / 2, y: cy - h / 2, w, h, kind };
}

function box(type, numbers, label, x, y, w, h, kind) {
  return { type, numbers, label, x, y, w, h, kind };
}

/** Every bet spot of the table, numbers first (drawn below the line spots). */
export function layoutSpots() {
  const cells = [box("straight", [0], "Straight 0", 0, 0, ZERO_W, 3 * CELL_H, "number zero")];
  const lines = [];
  for (let n = 1; n <= 36; n++) {
    const x = xOf(n);
    const y = rowOf(n) * CELL_H;
    cells.push(box("straight", [n], `Straight ${n}`, x, y, CELL_W, CELL_H,
      "number " + (RED.has(n) ? "red" : "black")));
    if (n <= 33) lines.push(spot("split", [n, n + 3], `Split ${n} and ${n + 3}`, x + CELL_W, y + CELL_H / 2, 14, 24));
    if (n % 3 !== 0) {
      lines.push(spot("split", [n, n + 1], `Split ${n} and ${n + 1}`, x + CELL_W / 2, y, 24, 14));
      if (n <= 32) {
        lines.push(spot("corner", [n, n + 1, n + 3, n + 4], `Corner ${n}, ${n + 1}, ${n + 3}, ${n + 4}`, x + CELL_W, y, 14, 14));
      }
    }
    if (n % 3 === 1) {
      lines.push(spot("street", [n, n + 1, n + 2], `Street ${n}, ${n + 1}, ${n + 2}`, x + CELL_W / 2, 3 * CELL_H, 24, 14));
      if (n <= 31) {
        lines.push(spot("six_line", [n, n + 1, n + 2, n + 3, n + 4, n + 5], `Six line ${n} to ${n + 5}`, x + CELL_W, 3 * CELL_H, 14, 14));
      }
    }
  }
  for (const k of [1, 2, 3]) {
    lines.push(spot("split", [0, k], `Split 0 and ${k}`, ZERO_W, rowOf(k) * CELL_H + CELL_H / 2, 14, 24));
  }
  lines.push(spot("trio", [0, 1, 2], "Trio 0, 1, 2", ZERO_W, 2 * CELL_H, 14, 14));
  lines.push(spot("trio", [0, 2, 3], "Trio 0, 2, 3", ZERO_W, CELL_H, 14, 14));
  lines.push(spot("first_four", [0, 1, 2, 3], "First four 0, 1, 2, 3", ZERO_W, 3 * CELL_H, 14, 14));
  const outside = [];
  for (const k of [1, 2, 3]) {
    outside.push(box("column", [k], `Column ${k}`, ZERO_W + 12 * CELL_W, (3 - k) * CELL_H, CELL_W, CELL_H, "outside"));
    outside.push(box("dozen", [k], `Dozen ${k} (${12 * k - 11} to ${12 * k})`,
      ZERO_W + (k - 1) * 4 * CELL_W, OUTSIDE_TOP, 4 * CELL_W, OUTSIDE_H, "outside"));
  }
  const evens = [["low", "Low 1 to 18"], ["even", "Even"], ["red", "Red"], ["black", "Black"],
    ["odd", "Odd"], ["high", "High 19 to 36"]];
  evens.forEach(([type, label], i) => {
    outside.push(box(type, [], label, ZERO_W + i * 2 * CELL_W, OUTSIDE_TOP + OUTSIDE_H, 2 * CELL_W, OUTSIDE_H,
      "outside" + (type === "red" ? " red" : type === "black" ? " black" : "")));
  });
  return [...cells, ...outside, ...lines];
}

/** What a cell or box shows (line spots show nothing but a chip). */
export function caption(spot) {
  if (spot.type === "straight") return String(spot.numbers[0]);
  if (spot.type === "column") return "2 to 1";
  if (spot.type === "dozen") return ["1st 12", "2nd 12", "3rd 12"][spot.numbers[0] - 1];
  if (spot.kind.startsWith("outside")) return { low: "1–18", high: "19–36", red: "Red", black: "Black", even: "Even", odd: "Odd" }[spot.type];
  return "";
}

export function betKey(type, numbers) {
  return `${type}:${numbers.join(",")}`;
}
