// htm bound to Preact: every page writes its markup as html`…`.
import { h } from "preact";
import htm from "htm";

export const html = htm.bind(h);

/** True when the player asked for less motion (the reels then jump to their stops). */
export function reducedMotion() {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

/** A problem or error for the eye: its detail, with its code. */
export function describeError(error) {
  return error.code ? `${error.message} (${error.code})` : error.message;
}
