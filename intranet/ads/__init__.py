"""Classified ads (« Petites annonces »): what an organisation or a member sells, gives, lends or
looks for — a used van, event tents, a desk. Published through the one publication life cycle
(``publications/publishing.py``), with its own rule: an ad expires (60 days by default) unless
renewed, by one click in the reminder mail or from « Mes annonces ». Photos are re-encoded
(``core/images.py``); people answer through the internal messaging, never by email address."""
