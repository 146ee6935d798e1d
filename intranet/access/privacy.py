"""Personal data: who downloads a person's data, who asks for and who decides an erasure.
Part of ``intranet.access``, which re-exports every name.

In words:
- a person downloads their own data, and nobody else's — not even the platform admin;
- a person asks for their own account to be erased (and withdraws their pending request);
- the platform admin sees the requests and confirms or refuses them, except their own, which
  another platform admin decides.
"""
from __future__ import annotations

from flask_login import current_user

from . import TEMPLATE_GLOBALS, _signed_in, is_platform_admin


def can_export_own_data(user) -> bool:
    return _signed_in(user)


def can_request_erasure(user) -> bool:
    return _signed_in(user)


def can_view_erasure_request(user, request) -> bool:
    return _signed_in(user) and (request.user_id == user.id or is_platform_admin(user))


def can_decide_erasure(user, request) -> bool:
    return is_platform_admin(user) and request.user_id != user.id


TEMPLATE_GLOBALS["can_decide_erasure"] = lambda request: can_decide_erasure(current_user._get_current_object(), request)
