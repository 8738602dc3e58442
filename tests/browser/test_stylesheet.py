"""The site's stylesheet parses whole: one stray merge marker or unclosed block silently drops
every rule after it (the shop's styles were once lost that way)."""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.mark.parametrize("path", sorted(STATIC.rglob("*.css")), ids=lambda p: p.name)
def test_stylesheet_has_no_merge_markers_and_balanced_blocks(path):
    css = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    assert not re.search(r"^(<{7}|={7}|>{7})", css, re.M)
    depth = 0
    for char in css:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
