"""Organisation A's org chart for the route matrix (tests/test_access_matrix.py).

An org chart is never private to A: it is shown to the whole network (or to everybody when A
makes it public), so no ``CONTENT`` goes in it. What the matrix checks here is that the edit
routes, walked as B's people and anonymously, never fail and never change A's chart (B's
admin gets 403; the platform admin manages every organisation and may change it)."""
from intranet.core.types import Role
from intranet.publications.orgcharts import services
from intranet.publications.orgcharts.models import UnitKind

from ... import factories


def build(world):
    org, admin = world["org_a"], world["a_admin"]
    holder = factories.make_user(org, Role.MEMBER, last_name="Titulaire")
    top = services.create_unit(org, name="Direction générale des services",
                               kind=UnitKind.DIRECTION, by=admin)
    child = services.create_unit(org, name="Service des finances", parent_id=top.id, by=admin)
    position = services.create_position(child, title="Responsable des finances",
                                        user_id=holder.id, is_head=True, by=admin)
    return {
        ("orgcharts", "slug"): [org.slug],
        ("orgcharts", "unit_id"): [top.id, child.id],
        ("orgcharts", "position_id"): [position.id],
    }
