"""Reading pages as a person would."""
import html


def text(response) -> str:
    """The page's markup with entities decoded (« n'est » rather than « n&#39;est »)."""
    return html.unescape(response.get_data(as_text=True))
