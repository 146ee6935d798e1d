"""The application class (core/reconnect.py): Flask's own behaviour, asked less often."""
from __future__ import annotations

import flask.app

from intranet.core import reconnect


def test_whether_a_hook_is_a_coroutine_is_asked_once(app, client, monkeypatch):
    asked = []
    real = flask.app.iscoroutinefunction

    def counting(func):
        asked.append(func)
        return real(func)
    monkeypatch.setattr(flask.app, "iscoroutinefunction", counting)
    app._sync_functions.clear()   # as in a new process
    assert client.get("/mentions-legales").status_code == 200
    first = len(asked)
    assert client.get("/mentions-legales").status_code == 200
    assert first > 5 and len(asked) == first   # the second request asks nothing


def test_a_plain_function_is_given_back_and_the_memory_is_bounded(app, monkeypatch):
    monkeypatch.setattr(reconnect, "SYNC_FUNCTIONS_MAX", 3)
    app._sync_functions.clear()
    functions = [lambda n=n: n for n in range(5)]
    assert [app.ensure_sync(f) for f in functions] == functions
    assert len(app._sync_functions) == 3
    assert app.ensure_sync(functions[4])() == 4
