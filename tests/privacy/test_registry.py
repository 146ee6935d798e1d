"""The registry of personal data declares every column that refers to a person: a new model
with a foreign key to ``user_account`` fails here until its export and erasure are decided."""
from intranet.extensions import db
from intranet.privacy import registry


def _person_columns() -> set[tuple[str, str]]:
    return {(table.name, fk.parent.name) for table in db.metadata.sorted_tables
            for fk in table.foreign_keys if fk.column.table.name == "user_account"}


def test_every_column_that_refers_to_a_person_is_declared():
    declared = {(h.table, h.column) for h in registry.HOLDINGS}
    missing = _person_columns() - declared
    assert not missing, ("declare in intranet/privacy/registry.py what the export and the "
                         f"erasure do with: {sorted(missing)}")
    assert not declared - _person_columns(), "declared columns that do not exist"


def test_each_declaration_is_complete():
    tables = db.metadata.tables
    sections = [h.section for h in registry.HOLDINGS if h.section]
    assert len(sections) == len(set(sections)), "two holdings write the same file"
    for holding in registry.HOLDINGS:
        assert holding.section or holding.why, f"{holding}: say why it is not exported"
        assert holding.erase in (registry.KEEP, registry.DELETE, registry.UNLINK) \
            or callable(holding.erase)
        for name in holding.columns or ():
            assert name in tables[holding.table].c, f"{holding.table}.{name}"
    for table, columns in registry.TEXT_COPIES:
        for name in columns:
            assert name in tables[table].c, f"{table}.{name}"
    for table, name, *_ in registry.ADDRESS_COPIES:
        assert name in tables[table].c, f"{table}.{name}"
