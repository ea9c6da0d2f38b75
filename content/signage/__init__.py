"""What screens show and when: layouts, playlists, schedules, targeting, emergencies, the manifest
resolver and its timeline, why a screen shows what it shows, proof of play and the fleet's state."""
