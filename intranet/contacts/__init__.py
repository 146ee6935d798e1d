"""The directory (« Annuaire »): the network's people with their functions and the details each
chooses to show, the organisations' directory facts, and the outside contacts an organisation
keeps (a contractor, an architect, a school), private to it or shared with one space; searched,
filtered, written to, exported as vCard 4.0 and CSV, and imported from CSV."""
