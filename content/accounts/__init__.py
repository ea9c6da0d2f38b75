"""Staff accounts, roles and what they may do where, the audit log and in-app notifications."""
