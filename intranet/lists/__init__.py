"""Mailing lists (listes de diffusion): see services.py; the listener is listener.py."""
