"""Localization and definition-level views on a small multi-file library in a real git repository, with its
failing check run for real (pytest)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hame.context import localize_signals as sig
from hame.context.defindex import find_symbol, index_repository, qualified_spans
from hame.context.localize import gather, localize, rank, run_check
from hame.context.mentions import attach, named_files
from hame.context.show import ran_first, render_context, task_context
from hame.context.spectrum import ochiai, suspicious
from hame.context.tags import extract_tags
from hame.context.trace_path import Call, traced

from ..conftest import make_workspace

LIBRARY = {
    "shop/__init__.py": "",
    "shop/pricing.py": (
        "import math\n"
        "from shop.util import clamp\n\n\n"
        "class Cart:\n"
        '    """A shopping cart."""\n\n'
        "    def __init__(self, items=None):\n"
        "        self.items = list(items or [])\n\n"
        "    def add(self, price):\n"
        "        self.items.append(price)\n\n"
        "    def total_with_discount(self, percent):\n"
        "        rate = clamp(percent, 0, 100) / 100\n"
        "        return math.fsum(self.items) * rate\n\n\n"
        "def format_price(value):\n"
        "    return f'{value:.2f}'\n"
    ),
    "shop/util.py": (
        "def clamp(value, low, high):\n"
        "    return max(low, min(value, high))\n\n\n"
        "def slugify(text):\n"
        "    return text.lower().replace(' ', '-')\n"
    ),
    "shop/inventory.py": (
        "from shop.util import slugify\n\n\n"
        "class Stock:\n"
        "    def __init__(self):\n"
        "        self.counts = {}\n\n"
        "    def put(self, name, n):\n"
        "        self.counts[slugify(name)] = self.counts.get(slugify(name), 0) + n\n"
    ),
    "tests/test_pricing.py": (
        "from shop.pricing import Cart, format_price\n\n\n"
        "def test_format_price():\n"
        "    assert format_price(2) == '2.00'\n\n\n"
        "def test_total_with_discount():\n"
        "    cart = Cart([10.0, 10.0])\n"
        "    assert cart.total_with_discount(25) == 15.0\n"
    ),
}
TASK = "Cart.total_with_discount returns the discount instead of the discounted total. Tests: tests/test_pricing.py"
CHECK = f"{sys.executable} -m pytest -q tests/test_pricing.py"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "shop", LIBRARY)


def test_qualified_names_and_spans_follow_nesting() -> None:
    source = LIBRARY["shop/pricing.py"]
    spans = qualified_spans("shop/pricing.py", extract_tags("shop/pricing.py", source.encode()).defs)
    by_name = {s.qualname: (s.start, s.end) for s in spans}
    assert by_name["Cart"] == (5, 16)
    assert by_name["Cart.total_with_discount"] == (14, 16)
    assert by_name["format_price"] == (19, 20)


def test_the_method_that_raised_ranks_first_from_a_real_failing_check(shop: Path) -> None:
    found = localize(shop, "The discount is wrong.", CHECK)
    assert found[0].span.ref == "shop/pricing.py::Cart.total_with_discount"
    assert "the failing test's name" in found[0].reasons
    assert all(not c.span.path.startswith("tests/") for c in found)  # tests hold no candidates


def test_a_traceback_frame_points_at_the_definition_that_raised(shop: Path) -> None:
    output = ('Traceback (most recent call last):\n  File "tests/test_x.py", line 3, in test_it\n'
              f'  File "{shop}/shop/util.py", line 5, in slugify\nAttributeError: boom\n')
    found = localize(shop, "Something crashes.", check_output=output)
    assert found[0].span.ref == "shop/util.py::slugify"
    assert found[0].reasons[0] == "raised here"


def test_the_report_naming_a_definition_and_a_misspelt_word_in_a_body(shop: Path) -> None:
    assert localize(shop, "fix(pricing): format_price() drops the cents", check_output="")[0].span.qualname == \
        "format_price"
    found = localize(shop, "Stock.put mangles names: slugify is called twice", check_output="")
    assert found[0].span.ref == "shop/inventory.py::Stock.put"


def test_signal_parsers_read_pytest_output_and_reports() -> None:
    output = ("shop/pricing.py:15: in total_with_discount\n    x\nshop/util.py:2: ValueError\n"
              "E   ValueError: bad\nFAILED tests/test_pricing.py::TestCart::test_total[1] - ValueError\n")
    assert sig.traceback_frames(output) == [sig.Frame("shop/pricing.py", 15), sig.Frame("shop/util.py", 2)]
    assert sig.test_ids(output) == [sig.TestId("tests/test_pricing.py", "test_total", "TestCart")]
    assert sig.test_ids(output)[0].matches("TestCart.test_total") and not sig.test_ids(output)[0].matches(
        "TestOrder.test_total")  # a namesake in another test class is not the failing test
    assert sig.error_lines(output) == ["ValueError: bad"]
    assert sig.split_words("test_partitionAll_2") == ["test", "partition", "all", "2"]
    assert "Table.to_text" in sig.identifiers("fix Table.to_text on empty tables")
    assert sig.python_imports("from a.b import c\nimport d") == [("a.b", "c"), ("d", None)]


def test_signal_parsers_read_unittest_reports_of_old_and_new_pythons() -> None:
    bar, dashes = "=" * 70, "-" * 70
    output = (f"F.E\n{bar}\nFAIL: test_total (tests.test_pricing.TestCart.test_total)\n{dashes}\n"
              'Traceback (most recent call last):\n  File "/w/tests/test_pricing.py", line 9, in test_total\n'
              "    self.assertEqual(cart.total(), 15)\nAssertionError: 5.0 != 15\n\n"
              f"{bar}\nERROR: test_parse (tests.test_util.TestParse)\n{dashes}\n"
              'Traceback (most recent call last):\n  File "/w/tests/test_util.py", line 4, in test_parse\n'
              '    parse("x")\n  File "/w/shop/util.py", line 7, in parse\n    return int(text)\n'
              "ValueError: invalid literal for int() with base 10: 'x'\n\n"
              f"{dashes}\nRan 3 tests in 0.001s\n\nFAILED (failures=1, errors=1)\n")
    assert sig.test_ids(output) == [sig.TestId("tests.test_pricing", "test_total", "TestCart"),
                                    sig.TestId("tests.test_util", "test_parse", "TestParse")]
    assert sig.error_lines(output) == ["AssertionError: 5.0 != 15",
                                       "ValueError: invalid literal for int() with base 10: 'x'"]


def test_a_check_run_by_unittest_shows_its_failing_test_error_and_traced_call(tmp_path: Path) -> None:
    tests = ("import unittest\n\nfrom shop.pricing import Cart\n\n\nclass TestCart(unittest.TestCase):\n"
             "    def test_discount(self):\n"
             "        self.assertEqual(Cart([10.0, 10.0]).total_with_discount(25), 15.0)\n")
    ws = make_workspace(tmp_path / "shop", {**LIBRARY, "tests/test_pricing.py": tests})
    text = task_context(ws, TASK, f"{sys.executable} -m unittest tests.test_pricing", budget=3000)
    assert "## tests/test_pricing.py :: TestCart.test_discount (failing)\n" in text
    assert ("test_discount, line 8: `self.assertEqual(Cart([10.0, 10.0]).total_with_discount(25), 15.0)`\n"
            "  AssertionError: 5.0 != 15.0\n"
            "  the last call before it failed, Cart.total_with_discount(percent=25), returned 5.0") in text


def test_render_context_shows_tests_and_definitions_with_class_header_and_imports(shop: Path) -> None:
    text = task_context(shop, TASK, CHECK, budget=1500)
    assert "tests/test_pricing.py :: test_total_with_discount (failing)" in text
    assert ("## Errors\ntest_total_with_discount, line 10: `assert cart.total_with_discount(25) == 15.0`\n"
            "  assert 5.0 == 15.0") in text  # the test's line that failed, and the error it ended with
    code = text[text.index("## shop/pricing.py :: Cart.total_with_discount"):]
    assert code.index("from shop.util import clamp") < code.index("class Cart:") < code.index("rate = clamp")
    assert "self.items.append" not in code.split("## ")[1]  # the class header, not the whole class


def test_the_errors_name_the_library_line_that_raised(tmp_path: Path) -> None:
    tests = LIBRARY["tests/test_pricing.py"].replace("total_with_discount(25)", "total_with_discount('25')")
    ws = make_workspace(tmp_path / "shop", {**LIBRARY, "tests/test_pricing.py": tests})
    text = task_context(ws, TASK, CHECK, budget=1500)
    assert ("test_total_with_discount, line 10: `assert cart.total_with_discount('25') == 15.0`\n"
            "  TypeError: '<' not supported between instances of 'int' and 'str'\n"
            "  in shop/util.py line 2: `return max(low, min(value, high))`") in text


def test_the_errors_show_the_lines_the_failing_call_ran(tmp_path: Path) -> None:
    code = ("def grade(score):\n    if score >= 90:\n        return 'A'\n    elif score >= 80:\n        return 'B'\n"
            "    elif score > 70:\n        return 'C'\n    return 'F'\n")
    tests = "from school.grades import grade\n\n\ndef test_seventy_is_a_c():\n    assert grade(70) == 'C'\n"
    ws = make_workspace(tmp_path / "school", {"school/__init__.py": "", "school/grades.py": code,
                                              "tests/test_grades.py": tests})
    text = task_context(ws, "grade(70) should be 'C'", f"{sys.executable} -m pytest -q tests/test_grades.py")
    assert ("test_seventy_is_a_c, line 5: `assert grade(70) == 'C'`\n  AssertionError: assert 'F' == 'C'\n"
            "  the last call before it failed, grade(score=70), returned 'F' after these of its lines:\n"
            "      2  if score >= 90:\n      4  elif score >= 80:\n      6  elif score > 70:\n"
            "      8  return 'F'\n") in text


def test_a_src_layout_library_whose_check_sets_its_path_is_traced_too(tmp_path: Path) -> None:
    """`PYTHONPATH=src pytest ...`: the tracer runs the failing test with the variables the check sets."""
    code = "def grade(score):\n    if score > 70:\n        return 'C'\n    return 'F'\n"
    tests = "from school.grades import grade\n\n\ndef test_seventy_is_a_c():\n    assert grade(70) == 'C'\n"
    ws = make_workspace(tmp_path / "school", {"src/school/__init__.py": "", "src/school/grades.py": code,
                                              "tests/test_grades.py": tests})
    check = f"PYTHONPATH=src {sys.executable} -m pytest -q tests/test_grades.py"
    text = task_context(ws, "grade(70) should be 'C'", check)
    assert "## src/school/grades.py :: grade (lines 1-4)" in text
    assert "the last call before it failed, grade(score=70), returned 'F' after these of its lines:\n" in text


def test_a_class_shown_after_one_of_its_methods_shows_only_the_members_that_ran(tmp_path: Path) -> None:
    """Not its other members' signatures: shown a signature, a small model writes a body for it."""
    tests = LIBRARY["tests/test_pricing.py"].replace("total_with_discount(25)", "total_with_discount('25')")
    ws = make_workspace(tmp_path / "shop", {**LIBRARY, "tests/test_pricing.py": tests})
    files = index_repository(ws)
    ev = gather(files, TASK, CHECK, run_check(ws, CHECK))  # a TypeError from clamp, under total_with_discount
    ranked = {c.span.qualname: c for c in rank(files, ev)}
    text = render_context(files, [ranked["Cart.__init__"], ranked["Cart"]], ev, budget=5000)
    assert text.count("self.items = list(items or [])") == 1  # __init__ once, under its own heading
    cls = text[text.index("## shop/pricing.py :: Cart (lines"):]
    assert cls.startswith("## shop/pricing.py :: Cart (lines 5-16, the members the failing tests ran)\n")
    assert ("    ...\n   14      def total_with_discount(self, percent):\n   15          rate = clamp(") in cls
    assert "def add" not in cls and cls.endswith("\n    ...")  # it did not run
    text = render_context(files, [ranked["Cart.total_with_discount"], ranked["Cart"]], ev, budget=5000)
    assert "Cart (lines" not in text  # nothing else of the class ran: no block for it


def test_the_lines_a_generator_ran_across_its_resumes_are_shown(tmp_path: Path) -> None:
    """A generator's resumes are one call: its last resume, which runs no line of its own, is not the call shown."""
    code = ("def halves(n):\n    if n % 2:\n        yield n // 2\n    else:\n        yield n / 2\n"
            "    yield n - n // 2\n")
    tests = ("from nums.gen import halves\n\n\ndef test_halves():\n    assert list(halves(5)) == [2, 2]\n")
    ws = make_workspace(tmp_path / "nums", {"nums/__init__.py": "", "nums/gen.py": code, "tests/test_gen.py": tests})
    text = task_context(ws, "halves(5) should be 2 and 2", f"{sys.executable} -m pytest -q tests/test_gen.py")
    assert ("  the last call before it failed, halves(n=5), ran these of its lines:\n"
            "      2  if n % 2:\n      3  yield n // 2\n      6  yield n - n // 2\n") in text


def test_the_method_the_failing_call_ran_goes_ahead_of_its_class(shop: Path) -> None:
    files = index_repository(shop)
    ev = gather(files, TASK, CHECK, run_check(shop, CHECK))  # an assertion: the test failed on its own line
    cart = next(c for c in rank(files, ev) if c.span.qualname == "Cart")
    ev.ran = traced(shop, [cart.span], ev)  # the class's lines the failing call ran: its last call's
    assert ev.ran == ("shop/pricing.py", Call("total_with_discount", (15, 16), "percent=25", "returned 5.0"))
    assert [c.span.qualname for c in ran_first(files, [cart], ev.ran)] == ["Cart.total_with_discount", "Cart"]


def test_a_long_failing_test_is_shown_up_to_a_few_lines_after_the_line_that_failed(tmp_path: Path) -> None:
    checks = "".join(f"    assert format_price({i}) == '{i}.00'\n" for i in range(50))
    tests = ("from shop.pricing import format_price\n\n\ndef test_many_prices():\n"
             "    assert format_price(1.5) == '1.50'\n    assert format_price(2) == '2'\n" + checks)
    ws = make_workspace(tmp_path / "shop", {**LIBRARY, "tests/test_pricing.py": tests})
    text = task_context(ws, "format_price of a whole number", CHECK, budget=3000)
    assert "line 6: `assert format_price(2) == '2'`" in text
    assert "   14      assert format_price(7) == '7.00'\n       ... (42 more lines of the test)\n" in text
    assert "format_price(8) ==" not in text


def test_a_test_file_that_cannot_import_a_new_name_shows_the_tests_that_use_it(tmp_path: Path) -> None:
    """A fix that adds API comes with tests that fail to import it: pytest runs none of them, the view shows them."""
    tests = LIBRARY["tests/test_pricing.py"].replace("import Cart, format_price", "import Cart, format_price, parse") \
        + "\n\ndef test_parse():\n    assert parse('2.50') == 2.5\n"
    ws = make_workspace(tmp_path / "shop", {**LIBRARY, "tests/test_pricing.py": tests})
    text = task_context(ws, "add parse() for prices", CHECK, budget=3000)
    assert "## tests/test_pricing.py :: test_parse (failing)\n" in text and "def test_format_price" not in text
    assert ("collecting tests/test_pricing.py, line 1: `from shop.pricing import Cart, format_price, parse`\n"
            "  ImportError: cannot import name 'parse' from 'shop.pricing'") in text
    assert text.split("\n## ")[3].startswith("shop/pricing.py ::")  # after test and errors: the module to add it to


def test_render_context_keeps_to_the_budget(shop: Path) -> None:
    files = index_repository(shop)
    ev = gather(files, TASK, CHECK, "")
    small = render_context(files, rank(files, ev), ev, budget=120)
    large = render_context(files, rank(files, ev), ev, budget=5000)
    assert len(small) / 4 <= 120 < len(large) / 4
    assert small.count("## ") < large.count("## ")


def test_the_view_leaves_out_weak_candidates_and_copies_of_shown_code(tmp_path: Path) -> None:
    copy = "def format_price(value):\n    return f'{value:.2f}'\n"
    ws = make_workspace(tmp_path / "shop", {**LIBRARY, "shop/vendored/__init__.py": "", "shop/vendored/fmt.py": copy})
    text = task_context(ws, TASK, CHECK, budget=5000)
    assert "## shop/pricing.py :: Cart.total_with_discount" in text
    assert "shop/inventory.py" not in text and "slugify" not in text  # scored far below the best candidate
    text = task_context(ws, "format_price drops the cents", CHECK, budget=5000)
    assert text.count("def format_price") == 1  # the vendored copy is not shown again


def test_find_symbol_by_qualified_or_plain_name(shop: Path) -> None:
    files = index_repository(shop)
    assert [s.ref for s in find_symbol(files, "Cart.add")] == ["shop/pricing.py::Cart.add"]
    assert [s.ref for s in find_symbol(files, "__init__")] == ["shop/inventory.py::Stock.__init__",
                                                               "shop/pricing.py::Cart.__init__"]
    assert find_symbol(files, "missing") == []


def test_a_named_file_over_the_budget_is_named_to_the_model(shop: Path) -> None:
    (shop / "shop/big.py").write_text("x = 1\n" * 4000)
    named = named_files("Fix shop/big.py; see shop/util.py", shop)
    assert [rel for rel, _ in named.files] == ["shop/util.py"]
    assert named.too_large == [("shop/big.py", 24000)]
    text = attach("Fix shop/big.py", named.files, too_large=named.too_large)
    assert "not attached" in text and "shop/big.py (24,000 characters)" in text and "16,000-character" in text
    assert attach("Fix it", [], too_large=[]) == "Fix it"


def test_a_failing_method_is_told_from_its_namesakes_and_a_stub_is_no_candidate(tmp_path: Path) -> None:
    """unittest-style test classes often share method names (`test_none`); a module's `.pyi` stub beside it holds
    only signatures: neither is shown as what fails or what to fix."""
    tests = ("import unittest\n\nfrom shop.util import clamp, slugify\n\n\n"
             "class ClampTests(unittest.TestCase):\n    def test_none(self):\n"
             "        self.assertEqual(clamp(5, 0, 9), 5)\n\n\n"
             "class SlugifyTests(unittest.TestCase):\n    def test_none(self):\n"
             "        self.assertEqual(slugify('A  B'), 'a-b')\n")
    stub = "def clamp(value: int, low: int, high: int) -> int: ...\ndef slugify(text: str) -> str: ...\n"
    ws = make_workspace(tmp_path / "shop", {**LIBRARY, "tests/test_util.py": tests, "shop/util.pyi": stub})
    check = f"{sys.executable} -m pytest -q tests/test_util.py"
    text = task_context(ws, "slugify joins words with two dashes when they are two spaces apart", check)
    assert "## tests/test_util.py :: SlugifyTests.test_none (failing)" in text and "ClampTests" not in text
    assert "the last call before it failed, slugify(text='A  B'), returned 'a--b'" in text  # that test traced
    assert "shop/util.pyi" not in text and "## shop/util.py :: slugify" in text
    assert [c.span.path for c in localize(ws, "slugify", check)][:1] == ["shop/util.py"]


def test_many_tests_failing_in_one_shared_helper_are_named_and_told_once(tmp_path: Path) -> None:
    """A bug in a helper fails dozens of tests the same way (a shared `assert_equal`): the view shows the first
    few tests, names some of the others, and tells the error once, with the failing call's values."""
    helper = "def assert_equal(expected, result):\n    assert expected == result\n"
    tests = "from shop.pricing import format_price\nfrom tests.common import assert_equal\n" + "".join(
        f"\n\ndef test_price_{i}():\n    expected, result = '{i}.50', format_price({i}.5)\n"
        "    assert_equal(expected, result)\n"
        for i in range(12))
    code = LIBRARY["shop/pricing.py"].replace("return f'{value:.2f}'", "return f'{value:.1f}'")
    ws = make_workspace(tmp_path / "shop", {**LIBRARY, "shop/pricing.py": code, "tests/__init__.py": "",
                                            "tests/common.py": helper, "tests/test_pricing.py": tests})
    text = task_context(ws, "format_price shows one decimal", f"{sys.executable} -m pytest -q tests/test_pricing.py",
                        budget=3000)
    assert text.count("(failing)") == 4 and "## tests/test_pricing.py :: test_price_3 (failing)" in text
    assert "(8 more failing tests not shown: test_price_4, test_price_5, " in text
    errors = text[text.index("## Errors"):]
    assert errors.startswith("## Errors\ntest_price_0, line 7: `assert_equal(expected, result)`\n")
    assert "the last call before it failed, format_price(value=0.5), returned '0.5'" in errors
    assert "test_price_1, line" not in errors and "(and 11 more failing the same way)" in errors
    assert "## shop/pricing.py :: format_price" in text


def test_the_traced_call_is_the_function_not_a_comprehension_in_it_and_has_no_addresses(tmp_path: Path) -> None:
    """A comprehension runs as a call of its own after the function's first lines; the call shown is the
    function's, and a value without a repr of its own is shown without its address (it differs every run)."""
    code = ("class Box:\n    pass\n\n\ndef boxes(sizes):\n    found = [s for s in sizes if s > 1]\n"
            "    return Box() if found else None\n")
    tests = "from store.box import boxes\n\n\ndef test_no_box_for_small_sizes():\n    assert boxes([1, 2]) is None\n"
    ws = make_workspace(tmp_path / "store", {"store/__init__.py": "", "store/box.py": code,
                                             "tests/test_box.py": tests})
    text = task_context(ws, "boxes([1, 2]) should be None", f"{sys.executable} -m pytest -q tests/test_box.py")
    assert ("the last call before it failed, boxes(sizes=[1, 2]), returned <store.box.Box object> after these of "
            "its lines:\n      6  found = [s for s in sizes if s > 1]\n      7  return Box() if found else None\n"
            ) in text


SPECTRUM_LIB = {
    "shop/__init__.py": "",
    "shop/fmt.py": (
        "def _cents(value):\n    return round(value * 10)\n\n\n"  # the bug: 10, not 100
        "def format_price(value):\n    return f'{value:.2f} EUR ({_cents(value)} cents)'\n\n\n"
        "def format_weight(grams):\n    return f'{grams / 1000:.3f} kg'\n\n\n"
        "def format_count(n):\n    return f'{n} items'\n"
    ),
    "tests/test_fmt.py": (
        "from shop.fmt import format_count, format_price, format_weight\n\n\n"
        "def test_price_one():\n    assert format_price(1.5) == '1.50 EUR (150 cents)'\n\n\n"
        "def test_price_two():\n    assert format_price(2.25) == '2.25 EUR (225 cents)'\n\n\n"
        "def test_weight():\n    assert format_weight(1500) == '1.500 kg'\n\n\n"
        "def test_count():\n    assert format_count(3) == '3 items'\n"
    ),
}


def test_the_function_only_the_failing_tests_ran_ranks_up_by_their_spectra(tmp_path: Path) -> None:
    """The report names no function and no library frame raised: the failing tests' spectra (the functions each
    test ran, context/spectrum.py) point at the helper the failing tests ran and the passing ones did not."""
    ws = make_workspace(tmp_path / "shop", SPECTRUM_LIB)
    check = f"{sys.executable} -m pytest -q tests/test_fmt.py"
    files = index_repository(ws)
    ev = gather(files, "Prices show the wrong number of cents.", check, run_check(ws, check))
    ev.spectrum = suspicious(ws, files, ev)
    assert {s.qualname: round(v, 2) for s, v in ev.spectrum.items()} == {"_cents": 1.0, "format_price": 1.0}
    with_spectrum = [c.span.qualname for c in rank(files, ev)]
    ev.spectrum = {}
    without = [c.span.qualname for c in rank(files, ev)]
    assert with_spectrum.index("_cents") < 2 < without.index("_cents")
    assert [c.span.qualname for c in localize(ws, "Prices show the wrong number of cents.", check)][:2] == \
        with_spectrum[:2]


def test_ochiai_counts_a_comprehension_for_its_function_and_passing_runs_against_it(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "lib", {"lib/m.py": "def f(xs):\n    return [x for x in xs]\n\n\n"
                                                        "@staticmethod\ndef g():\n    return 1\n"})
    files = index_repository(ws)
    rows = [(True, [("lib/m.py", 1), ("lib/m.py", 2), ("lib/m.py", 5)]), (False, [("lib/m.py", 5)]),
            (True, [("lib/m.py", 1)]), (False, [("tests/test_m.py", 1)])]
    scores = {s.qualname: round(v, 3) for s, v in ochiai(files, rows).items()}
    assert scores == {"f": 1.0, "g": round(1 / (2 ** 0.5 * 2 ** 0.5), 3)}  # g: 1 failing of 2, 1 passing run
    assert ochiai(files, [(False, [("lib/m.py", 1)])]) == {}  # no failing test: nothing to say
