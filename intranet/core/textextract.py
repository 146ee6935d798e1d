"""Text of uploaded files, for full-text search: PDF (pypdf), and the XML inside OpenDocument
(ODT, ODS, ODP) and Office Open XML (DOCX, XLSX, PPTX) files, read with the standard library.
Never raises: a file it cannot read simply has no text."""
from __future__ import annotations

import io
import logging
import re
import zipfile
from xml.etree import ElementTree as ET

log = logging.getLogger(__name__)
MAX_CHARS = 200_000
MAX_PDF_PAGES = 200

_XML_PARTS = {
    "odt": ("content.xml",), "ods": ("content.xml",), "odp": ("content.xml",),
    "docx": ("word/document.xml",), "xlsx": ("xl/sharedStrings.xml",),
    "pptx": tuple(f"ppt/slides/slide{n}.xml" for n in range(1, 201)),
}


def extract(data: bytes, extension: str) -> str:
    try:
        if extension == "pdf":
            text = _pdf(data)
        elif extension in _XML_PARTS:
            text = _zipped_xml(data, _XML_PARTS[extension])
        elif extension in ("txt", "csv"):
            text = data.decode("utf-8", errors="replace")
        else:
            return ""
    except Exception as exc:  # a damaged or encrypted file: searchable by its name only
        log.info("no text extracted from a .%s file: %s", extension, exc)
        return ""
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()[:MAX_CHARS]


def _pdf(data: bytes) -> str:
    import logging as _logging

    from pypdf import PdfReader
    _logging.getLogger("pypdf").setLevel(_logging.ERROR)
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        return ""
    parts = []
    for page in reader.pages[:MAX_PDF_PAGES]:
        parts.append(page.extract_text() or "")
        if sum(len(p) for p in parts) > MAX_CHARS:
            break
    return "\n".join(parts)


def _zipped_xml(data: bytes, members: tuple[str, ...]) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        for member in members:
            if member not in names:
                continue
            info = archive.getinfo(member)
            if info.file_size > 20 * 1024 * 1024:  # a zip bomb is not a document
                continue
            root = ET.fromstring(archive.read(member))
            parts.append(" ".join(t.strip() for t in root.itertext() if t.strip()))
    return "\n".join(parts)
