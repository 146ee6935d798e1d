"""What a view tells the person after asking a service for a change (Flask's flashed messages)."""
from __future__ import annotations

from flask import flash


def attempt(change, success, *refusals: type[Exception]) -> bool:
    """Run ``change()`` (a service call) for a view: a refusal (one of ``refusals``, whose
    message is French and meant for the person) is shown as an error and nothing was changed;
    otherwise ``success`` is shown: a message, or a function of what ``change()`` returned.
    True when the change was made."""
    try:
        result = change()
    except refusals as exc:
        flash(str(exc), "error")
        return False
    flash(success(result) if callable(success) else success, "success")
    return True


def attempt_in_form(field, change, success, *refusals: type[Exception]) -> tuple[bool, object]:
    """``attempt`` for a form shown again when refused: a refusal's message goes under ``field``
    (next to what the person typed, which the form keeps) instead of the page's top. ``success``
    is the message, or a function of what ``change()`` returned. Return (made, what it
    returned)."""
    try:
        result = change()
    except refusals as exc:
        field.errors.append(str(exc))
        return False, None
    flash(success(result) if callable(success) else success, "success")
    return True, result
