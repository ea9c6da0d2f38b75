"""Citizens at a kiosk: ID numbers, records backends (demo and HTTP) and what they tell about a person,
citizen sessions, 参保证明 certificates, kiosk agents' credentials and readers, keyed hashes."""
