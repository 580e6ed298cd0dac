"""One-token edits of a statement: the bug shapes and what an error names, the statement's layout kept."""

from __future__ import annotations

from hame.context.mutants import MAX_MUTANTS, mutants


def edits(line: str, error: str = "", file_text: str = "") -> list[str]:
    return ["\n".join(m.lines) for m in mutants([line], error, file_text)]


def test_boundaries_operators_and_negations_are_proposed_in_place() -> None:
    got = edits("        if val > 2 ** len_:  # keep this comment")
    assert got[0] == "        if val >= 2 ** len_:  # keep this comment"  # indent and comment kept
    assert "        if not (val > 2 ** len_):  # keep this comment" in got
    assert edits("    x = 1.0 - y")[0] == "    x = 1.0 + y"
    assert set(edits("    if a is None and b not in c:")) >= {
        "    if a is not None and b not in c:", "    if a is None or b not in c:", "    if a is None and b in c:"}
    assert edits("    elif not word.endswith('s'):")[0] == "    elif word.endswith('s'):"
    assert "    elif not (not word.endswith('s')):" not in edits("    elif not word.endswith('s'):")
    assert set(edits("    return xs[:n - 1]")) >= {"    return xs[:n + 1]", "    return xs[:n - 2]",
                                                    "    return xs[:n]"}  # `- 1` dropped, not made `- 0`
    assert all("not in" not in e for e in edits("    for x in range(3):"))  # a loop's `in` is not a test
    assert edits("    flag = True") == ["    flag = False"]


def test_a_statement_over_several_lines_keeps_them() -> None:
    got = mutants(["    total = (x +", "             y)"])
    assert got[0].lines == ("    total = (x -", "             y)")


def test_the_error_raised_at_the_line_comes_first() -> None:
    missing = "AttributeError: 'set' object has no attribute 'issupserset'"
    first = mutants(["        return self._excluded.issupserset(exc)"], missing)[0]
    assert first.lines == ("        return self._excluded.issuperset(exc)",) and first.rename == (
        "issupserset", "issuperset")  # a misspelt name is respelt in the whole file
    owner = "AttributeError: 'Table' object has no attribute 'colum'"
    assert mutants(["    w = self.colum"], owner, "class Table:\n    def column(self):\n")[0].rename == (
        "colum", "column")  # a class of the module: its definitions' names
    path = "AttributeError: 'PosixPath' object has no attribute 'split'"
    assert edits("    depth = len(directory.split(os.sep))", path)[0] == "    depth = len(str(directory).split(os.sep))"
    operands = "TypeError: unsupported operand type(s) for +: 'PosixPath' and 'str'"
    assert edits("    self.part = self.dest + '.part'", operands)[0] == "    self.part = str(self.dest) + '.part'"
    concat = 'TypeError: can only concatenate str (not "int") to str'
    assert edits("    label = 'n=' + count(xs)", concat)[0] == "    label = 'n=' + str(count(xs))"
    assert edits("    y = lenght(xs)", "NameError: name 'lenght' is not defined",
                 "def length(xs):\n    pass\n")[0] == "    y = length(xs)"


def test_no_edit_of_what_does_not_lex_and_at_most_the_cap() -> None:
    assert mutants(["    x = 'unterminated"]) == []
    assert len(mutants(["    x = a + b - c * d / e < f <= g > h >= i == j != k and l or m"])) == MAX_MUTANTS


def test_defaults_for_nothing_none_and_a_missing_key() -> None:
    empty = "ValueError: max() arg is an empty sequence"
    assert edits("    width = max([len(r) for r in rows])", empty)[0] == (
        "    width = max([len(r) for r in rows], default=0)")
    none = "TypeError: 'NoneType' object is not iterable"
    assert edits("    for k in opts.get('x'):", none)[0] == "    for k in opts.get('x') or ():"
    key = "KeyError: 'a'"
    assert edits("    v = self.cache[key].value", key)[0] == "    v = self.cache.get(key).value"
    assert all(".get(" not in e for e in edits("    d[key] = 1", key))  # a key written, not read
    assert edits("    w = [d for d in rows if d in seen]") == ["    w = [d for d in rows if d not in seen]"]
