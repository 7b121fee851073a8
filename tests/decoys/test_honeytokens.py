from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector.sandbox.honeytokens import (
    BROWSERS,
    WALLET_EXTENSIONS,
    DecoySet,
    choose_identity,
    plant_decoys,
)

GIVEAWAYS = ("honey", "canary", "decoy", "fake", "test", "sandbox", "mock", "example")


def test_ssh_key_is_a_real_openssh_ed25519_key(planted):
    home, _ = planted
    key = serialization.load_ssh_private_key((home / ".ssh/id_ed25519").read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    public = (home / ".ssh/id_ed25519.pub").read_text().split()
    derived = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    assert " ".join(public[:2]) == derived.decode()
    assert public[2] == "dev@dev-ThinkPad-T14s"
    assert (home / ".ssh/id_ed25519").stat().st_mode & 0o777 == 0o600
    assert (home / ".ssh").stat().st_mode & 0o777 == 0o700


def test_cloud_and_registry_tokens_have_real_formats(planted):
    home, _ = planted
    credentials = (home / ".aws/credentials").read_text()
    assert re.search(r"^aws_access_key_id = AKIA[A-Z2-7]{16}$", credentials, re.M)
    assert re.search(r"^aws_secret_access_key = [A-Za-z0-9+/]{40}$", credentials, re.M)
    assert re.search(r"_authToken=ghp_[A-Za-z0-9]{36}$", (home / ".npmrc").read_text(), re.M)
    assert re.search(r"oauth_token: gho_[A-Za-z0-9]{36}$", (home / ".config/gh/hosts.yml").read_text(), re.M)
    assert re.search(r"https://[\w-]+:ghp_[A-Za-z0-9]{36}@github.com", (home / ".git-credentials").read_text())
    adc = json.loads((home / ".config/gcloud/application_default_credentials.json").read_text())
    assert adc["type"] == "authorized_user" and adc["refresh_token"].startswith("1//0")


def test_browser_profiles_are_real_sqlite_and_json(planted):
    home, decoys = planted
    for directory, _ in BROWSERS:
        state = json.loads((home / directory / "Local State").read_text())
        encrypted_key = state["os_crypt"]["encrypted_key"]
        assert ("browser-local-state", encrypted_key) in decoys.secrets()
        with sqlite3.connect(home / directory / "Default/Login Data") as db:
            rows = db.execute("SELECT origin_url, username_value, password_value FROM logins").fetchall()
        assert len(rows) >= 5
        assert all(isinstance(password, bytes) and password.startswith(b"v11") for _, _, password in rows)
        with sqlite3.connect(home / directory / "Default/Cookies") as db:
            assert db.execute("SELECT count(*) FROM cookies").fetchone()[0] >= 5
        with sqlite3.connect(home / directory / "Default/Web Data") as db:
            assert db.execute("SELECT count(*) FROM autofill").fetchone()[0] >= 4


def test_every_wallet_extension_folder_looks_like_leveldb(planted):
    home, decoys = planted
    vault_pattern = re.compile(rb'\{\\"data\\":\\"([A-Za-z0-9+/=]+)\\",\\"iv\\"')
    for directory, _ in BROWSERS:
        for extension_id, _ in WALLET_EXTENSIONS:
            folder = home / directory / "Default/Local Extension Settings" / extension_id
            names = {p.name for p in folder.iterdir()}
            assert names == {"CURRENT", "LOCK", "LOG", "MANIFEST-000001", "000003.log"}
            assert (folder / "CURRENT").read_text() == "MANIFEST-000001\n"
            # What a stealer greps out of the log: the vault, equal to the planted secret.
            found = vault_pattern.search((folder / "000003.log").read_bytes())
            assert found is not None
            decoy = decoys.match_path(str(folder / "000003.log"), str(home))
            assert decoy is not None and decoy.kind == "browser-wallet-extension"
            assert decoy.secrets == (found.group(1).decode(),)


def test_wallets_and_keyrings(planted):
    home, _ = planted
    numbers = json.loads((home / ".config/solana/id.json").read_text())
    assert len(numbers) == 64 and all(0 <= n <= 255 for n in numbers)
    key = Ed25519PrivateKey.from_private_bytes(bytes(numbers[:32]))
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert public == bytes(numbers[32:])
    exodus = home / ".config/Exodus/exodus.wallet"
    assert {p.name for p in exodus.iterdir()} >= {"seed.seco", "passphrase.json", "storage.seco"}
    assert (exodus / "seed.seco").read_bytes().startswith(b"SECO")
    assert (home / ".local/share/keyrings/login.keyring").read_bytes().startswith(b"GnomeKeyring\n\r\x00\n")
    assert (home / ".electrum/wallets/default_wallet").read_text().startswith("QklFM")
    assert len((home / "Documents/wallet-recovery.txt").read_text().split("\n")[2].split()) == 12


def test_nothing_gives_the_home_away(planted):
    home, decoys = planted
    for path in home.rglob("*"):
        relative = str(path.relative_to(home)).lower()
        assert not any(word in relative for word in GIVEAWAYS), relative
        if path.is_file():
            content = path.read_bytes().lower()
            for word in GIVEAWAYS:
                assert word.encode() not in content, (relative, word)
            assert b"/tmp/" not in content
            assert str(home).encode() not in content
    assert "AKIAIOSFODNN7EXAMPLE" not in decoys.to_json()
    assert not any(word in value.lower() for _, value in decoys.secrets() for word in GIVEAWAYS)


def test_files_look_lived_in(planted):
    home, _ = planted
    hour_ago = time.time() - 3600
    files = [p for p in home.rglob("*") if p.is_file()]
    assert len(files) > 150
    assert all(p.stat().st_mtime < hour_ago for p in files)
    assert len((home / ".bash_history").read_text().splitlines()) >= 60


def test_two_runs_give_different_secrets(tmp_path):
    first = plant_decoys(tmp_path / "a", user="dev", hostname="dev-laptop")
    second = plant_decoys(tmp_path / "b", user="dev", hostname="dev-laptop")
    first_values = {value for _, value in first.secrets()} | {f for _, f in first.fingerprints()}
    second_values = {value for _, value in second.secrets()} | {f for _, f in second.fingerprints()}
    assert first_values and not first_values & second_values
    assert (tmp_path / "a/.ssh/id_ed25519").read_bytes() != (tmp_path / "b/.ssh/id_ed25519").read_bytes()


def test_match_path(planted):
    _, decoys = planted
    wallet = "/home/dev/.config/BraveSoftware/Brave-Browser/Default/Local Extension Settings/" + WALLET_EXTENSIONS[0][0]
    assert decoys.match_path("/home/dev/.ssh/id_ed25519").kind == "ssh-private-key"
    assert decoys.match_path("/home/dev/projects/../.ssh/id_ed25519").kind == "ssh-private-key"
    assert decoys.match_path(wallet).kind == "browser-wallet-extension"
    assert decoys.match_path(wallet + "/000005.ldb").kind == "browser-wallet-extension"
    assert decoys.match_path(wallet + "x/000003.log") is None
    assert decoys.match_path("/home/dev/.ssh") is None
    assert decoys.match_path("/home/dev/.ssh/id_ed25519.bak") is None
    assert decoys.match_path("/home/other/.ssh/id_ed25519") is None
    assert decoys.match_path("/srv/u/.ssh/id_ed25519", home="/srv/u").kind == "ssh-private-key"
    assert decoys.match_path("/home/dev/.config/Exodus/exodus.wallet/seed.seco").kind == "exodus-wallet"


def test_kinds_and_environment(planted):
    _, decoys = planted
    kinds = decoys.kinds()
    for expected in (
        "ssh-private-key",
        "aws-credentials",
        "npm-token",
        "dotenv",
        "browser-login-data",
        "browser-local-state",
        "browser-wallet-extension",
        "solana-keypair",
        "exodus-wallet",
        "gnome-keyring",
        "electrum-wallet",
    ):
        assert expected in kinds
    assert len(kinds) == len(set(kinds))
    environment = decoys.environment_dict()
    assert re.fullmatch(r"npm_[A-Za-z0-9]{36}", environment["NPM_TOKEN"])


def test_json_round_trip(planted):
    _, decoys = planted
    again = DecoySet.from_json(decoys.to_json())
    assert again == decoys
    assert again.match_path("/home/dev/.aws/credentials").kind == "aws-credentials"
    with pytest.raises(ValueError, match="format"):
        DecoySet.from_json(json.dumps({"version": 99}))


def test_choose_identity_is_plausible_and_varied():
    identities = {choose_identity() for _ in range(30)}
    assert len({i.hostname for i in identities}) > 5
    for identity in identities:
        assert re.fullmatch(r"[a-z][a-z.]+", identity.user)
        assert identity.hostname.startswith(identity.user.replace(".", "-") + "-")
        assert identity.hostname not in ("box", "sandbox", "localhost")
        assert " " in identity.full_name


def test_home_is_created_under_the_given_path_only(tmp_path):
    home = tmp_path / "nested" / "dev"
    decoys = plant_decoys(home, user="dev", hostname="h-laptop")
    for decoy in decoys.files:
        assert (home / decoy.path).exists(), decoy.path
    assert {p.name for p in tmp_path.iterdir()} == {"nested"}
    assert isinstance(Path(home), Path)
