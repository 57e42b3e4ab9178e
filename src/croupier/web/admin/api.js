// The admin API, /admin/v1, from the page: a bearer token kept for this tab only
// (sessionStorage: closing the tab ends it here; logout revokes it on the server).

const TOKEN = "croupier.admin.token";

export class ApiError extends Error {
  // A refusal as the API says it (RFC 9457 problem+json): status, code and the detail.
  constructor(status, problem) {
    const code = (problem.type || "").split("/").pop() || `http-${status}`;
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.title = problem.title || "";
    this.errors = problem.errors || [];
  }
}

export const session = {
  token: () => sessionStorage.getItem(TOKEN),
  set: (token) => sessionStorage.setItem(TOKEN, token),
  clear: () => sessionStorage.removeItem(TOKEN),
};

let onExpired = () => {};
// Called when the API says the session is gone (401 on anything but the login itself).
export function whenExpired(callback) {
  onExpired = callback;
}

export async function api(path, { method = "GET", body, key, query } = {}) {
  const headers = { accept: "application/json" };
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  if (key) headers["idempotency-key"] = key;
  let url = `/admin/v1${path}`;
  if (query) {
    const kept = Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== "");
    if (kept.length) url += `?${new URLSearchParams(kept)}`;
  }
  let answer;
  try {
    answer = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (failure) {
    throw new ApiError(0, { title: "Network error", detail: `the server did not answer (${failure.message})` });
  }
  if (answer.status === 204) return null;
  const text = await answer.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text.slice(0, 200) };
  }
  if (!answer.ok) {
    if (answer.status === 401 && path !== "/login") onExpired();
    throw new ApiError(answer.status, data || {});
  }
  return data;
}

// An Idempotency-Key for one operation: kept by the form until it succeeds, so a retry
// after a lost answer replays it instead of doing it twice.
export function newKey(prefix) {
  return `${prefix}-${crypto.randomUUID()}`;
}

// A CSV report saved as a file: fetched with the token (a plain link could not send it),
// then handed to the browser as a download under the name the server gives.
export async function download(path, query) {
  const url = `/admin/v1${path}?${new URLSearchParams({ ...query, format: "csv" })}`;
  const answer = await fetch(url, { headers: { authorization: `Bearer ${session.token()}` } });
  if (!answer.ok) throw new ApiError(answer.status, await answer.json().catch(() => ({})));
  const named = /filename="([^"]+)"/.exec(answer.headers.get("content-disposition") || "");
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await answer.blob());
  link.download = named ? named[1] : "croupier-report.csv";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
