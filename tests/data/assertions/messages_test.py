import unittest

from shapes import rebase


class M(unittest.TestCase):
    def test_msg(self):
        with self.assertRaises(ValueError) as err:
            rebase(0, [0], 10)
        self.assertEqual(err.exception.args[0], "input base must be >= 2")
    def test_wrong_type(self):
        with self.assertRaises(ValueError):
            rebase(3, [0], 10)
