// The counter page's JSON calls (/counter/api/<counter_id>/…), each with the session's CSRF token.
//
// Every call gives up after TIMEOUT_MS, so a stalled server never leaves the page waiting; failures
// become a CounterApiError carrying the server's message in both languages.

export const TIMEOUT_MS = 8000;

/** A failed call: `status` 0 when no answer came (`code` "timeout" or "network"). */
export class CounterApiError extends Error {
  constructor(status, code, message = "", messageEn = "") {
    super(message || code);
    this.name = "CounterApiError";
    this.status = status;
    this.code = code;
    this.messageZh = message;
    this.messageEn = messageEn;
  }

  /** The server's message in `lang`, or "" when it sent none. */
  text(lang) {
    return (lang === "en" ? this.messageEn : this.messageZh) || this.messageZh || "";
  }
}

export class CounterApi {
  constructor({ base, csrf, fetchImpl = null, timeoutMs = TIMEOUT_MS }) {
    this.base = base;
    this.csrf = csrf;
    this.fetchImpl = fetchImpl || ((...args) => window.fetch(...args));
    this.timeoutMs = timeoutMs;
  }

  state() {
    return this.call("GET", "/state");
  }

  /** call, recall, start, finish or no-show. */
  act(action) {
    return this.call("POST", `/${action}`);
  }

  /** 暂停服务: `reason` one of break, training, system, other (with `other`, its text). */
  pause(reason, other = "") {
    return this.call("POST", "/pause", { reason, other });
  }

  resume() {
    return this.call("POST", "/resume");
  }

  /** `to` is {service_type_id} or {counter_id}. */
  transfer(to) {
    return this.call("POST", "/transfer", to);
  }

  async call(method, path, body = undefined) {
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.timeoutMs);
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = this.csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      let response;
      try {
        response = await this.fetchImpl(this.base + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          cache: "no-store",
          credentials: "same-origin",
          signal: abort.signal,
        });
      } catch {
        throw new CounterApiError(0, timedOut ? "timeout" : "network");
      }
      let answer = null;
      try {
        answer = await response.json();
      } catch {
        if (timedOut) throw new CounterApiError(0, "timeout");
      }
      if (!response.ok) {
        const code = answer && typeof answer.error === "string" ? answer.error : `http_${response.status}`;
        throw new CounterApiError(response.status, code, answer?.message || "", answer?.message_en || "");
      }
      return answer;
    } finally {
      clearTimeout(timer);
    }
  }
}
