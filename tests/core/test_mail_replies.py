import pytest

from intranet.mail import replies

from .. import factories

received = []


def _handler(user, target_id, text, message):
    received.append((user.id, target_id, text))


replies.register_handler("test-thread", _handler)


def test_a_reply_reaches_its_handler_as_its_sender_with_quotes_trimmed():
    received.clear()
    user = factories.make_user()
    address = replies.reply_address(user, "test-thread", 42)
    replies.handle(address, "D'accord pour jeudi.\n\nLe 3 mars 2026, Paul a écrit :\n> Jeudi ?\n")
    assert received == [(user.id, 42, "D'accord pour jeudi.")]


@pytest.mark.parametrize("address", ["reply+abc@territoires47.fr", "quelquun@exemple.fr",
                                     "reply+@territoires47.fr"])
def test_forged_or_foreign_addresses_are_refused(address):
    with pytest.raises(replies.ReplyRefused):
        replies.handle(address, "Bonjour")


def test_a_deactivated_person_cannot_reply_and_an_empty_reply_is_refused():
    user = factories.make_user()
    address = replies.reply_address(user, "test-thread", 1)
    with pytest.raises(replies.ReplyRefused, match="vide"):
        replies.handle(address, "> seulement la citation")
    gone = factories.make_user(active=False)
    with pytest.raises(replies.ReplyRefused, match="désactivé"):
        replies.handle(replies.reply_address(gone, "test-thread", 1), "Bonjour")


@pytest.mark.parametrize(("raw", "kept"), [
    ("Oui.\n-- \nMarie, mairie d'Agen", "Oui."),
    ("Oui.\n\nOn Tue, 3 Mar 2026 at 10:00, Paul <p@x.fr> wrote:\n> ?", "Oui."),
    ("Oui.\n-----Message d'origine-----\nDe : Paul", "Oui."),
    ("Oui.\nDe : Paul <p@x.fr>\nEnvoyé : mardi", "Oui."),
    ("Ligne 1\nLigne 2", "Ligne 1\nLigne 2"),
])
def test_quoted_text_and_signatures_are_trimmed(raw, kept):
    assert replies.strip_quoted(raw) == kept
