"""A tree's outline and its « move to » choices (core/outline.py), as the library's folders and
the org chart's units offer them."""
from intranet.core import outline

# (id, parent, name): two roots, a child, a grandchild; 9 is under a node that is not given
# (a binned folder), 7 and 8 are each other's parent (a corrupt cycle)
NODES = [(1, None, "Conseil"), (2, 1, "2026"), (3, 2, "Juin"), (4, None, "Archives"),
         (9, 5, "Sous un dossier jeté"), (7, 8, "A"), (8, 7, "B")]


def _outline():
    placed = outline.tree_order(NODES, lambda node: node[0], lambda node: node[1])
    return tuple((node[0], depth, node[2]) for node, depth in placed)


def test_tree_order_puts_parents_before_children_and_leaves_out_what_is_not_reachable():
    assert _outline() == ((1, 0, "Conseil"), (2, 1, "2026"), (3, 2, "Juin"),
                          (4, 0, "Archives"))


def test_choices_leave_out_a_node_and_everything_under_it():
    def label(depth, name):
        return "— " * depth + name
    assert outline.choices(_outline(), label) == {
        "1": "Conseil", "2": "— 2026", "3": "— — Juin", "4": "Archives"}
    assert outline.choices(_outline(), label, exclude=2) == {"1": "Conseil", "4": "Archives"}
    assert outline.choices(_outline(), label, exclude=1) == {"4": "Archives"}
