"""Socket.IO namespace and event names, shared with display_client/static/js/events.js (a test compares them)."""

from typing import Final

SCREEN_NAMESPACE: Final = "/screen"

HELLO: Final = "hello"
WELCOME: Final = "welcome"
MANIFEST: Final = "manifest"
HEARTBEAT: Final = "heartbeat"
# Client → server with an ack: proof of play, what the screen showed (docs/protocol.md §9).
PLAYS: Final = "plays"

# Server → kiosk screen (/screen, room screen:<id>): citizen sessions (docs/protocol.md §7).
CITIZEN_SESSION: Final = "citizen_session"
CITIZEN_SESSION_ENDED: Final = "citizen_session_ended"
CITIZEN_SESSION_REFUSED: Final = "citizen_session_refused"
# A reader saw a card but could not read it: the kiosk page asks the citizen to place it again.
CITIZEN_CARD_UNREADABLE: Final = "citizen_card_unreadable"
# A card left a reader while no session of it was open (it ended by timeout or 结束): 请取走证件 is over.
CITIZEN_CARD_REMOVED: Final = "citizen_card_removed"

# Server → every screen of a hall (/screen, room hall:<id>): the hall's queue board (docs/queue.md §3).
QUEUE_BOARD: Final = "queue_board"

# 好差评 evaluator tablets (/screen; kiosk_server/evaluator_desk.py, docs/protocol.md "Evaluators"): the
# state after hello (server → evaluator), and with an ack: ask the state now, send an answer.
EVALUATOR_STATE: Final = "evaluator_state"
EVALUATION_SYNC: Final = "evaluation_sync"
EVALUATION_ANSWER: Final = "evaluation_answer"

# The kiosk device agent (devices/agent/supervisor.py) → server; every event asks for an ack.
AGENT_NAMESPACE: Final = "/agent"

AGENT_HELLO: Final = "agent_hello"
READER_STATUS: Final = "reader_status"
CARD_READ: Final = "card_read"
CARD_REMOVED: Final = "card_removed"
CARD_UNREADABLE: Final = "card_unreadable"
PRINTER_STATUS: Final = "printer_status"  # a slip or A4 printer's state (docs/protocol.md, "Printers")

# Remote care (docs/protocol.md, "Remote care"): server → player (/screen, room screen:<id>) or agent
# (/agent, room agent:<id>), and the executor's answer back, acknowledged by the server.
DEVICE_COMMAND: Final = "device_command"
COMMAND_RESULT: Final = "command_result"
# Server → agent (/agent, room agent:<id>): the panel's power schedule, also in the agent_hello answer;
# and server → a wall's or counter's player (/screen, room screen:<id>): its off-intervals, also in welcome.
POWER_SCHEDULE: Final = "power_schedule"
# Server → a group's players (/screen, room group:<key>): show an item at once (docs/protocol.md).
PLAY_NOW: Final = "play_now"


def group_room(group: str) -> str:
    return f"group:{group}"


def screen_room(screen_id: int) -> str:
    return f"screen:{screen_id}"


def hall_room(hall_id: int) -> str:
    return f"hall:{hall_id}"


def agent_room(screen_id: int) -> str:
    return f"agent:{screen_id}"
