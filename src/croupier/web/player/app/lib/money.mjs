// Money on screen: always from integer minor units, in the player's currency and locale.
// The currency's exponent is Intl's (2 for EUR, 0 for JPY, 3 for KWD); amounts are turned
// into exact decimal strings, never floats, before Intl formats them.

const exponents = new Map();

/** Digits after the decimal point of `currency` (ISO 4217), as Intl knows them. */
export function exponent(currency) {
  if (!exponents.has(currency)) {
    const options = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions();
    exponents.set(currency, options.maximumFractionDigits);
  }
  return exponents.get(currency);
}

/** "1234" minor units of EUR → "12.34" (exact; a sign kept). */
export function toDecimal(minor, currency) {
  const digits = exponent(currency);
  const negative = minor < 0;
  const text = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, "0");
  const whole = digits ? text.slice(0, -digits) : text;
  const part = digits ? "." + text.slice(-digits) : "";
  return (negative ? "-" : "") + whole + part;
}

/** An amount for the eye: "€12.34" in en-GB, "12,34 €" in de-DE. */
export function formatMoney(minor, currency, locale = navigator.language) {
  if (minor === null || minor === undefined || !currency) return "—";
  const format = new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: exponent(currency),
    maximumFractionDigits: exponent(currency),
  });
  // Intl formats a decimal string exactly (no float in between).
  return format.format(toDecimal(minor, currency));
}

/** What the player typed ("10", "10.5", "10,50") → minor units, or null if it is not an amount. */
export function parseMoney(text, currency) {
  const digits = exponent(currency);
  const match = /^\s*(\d{1,12})(?:[.,](\d*))?\s*$/.exec(text ?? "");
  if (!match) return null;
  const fraction = match[2] ?? "";
  if (fraction.length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}
