"""Notifications: an in-app centre (unread count in the header) and email according to each
person's preference per kind — immediately, in one daily digest, or never."""
