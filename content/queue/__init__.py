"""Queue calling (排队叫号): service lines, counters, tickets and their events, calling, the hall's
boards, wait estimates, ingest from a hall's own queuing system and statistics."""
