// JSX-like templates from tagged strings: the pages run as the browser loads them, no build.
import { h } from "preact";
import htm from "htm";

export const html = htm.bind(h);
