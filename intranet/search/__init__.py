"""Full-text search over everything a person may see (and nothing else).

Models opt in with ``@searchable("type")`` and a ``search_document()`` method. Changes are
queued in the same transaction as the change itself (``search_queue``) and applied to the index
by one writer (``flask search worker``, or ``flask worker``), in batches, never in a request.
Queries are filtered by permission inside the backend's query, and documents with a pending
change are left out until the writer has applied it, so a stale index never shows anything.
"""
