"""The WSGI entry for gunicorn (``gunicorn -k gevent -w 1 kiosk_server.wsgi:app``).

This module exists to be imported by a server process, so it builds the app and starts the
publisher and heartbeat flusher on import; nothing else imports it.
"""

from kiosk_server.app import create_app
from kiosk_server.garbage_collection import freeze_startup_objects
from kiosk_server.settings_access import runtime

app = create_app()
freeze_startup_objects()
runtime(app).start()
