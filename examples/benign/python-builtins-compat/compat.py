"""Python 2/3 compatibility names and a command table looked up by name, as older libraries do."""

import builtins

text_type = getattr(builtins, "unicode", str)
input_func = getattr(__builtins__, "raw_input", None) or input

SAFE_FUNCTIONS = ("abs", "min", "max", "round")


def call_builtin(name, *args):
    if name not in SAFE_FUNCTIONS:
        raise ValueError(name)
    return getattr(builtins, name)(*args)
