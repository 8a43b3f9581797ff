"""Sending mail: SMTP with password or OAuth2, and the Maildir the embedded default writes to."""
