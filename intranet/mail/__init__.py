"""Outgoing mail: services write to the outbox table; `flask mail worker` sends."""
