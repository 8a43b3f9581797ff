"""Where mail comes from: IMAP (IDLE, password or OAuth2), or the embedded Maildir."""
