"""vCard 4.0 (RFC 6350), written by ``contacts/vcard.py`` and read back by vobject."""
import vobject

from intranet.accounts.models import PersonFunction, function_from_text
from intranet.contacts.vcard import Card, escape, render, render_all, tel_uri


def test_vcards_are_version_4_and_an_independent_library_reads_every_field():
    cards = [Card("Élodie Lâtre-Ünïcode", "Lâtre-Ünïcode", "Élodie",
                  organisations=["Mairie d'Agen; services, techniques"],
                  title="Secrétaire de mairie", emails=["elodie@agen.fr"],
                  phones=["05 53 69 40 00"], note="é" * 80),
             Card("Mairie de Boé", kind="org", address="1 place de la Mairie\n47550 Boé")]
    body = render_all(cards)
    parsed = list(vobject.readComponents(body))
    assert [c.version.value for c in parsed] == ["4.0", "4.0"]
    person, town_hall = parsed
    assert person.fn.value == "Élodie Lâtre-Ünïcode"
    assert (person.n.value.family, person.n.value.given) == ("Lâtre-Ünïcode", "Élodie")
    assert person.org.value == ["Mairie d'Agen; services, techniques"]
    assert person.title.value == "Secrétaire de mairie"
    assert person.email.value == "elodie@agen.fr"
    assert person.tel.value == "tel:+33-5-53-69-40-00"
    assert person.note.value == "é" * 80                     # folded, then unfolded
    assert town_hall.kind.value == "org"
    assert town_hall.adr.value.street == "1 place de la Mairie\n47550 Boé"


def test_lines_end_with_crlf_and_fold_at_75_octets_without_cutting_a_character():
    body = render(Card("Ô" * 100, "Ô" * 100, "É", note="€;,\\\n" * 30)).encode("utf-8")
    assert body.count(b"\r\n") == body.count(b"\n")
    lines = body.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")                                  # no character cut in two
    assert lines[:2] == [b"BEGIN:VCARD", b"VERSION:4.0"]


def test_text_values_escape_commas_semicolons_backslashes_and_line_breaks():
    assert escape("a,b;c\\d\r\ne") == "a\\,b\\;c\\\\d\\ne"
    assert tel_uri("+33 5 53 00 00 00") == "tel:+33553000000"


def test_free_text_functions_become_functions_of_the_list():
    assert function_from_text("Secrétaire de mairie") == (PersonFunction.SECRETARY, "")
    assert function_from_text("Maire-adjoint aux finances") == (PersonFunction.DEPUTY_MAYOR,
                                                                "aux finances")
    assert function_from_text("Délégué de l'association") == (PersonFunction.OTHER,
                                                              "Délégué de l'association")
    assert function_from_text("  ") == (None, "")
