// Money arrives as integers of minor units: shown in the currency's exponent (EUR 2, JPY 0)
// by Intl.NumberFormat, from an exact decimal string (no float ever touches the amount).

const LOCALE = navigator.language || "en-GB";
const formats = new Map();

function formatter(currency) {
  if (!formats.has(currency)) {
    formats.set(currency, new Intl.NumberFormat(LOCALE, { style: "currency", currency }));
  }
  return formats.get(currency);
}

// The ISO 4217 exponent, as Intl knows it (what the reports also send as `exponent`).
export function exponentOf(currency) {
  return formatter(currency).resolvedOptions().maximumFractionDigits;
}

export function decimal(minor, exponent) {
  const negative = BigInt(minor) < 0n;
  const digits = (negative ? -BigInt(minor) : BigInt(minor)).toString().padStart(exponent + 1, "0");
  const whole = exponent ? digits.slice(0, -exponent) : digits;
  const fraction = exponent ? `.${digits.slice(-exponent)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

export function money(minor, currency, exponent) {
  if (minor === null || minor === undefined) return "—";
  if (!currency) return String(minor);
  const places = exponent ?? exponentOf(currency);
  return formatter(currency).format(decimal(minor, places));
}

// "150.00" typed in a form → 15000 minor units, exactly; null when it is not an amount.
export function toMinor(text, currency) {
  const places = exponentOf(currency);
  const match = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(text || "");
  if (!match || (match[2] || "").length > places) return null;
  const minor = BigInt(match[1] + (match[2] || "").padEnd(places, "0"));
  return minor > 0n && minor <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(minor) : null;
}
