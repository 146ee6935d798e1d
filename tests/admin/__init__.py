"""Tests of the administration domain: organisation admins and the platform admin."""
import html


def page_text(response) -> str:
    """The response body as a person reads it (HTML entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))
