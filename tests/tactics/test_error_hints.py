"""The error_hints tactic through the seam: a failing check's report, as the model gets it, ends with a one-line
explanation of the Python error it shows; without the tactic the report is the same minus that line."""

from __future__ import annotations

from pathlib import Path

from ..conftest import make_workspace
from .seam import started

CHECK = "python3 check.py"
HINT = "Hint: `sqrt` is used but never defined or imported in the module."


def workspace(tmp_path: Path, body: str = "sqrt(a * a + b * b)") -> Path:
    return make_workspace(tmp_path / "ws", {"calc.py": f"import math\n\n\ndef hyp(a, b):\n    return {body}\n",
                                            "check.py": "from calc import hyp\n\nassert hyp(3, 4) == 5\n"}, git=False)


def test_a_failing_check_explains_the_error_it_shows(tmp_path: Path) -> None:
    state, events = started(["error_hints"], workspace(tmp_path), CHECK)
    result = state.check()
    assert result is not None and not result.passed
    assert "NameError: name 'sqrt' is not defined" in result.report
    assert result.report.endswith(f"{HINT}\nFix the code so that the check passes.")
    assert [getattr(e, "text", "") for e in events] == [f"check `{CHECK}`: failed"]


def test_unlisted_the_report_has_no_hint(tmp_path: Path) -> None:
    state, _ = started([], workspace(tmp_path), CHECK)
    result = state.check()
    assert result is not None and "NameError: name 'sqrt' is not defined" in result.report
    assert "Hint:" not in result.report


def test_a_passing_check_gets_no_hint_and_no_check_is_no_error(tmp_path: Path) -> None:
    state, _ = started(["error_hints"], workspace(tmp_path, "math.sqrt(a * a + b * b)"), CHECK)
    result = state.check()
    assert result is not None and result.passed and "Hint:" not in result.report
    bare, _ = started(["error_hints"], workspace(tmp_path / "bare"))
    assert bare.checker is None and bare.check() is None
