// The HTTP API (docs/api.md), same origin. Errors are RFC 9457 problems, thrown as ApiError.

let token = sessionStorage.getItem("croupier.token");

export function sessionToken() {
  return token;
}

export function setSessionToken(value) {
  token = value;
  if (value) sessionStorage.setItem("croupier.token", value);
  else sessionStorage.removeItem("croupier.token");
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = (problem.type || "").split("/").pop() || "http-error";
    this.problem = problem;
  }
}

/** A fresh Idempotency-Key: 8–64 of A–Z a–z 0–9 . _ : - */
export function newKey(prefix = "web") {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + "-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** fetch the API: JSON in and out; `key` sends an Idempotency-Key. */
export async function api(method, path, { body, key } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  if (key) headers["Idempotency-Key"] = key;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
