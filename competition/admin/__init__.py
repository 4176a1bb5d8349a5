"""Running the platform without a terminal: organisations, organiser accounts and their
invite links, the audit trail, and the settings an administrator changes in the app."""
