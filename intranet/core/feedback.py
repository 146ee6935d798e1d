"""What a view tells the person after asking a service for a change (Flask's flashed messages)."""
from __future__ import annotations

from flask import flash


def attempt(change, success: str, *refusals: type[Exception]) -> bool:
    """Run ``change()`` (a service call) for a view: a refusal (one of ``refusals``, whose
    message is French and meant for the person) is shown as an error and nothing was changed;
    otherwise ``success`` is shown. True when the change was made."""
    try:
        change()
    except refusals as exc:
        flash(str(exc), "error")
        return False
    flash(success, "success")
    return True
