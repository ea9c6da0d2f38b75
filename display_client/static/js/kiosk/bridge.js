// How the wall player hands a kiosk page's socket traffic to the touch UI: DOM events on the player root.
//
// The wall player owns the one /screen socket. On a kiosk page it re-dispatches the welcome, the
// citizen-session events and the link status on its root element; the touch UI (app.js) listens.
// Neither side imports the other, so a wall never loads the kiosk code.

export const SOCKET_EVENT = "kiosk:socket";
export const STATUS_EVENT = "kiosk:status";

/** Dispatch `type` with `detail` on `root` (the #wall element). */
export function forward(root, type, detail) {
  root.dispatchEvent(new CustomEvent(type, { detail }));
}
