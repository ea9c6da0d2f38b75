// Socket.IO namespace and event names, shared with kiosk_server/events.py (a test compares them).

export const SCREEN_NAMESPACE = "/screen";

export const HELLO = "hello";
export const WELCOME = "welcome";
export const MANIFEST = "manifest";
export const HEARTBEAT = "heartbeat";
// Proof of play, sent with an ack: what the screen showed (docs/protocol.md §9).
export const PLAYS = "plays";

// Citizen sessions on a kiosk screen (docs/protocol.md §7).
export const CITIZEN_SESSION = "citizen_session";
export const CITIZEN_SESSION_ENDED = "citizen_session_ended";
export const CITIZEN_SESSION_REFUSED = "citizen_session_refused";
// A reader saw a card but could not read it: ask the citizen to place it again.
export const CITIZEN_CARD_UNREADABLE = "citizen_card_unreadable";
// A card left a reader while no session of it was open: the kiosk stops asking to take it.
export const CITIZEN_CARD_REMOVED = "citizen_card_removed";

// The hall's queue board, pushed whole at every change and sent as the snapshot after hello.
export const QUEUE_BOARD = "queue_board";

// 好差评 evaluator tablets (docs/protocol.md, "Evaluators"): its state after hello; ask it now; send an answer (acks).
export const EVALUATOR_STATE = "evaluator_state";
export const EVALUATION_SYNC = "evaluation_sync";
export const EVALUATION_ANSWER = "evaluation_answer";

// Remote care (docs/protocol.md, "Remote care"): a command for this screen, and its answer (with an ack).
export const DEVICE_COMMAND = "device_command";
export const COMMAND_RESULT = "command_result";
// A wall's or counter's power schedule: its off-intervals (also in welcome.power), docs/protocol.md.
export const POWER_SCHEDULE = "power_schedule";
// "Play now" from the console: restart the rotation of the regions holding {item} from it (docs/protocol.md).
export const PLAY_NOW = "play_now";
