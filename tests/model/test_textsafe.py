from inspector.textsafe import terminal_safe


def test_escape_sequences_are_shown_not_emitted():
    hostile = "ok\x1b]0;pwned\x07\x1b[2J\r\u202eevil\u200b\ufe0f"
    safe = terminal_safe(hostile)
    assert "\x1b" not in safe and "\x07" not in safe and "\r" not in safe
    assert "\u202e" not in safe and "\u200b" not in safe and "\ufe0f" not in safe
    assert safe == "ok\\x1b]0;pwned\\x07\\x1b[2J\\r<U+202E>evil<U+200B><U+FE0F>"


def test_plain_text_is_unchanged_and_newlines_optional():
    assert terminal_safe("héllo wörld 你好") == "héllo wörld 你好"
    assert terminal_safe("a\nb") == "a\\nb"
    assert terminal_safe("a\nb", keep_newlines=True) == "a\nb"


def test_limit_truncates_visibly():
    assert terminal_safe("x" * 50, limit=10).startswith("x" * 10 + "… [40 more")
