"""Saved searches keep a listing's query string (``core.querystrings``)."""
from werkzeug.datastructures import MultiDict

from intranet.core import querystrings


def test_keep_takes_the_listed_keys_in_their_order_and_parse_reads_them_back():
    args = MultiDict([("q", "voirie"), ("page", "3"), ("theme", "eau"), ("theme", "sport"),
                      ("vide", "")])
    query = querystrings.keep(args, ("theme", "q", "vide"))
    assert query == "theme=eau&theme=sport&q=voirie"
    assert querystrings.parse(query).getlist("theme") == ["eau", "sport"]


def test_parse_cleans_what_the_query_string_decodes_to():
    assert querystrings.parse("q=a%00b%1Fc&x=%EF%BF%BF").to_dict() == {"q": "abc", "x": ""}
    assert querystrings.parse("").to_dict() == {}
