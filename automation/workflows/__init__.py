"""Pure decisions: the facts and a message in, a Decision (mails, rows, attention items) out."""
