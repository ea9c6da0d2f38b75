"""The kiosk device agent: its configuration, its link to the server, the payloads it sends, and the
supervisor that runs the readers and forwards their events."""
