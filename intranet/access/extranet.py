"""Where a request comes from, and who must prove more than a password. Part of
``intranet.access``, which re-exports every name.

In words:
- the client's address is the connection's; behind reverse proxies, ``PROXY_FIX_X_FOR`` says
  how many of them to believe, and Werkzeug's ``ProxyFix`` (installed by ``create_app``) takes
  the address from that many entries of ``X-Forwarded-For`` — a header sent by anyone else is
  ignored;
- ``TRUSTED_NETWORKS`` (IPv4 and IPv6 CIDR blocks) is the intranet: from there, a password is
  enough for most people;
- a second factor is asked outside those networks, and everywhere of an organisation's admins
  and of the platform admins (OWASP ASVS 5.0 asks it of privileged accounts).
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from flask import current_app, has_request_context, request
from flask_login import current_user

from ..core.types import Role
from . import TEMPLATE_GLOBALS, _signed_in


@lru_cache(maxsize=8)
def _networks(blocks: tuple[str, ...]):
    return tuple(ipaddress.ip_network(block.strip(), strict=False) for block in blocks
                 if block.strip())


def client_address() -> str | None:
    """The client's address, as ``create_app``'s proxy settings establish it."""
    return request.remote_addr if has_request_context() else None


def is_trusted_address(address: str | None) -> bool:
    """``address`` lies in one of ``TRUSTED_NETWORKS`` (an IPv4 address written as IPv6,
    ``::ffff:10.0.0.1``, counts as the IPv4 one)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net
               for net in _networks(tuple(current_app.config["TRUSTED_NETWORKS"])))


def from_trusted_network() -> bool:
    """The current request comes from the intranet."""
    return is_trusted_address(client_address())


def is_privileged(user) -> bool:
    """A platform admin or an admin of some organisation: a second factor everywhere."""
    return _signed_in(user) and (user.is_platform_admin
                                 or any(m.role == Role.ADMIN for m in user.memberships))


def needs_second_factor(user) -> bool:
    """Whether ``user``, who has just proved who they are with one factor, must add a second
    before the session opens: outside the trusted networks, and everywhere for admins."""
    return is_privileged(user) or not from_trusted_network()


def can_reset_second_factor(user, person) -> bool:
    """Remove ``person``'s second factors (they enrol again at their next sign-in): the
    platform admins, and the admins of one of ``person``'s organisations — except for a
    platform admin, whom only another platform admin resets."""
    if not _signed_in(user):
        return False
    if user.is_platform_admin:
        return True
    if person.is_platform_admin:
        return False
    administered = {m.organisation_id for m in user.memberships if m.role == Role.ADMIN}
    return any(m.organisation_id in administered for m in person.memberships)


TEMPLATE_GLOBALS.update({
    "from_trusted_network": from_trusted_network,
    "can_reset_second_factor": lambda person: can_reset_second_factor(current_user._get_current_object(), person),
})
