"""Import the user's own Chrome cookies into a local cookie jar file (as yt-dlp and
browser_cookie3 do), so a command-line tool can reuse a logged-in session. Nothing is sent."""

import base64
import json
import os
import shutil
import sqlite3
import tempfile

try:
    from win32crypt import CryptUnprotectData
except ImportError:  # not Windows
    CryptUnprotectData = None

PROFILE = os.path.join(os.getenv("LOCALAPPDATA", ""), "Google", "Chrome", "User Data", "Default")


def master_key():
    with open(os.path.join(PROFILE, "..", "Local State"), encoding="utf-8") as handle:
        encrypted = base64.b64decode(json.load(handle)["os_crypt"]["encrypted_key"])[5:]
    return CryptUnprotectData(encrypted, None, None, None, 0)[1]


def export_cookies(jar_path):
    with tempfile.TemporaryDirectory() as scratch:
        copy = os.path.join(scratch, "Cookies")
        shutil.copy2(os.path.join(PROFILE, "Network", "Cookies"), copy)
        rows = sqlite3.connect(copy).execute("SELECT host_key, name, path FROM cookies").fetchall()
    with open(jar_path, "w", encoding="utf-8") as jar:
        for host, name, path in rows:
            jar.write(f"{host}\tTRUE\t{path}\tFALSE\t0\t{name}\t\n")
