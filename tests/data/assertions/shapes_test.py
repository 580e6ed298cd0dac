import unittest

from shapes import greet, lines, ok, rebase


class T(unittest.TestCase):
    def test_list(self):
        self.assertEqual(rebase(2, [1, 0, 1], 10), [5])
    def test_not_raised(self):
        with self.assertRaises(ValueError) as err:
            rebase(1, [0], 10)
        self.assertEqual(err.exception.args[0], "input base must be >= 2")
    def test_exc(self):
        self.assertEqual(rebase(3, [1], 10), [1])
    def test_str(self):
        self.assertEqual(greet("Bo"), "Hello, Bo!")
    def test_multiline(self):
        self.assertEqual(lines(1), "a\nb\nd")
    def test_true(self):
        self.assertTrue(ok(2))
    def test_in(self):
        self.assertIn(greet("x"), ["Hello, x!"])
    def test_multi_arg(self):
        self.assertEqual(
            rebase(2,
                   [1, 1], 10),
            [3],
        )

def test_pytest_style():
    assert rebase(2, [1, 2], 10) == [21]

def test_pytest_raises():
    import pytest
    with pytest.raises(ValueError, match="must be"):
        rebase(2, [1], 10)
