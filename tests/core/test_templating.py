"""The templates' environment (core/templating.py): globals compared quickly, seen as before."""
from collections import ChainMap

from jinja2 import DictLoader

from intranet.core.templating import Environment, Globals


def _environment(app, templates):
    env = Environment(app, loader=DictLoader(templates))
    env.globals["site"] = "Territoires"
    return env


def test_the_application_uses_it(app):
    assert isinstance(app.jinja_env, Environment)
    template = app.jinja_env.get_template("base.html")
    assert isinstance(template.globals, Globals)
    assert template.globals.keys() == set(ChainMap(*template.globals.maps).keys())


def test_keys_are_those_of_every_map_when_asked(app):
    globals_ = Globals({"own": 1}, {"shared": 2})
    assert globals_.keys() == {"own", "shared"}
    globals_.maps[1]["later"] = 3     # the environment's globals, changed afterwards
    assert globals_.keys() == {"own", "shared", "later"}
    assert globals_["later"] == 3 and "own" in globals_ and "missing" not in globals_


def test_an_imported_template_sees_the_environment_globals(app):
    env = _environment(app, {"macros.html": "{% macro name() %}{{ site }}{% endmacro %}",
                             "page.html": "{% import 'macros.html' as m %}[{{ m.name() }}]"})
    assert env.get_template("page.html").render() == "[Territoires]"


def test_an_import_still_sees_the_importing_template_own_globals(app):
    # Jinja makes a new module when the importer has globals the imported template lacks:
    # that answer must not change with the faster comparison.
    env = _environment(app, {"macros.html": "{% macro name() %}{{ site }}/{{ extra }}{% endmacro %}",
                             "page.html": "{% import 'macros.html' as m %}[{{ m.name() }}]"})
    page = env.get_template("page.html", globals={"extra": "en plus"})
    assert page.render() == "[Territoires/en plus]"
    assert env.get_template("page.html").render() == "[Territoires/en plus]"
