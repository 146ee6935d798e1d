"""Organisation A's outside contact for the route matrix (tests/test_access_matrix.py): its
name, notes and file exports carry ``CONTENT`` and only A's members may read them. A person's
directory details are not private content (the network reads them unless hidden), so A's
people add nothing here; the directory routes are walked with ``epci`` and ``fonction``."""
from intranet.contacts import services


def build(world):
    contact = services.save_outside_contact(
        None, organisation=world["org_a"], by=world["a_admin"], space=None,
        values={"name": f"Architecte {world['CONTENT']}", "notes": world["CONTENT"],
                "email": "architecte@exemple.fr"})
    world["insider_urls"].append(f"/annuaire/contacts-exterieurs/{contact.id}")
    return {("contacts", "contact_id"): [contact.id],
            ("contacts", "slug"): [world["org_a"].slug],
            ("contacts", "user_id"): [world["a_member"].id]}
