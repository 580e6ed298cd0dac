from hame.tools.fileblocks import UNLABELLED, FileBlock, file_blocks, open_block


def test_path_line_then_fence() -> None:
    text = "Here is the fix.\n\nleap.py\n```python\ndef leap_year(y):\n    return y % 4 == 0\n```\nDone."
    assert file_blocks(text) == ([FileBlock("leap.py", "def leap_year(y):\n    return y % 4 == 0\n")], None)


def test_labels_in_markdown_and_in_the_fence_info() -> None:
    assert file_blocks("**src/a.py**\n```\nx = 1\n```")[0] == [FileBlock("src/a.py", "x = 1\n")]
    assert file_blocks("File: `b.py`\n```py\ny = 2\n```")[0] == [FileBlock("b.py", "y = 2\n")]
    assert file_blocks("```python c.py\nz = 3\n```")[0] == [FileBlock("c.py", "z = 3\n")]


def test_unlabelled_or_placeholder_block_is_a_correction_not_an_answer() -> None:
    assert file_blocks("PATH\n```\ndef f():\n    pass\n```") == ([], UNLABELLED)
    assert file_blocks("No code here, all done.") == ([], None)


def test_unclosed_block_is_refused() -> None:
    blocks, error = file_blocks("a.py\n```python\ndef f():\n    return 1\n")
    assert blocks == [] and error and "not closed" in error


def test_unlabelled_block_is_the_tasks_one_file_when_there_is_one() -> None:
    text = "Use it like this:\n```\nf()\n```\nThe code:\n```python\ndef f():\n    return 1\n```"
    assert file_blocks(text, "f.py") == ([FileBlock("f.py", "def f():\n    return 1\n")], None)
    labelled = "g.py\n```\ng = 1\n```\n```\nsnippet\n```"
    assert file_blocks(labelled, "f.py") == ([FileBlock("g.py", "g = 1\n")], None)  # a label wins


def test_a_fenced_path_followed_by_the_code_and_a_closing_fence() -> None:
    # the 1.5B wrote 7 of its first 54 whole-protocol replies this way: the path fenced, the code not opened
    text = "```\nhangman.py\n```\nclass Hangman:\n    pass\n```\nThat is all."
    assert file_blocks(text, "hangman.py") == ([FileBlock("hangman.py", "class Hangman:\n    pass\n")], None)
    both = "```\nhangman.py\n```\n```python\nclass Hangman:\n    pass\n```"  # the code fenced too: its label
    assert file_blocks(both)[0] == [FileBlock("hangman.py", "class Hangman:\n    pass\n")]
    assert file_blocks("```\nhangman.py\n```\nclass Hangman:\n    pass\n")[0] == []  # never closed: not a file


def test_the_block_a_reply_is_still_writing() -> None:
    done = "a.py\n```python\nx = 1\n```\n\n"
    assert open_block(done) is None and open_block("Some prose.") is None
    assert open_block(done + "a_test.py\n```python\nimport unittest\n") == FileBlock("a_test.py", "import unittest\n")
    assert open_block(done + "```b.py\ny = 2\nz") == FileBlock("b.py", "y = 2\nz\n")
    assert open_block("```\nimport os\n") == FileBlock("", "import os\n")  # no label yet
