"""SQLite rows (via sqlite-utils): the register and everything else the service remembers."""
