"""Extension points between domains, so that a domain shows its part of a shared page
without the page's domain importing it.

- ``register_organisation_section(template)``: a partial template included on every
  organisation's page (receives ``org``); it gets its data from template globals that its own
  blueprint registers with ``@bp.app_template_global()``, filtered through ``access``.
"""
ORGANISATION_SECTIONS: list[str] = []


def register_organisation_section(template: str) -> None:
    if template not in ORGANISATION_SECTIONS:
        ORGANISATION_SECTIONS.append(template)
