"""A missing browser or validator skips its tests on a developer's machine, and fails them in CI
(``.ci/run`` exports TERRITOIRES_REQUIRE_TOOLS=1)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .. import browser_fixtures
from ..browser_fixtures import REQUIRE_TOOLS, missing_tool
from ..test_valid_html import MISSING_JAVA, vnu_command


def test_a_missing_tool_skips_with_its_reason_by_default(monkeypatch):
    monkeypatch.delenv(REQUIRE_TOOLS, raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium de Debian absent"):
        missing_tool(browser_fixtures.MISSING_CHROMIUM)


def test_a_missing_tool_fails_where_tools_are_required(monkeypatch):
    monkeypatch.setenv(REQUIRE_TOOLS, "1")
    with pytest.raises(pytest.fail.Exception, match="Chromium de Debian absent.*obligatoire"):
        missing_tool(browser_fixtures.MISSING_CHROMIUM)


def test_browser_fails_in_ci_without_chromium(monkeypatch):
    monkeypatch.setenv(REQUIRE_TOOLS, "1")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="Chromium"):
        browser_fixtures.chromium_executable()


def test_validator_fails_in_ci_without_java(monkeypatch):
    monkeypatch.setenv(REQUIRE_TOOLS, "1")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match=MISSING_JAVA[:20]):
        vnu_command()


def test_the_ci_script_requires_the_tools():
    script = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert f"export {REQUIRE_TOOLS}=1" in script
