// The kiosk HTTP API (docs/kiosk.md §2): every call names the kiosk, personal calls carry the token.
//
// Every call gives up after TIMEOUT_MS (AbortController), so the page never waits forever on a slow
// records backend; failures become an ApiError whose `code` the page turns into words.

export const TIMEOUT_MS = 8000;
export const BASE = "/kiosk/api";

/** A failed call: `status` is 0 when no answer came (`code` "timeout", "network" or "cancelled"). */
export class ApiError extends Error {
  constructor(status, code, message = "") {
    super(message || code);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value === null || value === undefined || value === "") continue;
    search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export class KioskApi {
  constructor({ screenKey, fetchImpl = null, timeoutMs = TIMEOUT_MS }) {
    this.screenKey = screenKey;
    this.fetchImpl = fetchImpl || ((...args) => window.fetch(...args));
    this.timeoutMs = timeoutMs;
  }

  /** GET `path` (below /kiosk/api) with `params`; `token` for personal calls; `signal` cancels. */
  get(path, { params = null, token = null, signal = null } = {}) {
    return this.call("GET", path + query(params), { token, signal });
  }

  /** POST `path`; `body` (when given) is sent as JSON. */
  post(path, { token = null, signal = null, body = null } = {}) {
    return this.call("POST", path, { token, signal, body });
  }

  async call(method, path, { token, signal, body: payload = null }) {
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.timeoutMs);
    const cancel = () => abort.abort();
    if (signal) {
      if (signal.aborted) abort.abort();
      else signal.addEventListener("abort", cancel, { once: true });
    }
    const headers = { Accept: "application/json", "X-Screen-Key": this.screenKey };
    if (token) headers["X-Citizen-Session"] = token;
    if (payload !== null) headers["Content-Type"] = "application/json";
    try {
      let response;
      try {
        response = await this.fetchImpl(BASE + path, {
          method,
          headers,
          cache: "no-store",
          credentials: "same-origin",
          signal: abort.signal,
          ...(payload !== null ? { body: JSON.stringify(payload) } : {}),
        });
      } catch {
        throw this.failure(timedOut, signal);
      }
      if (response.status === 204) return null;
      let body = null;
      try {
        body = await response.json();
      } catch {
        if (abort.signal.aborted) throw this.failure(timedOut, signal);
        body = null;
      }
      if (!response.ok) {
        const code = body && typeof body.error === "string" ? body.error : `http_${response.status}`;
        throw new ApiError(response.status, code, body && typeof body.message === "string" ? body.message : "");
      }
      return body;
    } finally {
      clearTimeout(timer);
      if (signal) signal.removeEventListener("abort", cancel);
    }
  }

  failure(timedOut, signal) {
    if (timedOut) return new ApiError(0, "timeout");
    if (signal && signal.aborted) return new ApiError(0, "cancelled");
    return new ApiError(0, "network");
  }
}
