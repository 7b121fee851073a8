"""Builds the sandbox images locally, with no image registry.

The base (``inspector/base:bookworm``) is a debootstrap of Debian bookworm (minbase +
ca-certificates) from the host's own Debian mirror, imported with ``docker import``; the node
and python images are ordinary Dockerfiles ``FROM`` it (``sandbox-images/`` beside this module), whose builds only
need that same Debian mirror. The sandbox user's login name is chosen once per machine, at the
first build, from common names (a fixed name is a sandbox tell), and kept as an image label.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from importlib import resources
from pathlib import Path

import docker
import docker.errors

from inspector.errors import SandboxError
from inspector.progress import Progress
from inspector.sandbox.docker import connect

BASE_IMAGE = "inspector/base:bookworm"
NODE_IMAGE = "inspector/sandbox-node"
PYTHON_IMAGE = "inspector/sandbox-python"
IMAGES = {NODE_IMAGE: "node", PYTHON_IMAGE: "python"}  # image -> directory under sandbox-images/
DEFAULT_MIRROR = "http://deb.debian.org/debian"
# Package data; a docker build context must be a real directory, which an install on a file system gives.
IMAGES_DIR = Path(str(resources.files("inspector.sandbox") / "sandbox-images"))
_LOGIN_NAMES = (
    "akeller",
    "dnovak",
    "msilva",
    "jmeyer",
    "lcosta",
    "tfischer",
    "srossi",
    "pwalsh",
    "egarcia",
    "jkim",
    "ipetrov",
    "nlarsen",
    "omoreau",
    "aschmidt",
    "ynakamura",
    "mkowalski",
    "dbrennan",
)
_URI_RE = re.compile(r"(?:^URIs:\s*|^deb\s+(?:\[[^\]]*\]\s+)?)(https?://\S+)", re.MULTILINE)


def debian_mirror() -> str:
    """The host's Debian mirror (it is the one that answers here), else deb.debian.org."""
    override = os.environ.get("INSPECTOR_DEBIAN_MIRROR")
    if override:
        return override
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for source in sources:
        try:
            text = source.read_text()
        except OSError:
            continue
        for uri in _URI_RE.findall(text):
            if str(uri).rstrip("/").endswith("/debian"):
                return str(uri).rstrip("/")
    return DEFAULT_MIRROR


def image_present(client: docker.DockerClient, name: str) -> bool:
    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    return True


def _login_name(client: docker.DockerClient) -> str:
    for image in IMAGES:
        if image_present(client, image):
            existing = client.images.get(image).labels.get("inspector.user")
            if existing:
                return str(existing)
    return secrets.choice(_LOGIN_NAMES)


def build_base(client: docker.DockerClient, progress: Progress) -> None:
    if os.geteuid() != 0 or shutil.which("debootstrap") is None:
        raise SandboxError(
            f"the base image {BASE_IMAGE} is missing and cannot be built here (needs root and debootstrap)",
            fix="as root: apt-get install -y debootstrap, then run `inspector images build`",
        )
    mirror = debian_mirror()
    progress.step(f"building {BASE_IMAGE} with debootstrap from {mirror}")
    with tempfile.TemporaryDirectory(prefix="inspector-base-", dir="/var/tmp") as scratch:
        rootfs = Path(scratch) / "rootfs"
        done = subprocess.run(
            ["debootstrap", "--variant=minbase", "--include=ca-certificates", "bookworm", str(rootfs), mirror],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SandboxError(
                f"debootstrap failed: {done.stdout[-400:]}{done.stderr[-400:]}",
                fix="check that the Debian mirror answers, or set INSPECTOR_DEBIAN_MIRROR to one that does",
            )
        archive = Path(scratch) / "rootfs.tar"
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(archive), "."], check=True)
        repository, tag = BASE_IMAGE.split(":")
        client.api.import_image_from_file(str(archive), repository=repository, tag=tag, changes=['CMD ["/bin/bash"]'])


def build_images(progress: Progress, force: bool = False, client: docker.DockerClient | None = None) -> list[str]:
    """Build the sandbox images that are missing (all of them with ``force``); returns those built."""
    if client is None:
        client = connect()
    built: list[str] = []
    if force or not image_present(client, BASE_IMAGE):
        started = time.monotonic()
        build_base(client, progress)
        progress.step(f"built {BASE_IMAGE} in {time.monotonic() - started:.1f} s")
        built.append(BASE_IMAGE)
    user = _login_name(client)
    for image, directory in IMAGES.items():
        if not force and image_present(client, image):
            continue
        context = IMAGES_DIR / directory
        if not (context / "Dockerfile").exists():
            raise SandboxError(
                f"the image recipe {context / 'Dockerfile'} is missing",
                fix="reinstall untrusted-repo-inspector: its wheel carries inspector/sandbox/sandbox-images/",
            )
        progress.step(f"building {image} (Debian packages from the mirror)")
        started = time.monotonic()
        try:
            client.images.build(
                path=str(context),
                tag=image,
                buildargs={"USER_NAME": user},
                rm=True,
                forcerm=True,
                pull=False,
            )
        except docker.errors.BuildError as err:
            log = "".join(str(chunk.get("stream", "")) for chunk in err.build_log)[-600:]
            raise SandboxError(
                f"building {image} failed: {err.msg}\n{log}",
                fix="check that builds reach the Debian mirror (sandbox-images/ uses only Debian packages)",
            ) from err
        progress.step(f"built {image} in {time.monotonic() - started:.1f} s")
        built.append(image)
    return built
