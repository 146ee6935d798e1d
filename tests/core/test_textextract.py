"""Text of attached files for search: PDF, OpenDocument and Office Open XML."""
import io
import zipfile

from intranet.core.textextract import extract

from ..search.test_search import _pdf_with_text


def _zip(member: str, xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, xml)
    return buffer.getvalue()


def test_pdf_text():
    assert "cimetiere communal" in extract(_pdf_with_text("Reglement du cimetiere communal"), "pdf")


def test_odt_and_docx_text():
    odt = _zip("content.xml", '<office:document-content xmlns:office="urn:o" xmlns:text="urn:t">'
                              "<text:p>Compte rendu du conseil</text:p></office:document-content>")
    docx = _zip("word/document.xml", '<w:document xmlns:w="urn:w"><w:body><w:p><w:r>'
                                     "<w:t>Budget primitif</w:t></w:r></w:p></w:body></w:document>")
    assert extract(odt, "odt") == "Compte rendu du conseil"
    assert extract(docx, "docx") == "Budget primitif"


def test_a_damaged_or_unknown_file_has_no_text_and_raises_nothing():
    assert extract(b"%PDF-1.4 garbage", "pdf") == ""
    assert extract(b"PK\x03\x04 not a zip", "docx") == ""
    assert extract(b"\x89PNG", "png") == ""
