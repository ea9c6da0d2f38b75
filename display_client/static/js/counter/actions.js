// The six actions of a counter, their keyboard shortcuts, and which of them apply to the current ticket.

export const ACTIONS = ["call", "recall", "start", "finish", "no-show", "transfer"];

// By physical key (KeyboardEvent.code), so the shortcuts work whatever the layout and with a
// Chinese input method switched on.
export const SHORTCUTS = {
  KeyN: "call",
  Space: "call",
  KeyR: "recall",
  KeyS: "start",
  KeyF: "finish",
  KeyX: "no-show",
  KeyT: "transfer",
};

/** Whether `action` can apply to the counter's current ticket (null when it has none); a paused counter calls nobody. */
export function allowed(action, ticket, paused = false) {
  const state = ticket ? ticket.state : null;
  switch (action) {
    case "call":
      return !paused; // calling next also closes whatever the counter had open
    case "recall":
    case "start":
    case "no-show":
      return state === "called";
    case "finish":
    case "transfer":
      return state === "called" || state === "serving";
    default:
      return false;
  }
}

/** The action a key press asks for, or null (modifier chords and typing in a field are not shortcuts). */
export function actionForKey(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  const target = event.target;
  if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) return null;
  return SHORTCUTS[event.code] || null;
}

/** Enable exactly the buttons that apply; none while an action is on its way. */
export function renderActions(toolbar, ticket, busy, paused = false) {
  toolbar.setAttribute("aria-busy", busy ? "true" : "false");
  for (const button of toolbar.querySelectorAll("[data-action]")) {
    button.disabled = busy || !allowed(button.dataset.action, ticket, paused);
  }
}
