from word_count import word_count


def test_counts_words():
    assert word_count("one fish two fish") == {"one": 1, "fish": 2, "two": 1}


def test_ignores_case_and_punctuation():
    assert word_count("Go, go! GO?") == {"go": 3}
