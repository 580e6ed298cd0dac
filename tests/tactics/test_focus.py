"""The focus tactic through the seam: while a focused repair names a file, a write of part of it replaces only the
definitions it holds; otherwise write_file writes what it is given."""

from __future__ import annotations

from pathlib import Path

from ..conftest import make_workspace
from .seam import started, write

SHOP = ("class Cart:\n    def __init__(self):\n        self.items = []\n\n    def add(self, price):\n"
        "        self.items.append(price)\n\n    def total(self):\n        return 0\n\n\n"
        "def receipt(cart):\n    return f'total: {cart.total()}'\n")
FIXED_TOTAL = "class Cart:\n    def total(self):\n        return sum(self.items)\n"


def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", {"shop.py": SHOP}, git=False)


def test_a_partial_write_of_the_focused_file_replaces_only_its_definitions(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    state, _ = started(["focus"], ws)
    state.focus_file = "shop.py"
    out = write(state, "shop.py", FIXED_TOTAL)
    assert (ws / "shop.py").read_text() == SHOP.replace("        return 0\n", "        return sum(self.items)\n")
    assert "hame put your new Cart.total in place of the old one and kept the rest of shop.py." in out


def test_a_new_method_written_alone_goes_into_its_class(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    state, _ = started(["focus"], ws)
    state.focus_file = "shop.py"
    out = write(state, "shop.py", "def total(self):\n    return sum(self.items)\n\n\n"
                                  "def receipt(cart):\n    return f'{cart.total():.2f}'\n")
    text = (ws / "shop.py").read_text()
    assert "    def total(self):\n        return sum(self.items)\n" in text and "def add(self, price)" in text
    assert "return f'{cart.total():.2f}'" in text and "total: " not in text
    assert "new total, receipt in place of the old ones" in out


def test_without_a_focused_file_or_for_another_file_the_write_is_whole(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    (ws / "other.py").write_text(SHOP)
    state, _ = started(["focus"], ws)
    assert "Overwrote shop.py" in write(state, "shop.py", SHOP.replace("return 0", "return -1"))
    state.focus_file = "shop.py"
    out = write(state, "other.py", SHOP.replace("return 0", "return 1"))  # not the focused file: written as given
    assert (ws / "other.py").read_text() == SHOP.replace("return 0", "return 1") and "put your new" not in out


def test_a_whole_file_is_written_as_given_even_while_focused(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    state, _ = started(["focus"], ws)
    state.focus_file = "shop.py"
    whole = SHOP.replace("return 0", "return sum(self.items)")
    out = write(state, "shop.py", whole)
    assert (ws / "shop.py").read_text() == whole and "put your new" not in out


def test_unlisted_the_focused_file_gets_no_splice_and_a_new_request_adds_no_second_filter(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    state, _ = started([], ws)
    state.focus_file = "shop.py"
    assert state.ctx.write_filters == []
    listed, _ = started(["focus"], ws)
    listed.begin(listed.request)  # a second request: start() runs again
    assert len(listed.ctx.write_filters) == 1
