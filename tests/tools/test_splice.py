"""Rewritten definitions put in place of the old ones, the rest of the file kept (tools/splice.py)."""

from __future__ import annotations

from hame.tools.splice import complete_definitions, same_code, splice

OLD = ('"""A buffer."""\nimport math\n\n\nclass BufferFull(Exception):\n    pass\n\n\nclass Buffer:\n'
       '    def __init__(self, n):\n        self.n = n\n        self.items = []\n\n    @property\n'
       '    def size(self):\n        return len(self.items)\n\n    def overwrite(self, x):\n'
       '        raise BufferFull("full")\n\n    def clear(self):\n        self.items = []\n\n\n'
       'def helper():\n    return math.pi\n')
FIXED = "    def overwrite(self, x):\n        if len(self.items) == self.n:\n            self.items.pop(0)\n" \
        "        self.items.append(x)\n"


def test_a_method_given_inside_its_class_replaces_only_that_method() -> None:
    part = "class Buffer:\n" + FIXED
    assert splice(OLD, part) == (OLD.replace('    def overwrite(self, x):\n        raise BufferFull("full")\n',
                                             FIXED), ["Buffer.overwrite"])


def test_a_method_written_alone_goes_where_its_one_class_has_it() -> None:
    for part in (FIXED, FIXED.replace("\n    ", "\n").lstrip()):  # indented as in the class, or not at all
        assert splice(OLD, part) == (OLD.replace('    def overwrite(self, x):\n        raise BufferFull("full")\n',
                                                 FIXED), ["overwrite"])


def test_functions_are_replaced_or_added_and_new_imports_go_first() -> None:
    code, names = splice(OLD, "import re\n\n\ndef helper():\n    return re.escape('.')\n\n\ndef extra():\n"
                              "    return 1\n") or ("", [])
    assert names == ["helper", "extra"]
    assert code.startswith('import re\n"""A buffer."""\nimport math\n')
    assert code.endswith("def helper():\n    return re.escape('.')\n\n\ndef extra():\n    return 1\n")
    assert "raise BufferFull" in code  # the rest is as it was


def test_a_method_a_class_lacked_is_added_and_decorators_travel_with_their_method() -> None:
    code, names = splice(OLD, "class Buffer:\n    @property\n    def size(self):\n        return 0\n\n"
                              "    def peek(self):\n        return self.items[0]\n") or ("", [])
    assert names == ["Buffer.size", "Buffer.peek"]
    assert "    @property\n    def size(self):\n        return 0\n" in code and code.count("@property") == 1
    assert "        self.items = []\n\n    def peek(self):\n        return self.items[0]\n" in code


def test_a_whole_file_or_something_that_is_not_code_is_not_a_part() -> None:
    assert splice(OLD, OLD) is None  # every definition: a whole file, written as it is
    assert splice(OLD, OLD.replace("return math.pi", "return 3")) is None
    assert splice(OLD, "def broken(:\n") is None and splice(OLD, "x = 1\n") is None
    assert splice("x = 1\n", "def f():\n    return 1\n") is None  # nothing to put it in place of


def test_a_definition_sent_without_its_docstring_or_with_a_shortened_one_keeps_the_old_one() -> None:
    old = ('def f(x):\n    """Double *x*.\n\n    >>> f(2)\n    4\n    """\n    return x\n\n\nclass C:\n'
           '    def m(self):\n        """The answer."""\n        return 0\n\n    def n(self):\n        return 1\n')
    code, _ = splice(old, "def f(x):\n    return 2 * x\n") or ("", [])
    assert code.startswith('def f(x):\n    """Double *x*.\n\n    >>> f(2)\n    4\n    """\n    return 2 * x\n\n\n')
    for part in ("class C:\n    def m(self):\n        return 42\n", "def m(self):\n    return 42\n"):
        code, _ = splice(old, part) or ("", [])  # in its class, or alone (indented to its place)
        assert '    def m(self):\n        """The answer."""\n        return 42\n' in code
    code, _ = splice(old, 'def f(x):\n    """Double *x* ..."""\n    return 2 * x\n') or ("", [])
    assert code.startswith('def f(x):\n    """Double *x*.\n\n    >>> f(2)\n    4\n    """\n    return 2 * x\n')
    code, _ = splice(old, "class C:\n    def m(self):\n        return 42\n\n    def n(self):\n        return 2\n") \
        or ("", [])  # a class sent whole
    assert '    def m(self):\n        """The answer."""\n        return 42\n\n    def n(self):\n' in code
    code, _ = splice(old, 'def f(x):\n    """Twice x."""\n    return 2 * x\n') or ("", [])
    assert '"""Twice x."""' in code and "Double" not in code  # a new docstring replaces the old one


def test_a_one_line_retelling_of_a_long_docstring_keeps_the_old_one() -> None:
    old = ('def backoff(start, stop):\n    """Generates a sequence of geometrically-increasing floats, suitable\n'
           '    for usage with exponential backoff.\n    """\n    return start\n')
    told = 'def backoff(start, stop):\n    """Generates a sequence of geometrically-increasing floats for backoff."""\n'
    code, _ = splice(old + "\n\ndef other():\n    pass\n", told + "    return stop\n") or ("", [])
    assert code.startswith(old.replace("return start", "return stop"))


def test_same_code_sets_aside_blank_lines_comments_and_docstrings() -> None:
    code = 'def f(x):\n    """Double."""\n    return 2 * x\n'
    assert same_code(code, "def f(x):\n\n    # twice\n    return 2*x\n")
    assert not same_code(code, 'def f(x):\n    """Double."""\n    return 3 * x\n')
    assert not same_code(code, "def f(x):\n    return 2 * x +\n")  # does not parse: not the same


def test_a_cut_off_part_keeps_its_finished_definitions_only() -> None:
    cut = ("class Bits:\n    slots = ('v',)\n\n    def __init__(self, v):\n        self.v = v\n\n"
           "    @property\n    def size(self):\n        return 1\n\n    def as_list(self):\n        return [c for")
    assert complete_definitions(cut) == cut[:cut.index("\n\n    def as_list")] + "\n"
    assert complete_definitions("def f():\n    return 1\n\n\n@cache\ndef g(x):\n    return") == \
        "def f():\n    return 1\n"  # the decorator goes with its unfinished function
    assert complete_definitions("def f():\n    def g():\n        return 1\n    def h(x") is None  # f unfinished
    assert complete_definitions("class C:\n    x = 1\n    def m(self") is None  # no method finished


def test_a_class_sent_with_every_method_keeps_the_attributes_it_left_out() -> None:
    old = ("class Saver:\n    perms = 0o644\n    _slots = ('a',)\n\n    def __init__(self, path):\n"
           "        self.path = path\n\n    @property\n    def name(self):\n        return self._name\n\n"
           "    @name.setter\n    def name(self, v):\n        self._name = v\n\n    def save(self):\n"
           "        return self.path + '.part'\n")
    part = ("class Saver:\n    def __init__(self, path):\n        self.path = str(path)\n\n    @property\n"
            "    def name(self):\n        return self._name\n\n    @name.setter\n    def name(self, v):\n"
            "        self._name = str(v)\n\n    def save(self):\n        return self.path + '.part'\n\n"
            "    def size(self):\n        return 0\n")
    code, names = splice(old + "\n\ndef other():\n    pass\n", part) or ("", [])
    assert "    perms = 0o644\n    _slots = ('a',)\n" in code  # the attributes the reply left out stay
    assert "self.path = str(path)" in code and "self._name = str(v)" in code and code.count("def name(") == 2
    assert code.index("def save(") < code.index("def size(") < code.index("def other(")  # a new method at the end
    assert names == ["Saver.__init__", "Saver.name", "Saver.save", "Saver.size"]
    code, _ = splice(old + "\n\ndef other():\n    pass\n", part.replace("class Saver:", "class Saver(Base):")) \
        or ("", [])
    assert code.startswith("class Saver(Base):\n    def __init__") and "perms" not in code  # a new header: whole


def test_a_member_copied_back_as_a_placeholder_keeps_the_old_one() -> None:
    """A small model re-typing a class writes the members it does not change as `def f(...): ...`: they stay."""
    part = "class Buffer:\n    def __init__(self, n):\n        ...  # unchanged\n\n" + FIXED
    code, names = splice(OLD, part) or ("", [])
    assert code == OLD.replace('    def overwrite(self, x):\n        raise BufferFull("full")\n', FIXED)
    assert names == ["Buffer.overwrite"]


def test_a_method_sent_without_its_decorators_keeps_them_and_a_property_keeps_its_other_accessors() -> None:
    old = ("class Temp:\n    def __init__(self):\n        self._c = 0\n\n    @property\n    def c(self):\n"
           "        return self._c\n\n    @c.setter\n    def c(self, v):\n        self._c = v\n\n"
           "    @staticmethod\n    def parse(text):\n        return int(text)\n\n\ndef other():\n    pass\n")
    code, _ = splice(old, "class Temp:\n    def parse(text):\n        return float(text)\n") or ("", [])
    assert "    @staticmethod\n    def parse(text):\n        return float(text)\n" in code
    for getter in ("def c(self):\n    return round(self._c)\n",  # alone, its decorator dropped
                   "class Temp:\n    @property\n    def c(self):\n        return round(self._c)\n"):
        code, _ = splice(old, getter) or ("", [])
        assert "    @property\n    def c(self):\n        return round(self._c)\n\n    @c.setter\n" \
               "    def c(self, v):\n        self._c = v\n" in code  # the setter the reply left out stays
    code, _ = splice(old, "def c(self, v):\n    self._c = float(v)\n") or ("", [])  # the setter alone, undecorated
    assert "    @property\n    def c(self):\n        return self._c\n\n    @c.setter\n    def c(self, v):\n" \
           "        self._c = float(v)\n" in code
    code, names = splice(old, "class Temp:\n    @c.deleter\n    def c(self):\n        del self._c\n") or ("", [])
    assert code.index("@c.setter") < code.index("@c.deleter") < code.index("@staticmethod")  # after its getter, setter
    assert names == ["Temp.c"]


def test_a_module_level_value_is_changed_where_it_stands() -> None:
    old = ('import re\n\nWORD = re.compile(r"[a-z]+")\nLIMIT: int = 3\n\n\ndef words(text):\n'
           '    return WORD.findall(text)[:LIMIT]\n\n\ndef other():\n    pass\n')
    code, names = splice(old, 'WORD = re.compile(r"[A-Za-z]+")\n') or ("", [])  # the value alone is a part too
    assert code == old.replace('r"[a-z]+"', 'r"[A-Za-z]+"') and names == ["WORD"]
    code, names = splice(old, 'LIMIT: int = 5\n\n\ndef words(text):\n    return WORD.findall(text.lower())[:LIMIT]\n') \
        or ("", [])
    assert code.count("LIMIT") == 2 and "LIMIT: int = 5\n\n\ndef words" in code and names == ["LIMIT", "words"]
    assert splice(old, "NEW = 1\n") is None  # a value the module lacks, alone: not a part of it
