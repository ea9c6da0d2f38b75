"""The Socket.IO session id of the event being handled.

Flask-SocketIO sets ``request.sid`` on Flask's request for each connect, event and disconnect it
dispatches. Flask's ``Request`` type does not declare that attribute, so this is the one place that
reads it, and the one place that tells the type checker so.
"""

from __future__ import annotations

from flask import request


def current_sid() -> str:
    """The ``sid`` of the Socket.IO client whose connect, event or disconnect is being handled."""
    # Flask-SocketIO adds the attribute at run time; Flask's types cannot know it.
    sid: str = request.sid  # type: ignore[attr-defined]
    return sid
