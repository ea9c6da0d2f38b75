// What the citizen is told when a call fails, and where the page goes: never a spinner forever.

import { ApiError } from "./api.js";

/**
 * For a failed call: {name, kind, title, body} of the message, and `go`: "attract" (the session is
 * over), "back" (the item is gone), "home" (anything else), or null (nothing to say: cancelled).
 * `personal` says whether the call was a personal lookup (its outage is the records system's).
 */
export function failure(err, personal) {
  const error = err instanceof ApiError ? err : new ApiError(0, "network");
  if (error.code === "cancelled") return { go: null };
  if (error.status === 401) return { go: "attract" };
  if (error.code === "unknown_person") {
    return { go: "home", name: "unknown-person", kind: "warn", title: "error.unknown_person.title",
             body: "error.unknown_person.body" };
  }
  if (error.code === "not_found") {
    return { go: "back", name: "not-found", kind: "info", title: "error.not_found.title", body: "error.not_found.body" };
  }
  if (error.status === 0 || error.status >= 500) {
    const body = error.code === "timeout" ? "error.timeout.body" : personal ? "error.unavailable.body" : "error.public.body";
    return { go: "home", name: "unavailable", kind: "warn", title: "error.unavailable.title", body };
  }
  return { go: "home", name: "error", kind: "warn", title: "error.generic.title", body: "error.generic.body" };
}
