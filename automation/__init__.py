"""The network secretariat: mail in, register in SQLite, mail and calendar invitations out."""
