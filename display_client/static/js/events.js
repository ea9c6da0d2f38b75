// Socket.IO namespace and event names, shared with kiosk_server/events.py (a test compares them).

export const SCREEN_NAMESPACE = "/screen";

export const HELLO = "hello";
export const WELCOME = "welcome";
export const MANIFEST = "manifest";
export const HEARTBEAT = "heartbeat";
