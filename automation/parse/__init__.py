"""Bytes to an Inbound message, its classification and the reply reader (parse/reading/)."""
