"""Shared helpers: audit log, uploads and their text, sanitising, CSV reading, French dates,
Atom feeds, reply-by-email addresses, publication states, links, extension hooks."""
