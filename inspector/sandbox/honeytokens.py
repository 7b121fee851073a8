"""Decoy secrets: a lived-in, per-run unique home directory for the sandbox user.

Public interface (pure apart from writing under ``home``; no network, no processes)::

    choose_identity(rng: random.Random | None = None) -> Identity
    plant_decoys(home: Path, *, user: str, hostname: str, rng: random.Random | None = None,
                 full_name: str | None = None, now: datetime | None = None) -> DecoySet

    DecoyFile(path: str, kind: str, label: str, secrets: tuple[str, ...], is_dir: bool = False,
              fingerprints: tuple[str, ...] = (), readers: tuple[str, ...] = (),
              service_hosts: tuple[str, ...] = ())
    DecoyVariable(name: str, kind: str, value: str, service_hosts: tuple[str, ...] = ())
    DecoySet(user: str, hostname: str, files: tuple[DecoyFile, ...],
             environment: tuple[DecoyVariable, ...] = ())
        .kinds() -> tuple[str, ...]
        .match_path(path: str, home: str | None = None) -> DecoyFile | None
        .secrets() -> tuple[tuple[str, str], ...]            # (kind, value), text secrets
        .fingerprints() -> tuple[tuple[str, bytes], ...]     # (kind, bytes), binary markers
        .environment_dict() -> dict[str, str]
        .to_json() -> str;  DecoySet.from_json(text: str) -> DecoySet

What gets planted follows what the Contagious Interview stealers read (BeaverTail,
InvisibleFerret, the 2026 "coding assignment" variant): SSH keys, cloud and registry tokens,
Chromium-family browser profiles with wallet-extension LevelDB folders, Solana, Exodus,
Electrum, the GNOME keyring, another project's ``.env`` and a recovery-phrase note.

Every secret is drawn from ``rng`` per run, so a value seen leaving the sandbox can only have
come from this home. Nothing carries a giveaway word (no "honey", "canary", "decoy", "fake",
"test", "sandbox", "mock"), no documentation example key, and the files get past mtimes so the
home does not look created a second ago. Two deliberate choices keep ordinary tools quiet:
``.npmrc`` holds a token for a *scoped* GitHub Packages registry (a public ``npm install`` never
sends it), and ``.gitconfig`` sets no credential helper (git never offers ``.git-credentials``).

The caller copies the tree into the sandbox and chowns it to the sandbox user; modes here are
already the ones a real user would have (0600 for keys, 0700 for ``~/.ssh``).
"""

from __future__ import annotations

import base64
import json
import os
import posixpath
import random
import sqlite3
import struct
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

FORMAT_VERSION = 1

# Chrome Web Store ids of wallet extensions the campaign's stealers look for
# (research notes, section 4.5; Phantom from the BeaverTail list).
WALLET_EXTENSIONS: tuple[tuple[str, str], ...] = (
    ("nkbihfbeogaeaoehlefnkodbefgpgknn", "MetaMask"),
    ("ejbalbakoplchlghecdalmeeeajnimhm", "MetaMask (Edge)"),
    ("bfnaelmomeimhlpmgjnjophhpkkoljpa", "Phantom"),
    ("hnfanknocfeofbddgcijnmhnfnkdnaad", "Coinbase Wallet"),
    ("ibnejdfjmmkpcnlpebklmnkoeoihofec", "TronLink"),
    ("fhbohimaelbohpjbbldcngcnapndodjp", "Binance Wallet"),
    ("aeachknmefphepccionboohckonoeemg", "Coin98"),
    ("jblndlipeogpafnldhgmapagcccfchpi", "Kaia Wallet"),
    ("agoakfejjabomempkjlepdflaleeobhb", "Core"),
    ("aholpfdialjgjfhomihkjbmgjidlcdno", "Exodus Web3"),
    ("nphplpgoakhhjchkkhmiggakijnkhfnd", "TON Wallet"),
    ("bhhhlbepdkbapadjdnnojkbgioiodbic", "Solflare"),
    ("afbcbjpbpfadlkmhmclhkeeodmamcflc", "Math Wallet"),
    ("egjidjbpglichdcondbcbdnbeeppgdph", "Trust Wallet"),
    ("dmkamcknogkgcdfhhbddcghachkejeap", "Keplr"),
    ("fhmfendgdocmcbmfikdcogofphimnkno", "Sollet"),
    ("efbglgofoippbgcjepnhiblaibcnclgk", "Martian"),
    ("hmeobnfnfcmdkdcmlblgagmfpfboieaf", "XDEFI"),
)

# (directory under home, display name) of the Chromium-family browsers planted.
BROWSERS: tuple[tuple[str, str], ...] = (
    (".config/google-chrome", "Chrome"),
    (".config/BraveSoftware/Brave-Browser", "Brave"),
)

_FIRST_NAMES = (
    "alex",
    "anna",
    "daniel",
    "david",
    "elena",
    "emma",
    "james",
    "julia",
    "kevin",
    "laura",
    "lucas",
    "maria",
    "mark",
    "michael",
    "nina",
    "oliver",
    "paul",
    "sara",
    "sophie",
    "thomas",
    "tomas",
    "victor",
    "yuki",
    "omar",
    "priya",
    "diego",
    "ivan",
    "lena",
    "marco",
    "nora",
)
_LAST_NAMES = (
    "keller",
    "novak",
    "silva",
    "meyer",
    "costa",
    "fischer",
    "rossi",
    "walsh",
    "garcia",
    "kim",
    "petrov",
    "larsen",
    "moreau",
    "schmidt",
    "nakamura",
    "oconnor",
    "bauer",
    "duarte",
    "hughes",
    "lindqvist",
    "kowalski",
    "brennan",
    "ferreira",
    "haas",
    "romero",
    "tanaka",
    "varga",
    "weber",
)
_MACHINES = (
    "ThinkPad-T14s",
    "ThinkPad-X1-Carbon",
    "XPS-13-9310",
    "XPS-15-9520",
    "Latitude-5420",
    "HP-EliteBook-840-G8",
    "Precision-5560",
    "ZenBook-UX425",
    "Inspiron-15-5510",
    "desktop",
    "workstation",
    "laptop",
)
_PROJECTS = ("billing-service", "payments-api", "crm-backend", "admin-dashboard", "order-sync")
_COMPANY_DOMAINS = ("northwind.io", "brightlane.dev", "corvex.io", "tidalworks.com", "helixcore.dev")
_SSH_HOSTS = ("bastion", "build", "staging", "db-replica", "vpn")

# A slice of the BIP-39 English list: a recovery note only has to look like one.
_SEED_WORDS_TEXT = (
    "abandon ability able about above absent absorb abstract absurd abuse access accident account "
    "accuse achieve acid acoustic acquire across act action actor actress actual adapt add addict "
    "address adjust admit adult advance advice aerobic affair afford afraid again age agent agree "
    "ahead aim air airport aisle alarm album alcohol alert alien all alley allow almost alone alpha "
    "already also alter always amateur amazing among amount amused analyst anchor ancient anger "
    "angle angry animal ankle announce annual another answer antenna antique anxiety any apart "
    "apology appear apple approve april arch arctic area arena argue arm armed armor army around "
    "arrange arrest arrive arrow art artefact artist artwork ask aspect assault asset assist assume "
    "asthma athlete atom attack attend attitude attract auction audit august aunt author auto "
    "autumn average avocado avoid awake aware away awesome awful awkward axis baby bachelor bacon "
    "badge bag balance balcony ball bamboo banana banner bar barely bargain barrel base basic "
    "basket battle beach bean beauty because become beef before begin behave behind believe below "
    "belt bench benefit best betray better between beyond bicycle bid bike bind biology bird birth "
    "bitter black blade blame blanket blast bleak bless blind blood blossom blouse blue blur blush "
    "board boat body boil bomb bone bonus book boost border boring borrow boss bottom bounce box "
    "boy bracket brain brand brass brave bread breeze brick bridge brief bright bring brisk "
    "broccoli broken bronze broom brother brown brush bubble buddy budget buffalo build bulb bulk"
)

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_B64CHARS = _ALNUM + "+/"


@dataclass(frozen=True)
class Identity:
    """A plausible developer: login name, machine name and the name in ``.gitconfig``."""

    user: str
    hostname: str
    full_name: str


@dataclass(frozen=True)
class DecoyFile:
    """One planted file, or a folder (``is_dir``) where reading anything inside counts."""

    path: str  # relative to the home directory, forward slashes, no trailing slash
    kind: str  # stable machine name: "ssh-private-key", "browser-wallet-extension", ...
    label: str  # for people: "Chrome MetaMask extension storage"
    secrets: tuple[str, ...]  # text values unique to this run, searched in outbound traffic
    is_dir: bool = False
    fingerprints: tuple[str, ...] = ()  # hex of random byte runs inside binary files
    # Programs whose reads are ordinary (ssh reads ~/.ssh/config): basenames of a system binary
    # or of a script installed under a system path.
    readers: tuple[str, ...] = ()
    # Where the credential is legitimately presented (an SDK signing a request to its service).
    service_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecoyVariable:
    """A decoy environment variable; the caller exports it in the sandbox user's environment."""

    name: str
    kind: str
    value: str
    service_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecoySet:
    user: str
    hostname: str
    files: tuple[DecoyFile, ...]
    environment: tuple[DecoyVariable, ...] = ()
    _by_path: dict[str, DecoyFile] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_path.update({f.path: f for f in self.files})

    def kinds(self) -> tuple[str, ...]:
        """Distinct decoy kinds, in planting order (for ``RunInfo.honeytokens``)."""
        kinds = [f.kind for f in self.files] + [v.kind for v in self.environment]
        return tuple(dict.fromkeys(kinds))

    def match_path(self, path: str, home: str | None = None) -> DecoyFile | None:
        """The decoy an absolute sandbox path names, or that a decoy folder contains."""
        home_dir = posixpath.normpath(home if home is not None else f"/home/{self.user}")
        normal = posixpath.normpath(path)
        if not normal.startswith(home_dir + "/"):
            return None
        relative = normal[len(home_dir) + 1 :]
        found = self._by_path.get(relative)
        if found is not None:
            return found
        parts = relative.split("/")
        for depth in range(len(parts) - 1, 0, -1):
            candidate = self._by_path.get("/".join(parts[:depth]))
            if candidate is not None and candidate.is_dir:
                return candidate
        return None

    def secrets(self) -> tuple[tuple[str, str], ...]:
        pairs = [(f.kind, s) for f in self.files for s in f.secrets]
        pairs += [(v.kind, v.value) for v in self.environment]
        return tuple(pairs)

    def fingerprints(self) -> tuple[tuple[str, bytes], ...]:
        return tuple((f.kind, bytes.fromhex(h)) for f in self.files for h in f.fingerprints)

    def environment_dict(self) -> dict[str, str]:
        return {v.name: v.value for v in self.environment}

    def to_json(self) -> str:
        data = {
            "version": FORMAT_VERSION,
            "user": self.user,
            "hostname": self.hostname,
            "files": [asdict(f) for f in self.files],
            "environment": [asdict(v) for v in self.environment],
        }
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DecoySet:
        data = json.loads(text)
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"decoy set format {data.get('version')!r} is not {FORMAT_VERSION}")
        files = tuple(
            DecoyFile(
                path=str(f["path"]),
                kind=str(f["kind"]),
                label=str(f["label"]),
                secrets=tuple(f["secrets"]),
                is_dir=bool(f["is_dir"]),
                fingerprints=tuple(f["fingerprints"]),
                readers=tuple(f["readers"]),
                service_hosts=tuple(f["service_hosts"]),
            )
            for f in data["files"]
        )
        environment = tuple(
            DecoyVariable(
                name=str(e["name"]),
                kind=str(e["kind"]),
                value=str(e["value"]),
                service_hosts=tuple(e["service_hosts"]),
            )
            for e in data["environment"]
        )
        return cls(user=data["user"], hostname=data["hostname"], files=files, environment=environment)


def choose_identity(rng: random.Random | None = None) -> Identity:
    """A random, ordinary-looking user and machine (malware checks for ``hostname == 'box'``)."""
    rng = rng or random.SystemRandom()
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    user = rng.choice((first, first[0] + last, f"{first}.{last}", f"{first}{last[0]}"))
    machine = rng.choice(_MACHINES)
    hostname = f"{user.replace('.', '-')}-{machine}"
    return Identity(user=user, hostname=hostname, full_name=f"{first.title()} {_surname_title(last)}")


def plant_decoys(
    home: Path,
    *,
    user: str,
    hostname: str,
    rng: random.Random | None = None,
    full_name: str | None = None,
    now: datetime | None = None,
) -> DecoySet:
    """Write the decoy home under ``home`` (created if missing) and return what was planted."""
    planter = _Planter(home, user, hostname, rng or random.SystemRandom(), full_name, now)
    return planter.plant()


# ---------------------------------------------------------------------------------------


def _surname_title(last: str) -> str:
    return "O'Connor" if last == "oconnor" else last.title()


class _Planter:
    def __init__(
        self,
        home: Path,
        user: str,
        hostname: str,
        rng: random.Random,
        full_name: str | None,
        now: datetime | None,
    ) -> None:
        self.home = home
        self.user = user
        self.hostname = hostname
        self.rng = rng
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        self.full_name = full_name or f"{first.title()} {_surname_title(last)}"
        name_parts = self.full_name.lower().replace("'", "").split()
        self.personal_email = f"{name_parts[0]}.{name_parts[-1]}{rng.randint(10, 9999)}@gmail.com"
        self.company = rng.choice(_COMPANY_DOMAINS)
        self.work_email = f"{name_parts[0][0]}.{name_parts[-1]}@{self.company}"
        self.github_login = f"{name_parts[0][0]}{name_parts[-1]}-{rng.choice(('dev', 'code', 'gh'))}"
        self.project = rng.choice(_PROJECTS)
        self.now = now or datetime.now(UTC)
        self.files: list[DecoyFile] = []

    # -------------------------------------------------------------- helpers

    def token(self, length: int, alphabet: str = _ALNUM) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def randbytes(self, n: int) -> bytes:
        return self.rng.randbytes(n)

    def past(self, min_days: float, max_days: float) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(min_days, max_days))

    def write(self, relative: str, content: bytes | str, mode: int = 0o644) -> Path:
        target = self.home / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        target.write_bytes(data)
        target.chmod(mode)
        stamp = self.past(2, 400).timestamp()
        os.utime(target, (stamp, stamp))
        return target

    def add(self, decoy: DecoyFile) -> None:
        self.files.append(decoy)

    # -------------------------------------------------------------- plan

    def plant(self) -> DecoySet:
        self.home.mkdir(parents=True, exist_ok=True)
        self.lived_in()
        self.ssh()
        self.cloud()
        self.registries()
        self.dotenv()
        for directory, name in BROWSERS:
            self.browser(directory, name)
        self.solana()
        self.exodus()
        self.electrum()
        self.keyring()
        self.recovery_note()
        environment = (
            DecoyVariable("NPM_TOKEN", "npm-token", "npm_" + self.token(36), ("registry.npmjs.org",)),
            DecoyVariable("OPENAI_API_KEY", "openai-api-key", "sk-proj-" + self.token(48), ("api.openai.com",)),
        )
        for directory in (".ssh", ".gnupg", ".local/share/keyrings"):
            path = self.home / directory
            if path.exists():
                path.chmod(0o700)
        return DecoySet(self.user, self.hostname, tuple(self.files), environment)

    # -------------------------------------------------------------- filler

    def lived_in(self) -> None:
        for directory in ("Documents", "Downloads", "Desktop", ".cache", ".local/bin", ".gnupg"):
            (self.home / directory).mkdir(parents=True, exist_ok=True)
        self.write(
            ".gitconfig",
            f"[user]\n\tname = {self.full_name}\n\temail = {self.github_login}@users.noreply.github.com\n"
            "[init]\n\tdefaultBranch = main\n[pull]\n\trebase = false\n[core]\n\teditor = vim\n"
            "[alias]\n\tst = status\n\tco = checkout\n\tlg = log --oneline --graph --decorate\n",
        )
        self.write(".bashrc", _BASHRC)
        self.write(".profile", _PROFILE)
        history = [
            "ls -la",
            f"cd ~/projects/{self.project}",
            "git status",
            "git pull",
            "npm install",
            "npm run dev",
            "docker compose up -d",
            "git checkout -b fix/session-timeout",
            f"ssh {self.rng.choice(_SSH_HOSTS)}",
            "code .",
            "npm run lint",
            "git add -A && git commit -m 'wip'",
            "git push -u origin HEAD",
            "aws s3 ls",
            "kubectl get pods -n staging",
            "python3 -m venv .venv && . .venv/bin/activate",
            "pip install -r requirements.txt",
            "htop",
            "cd ..",
            "solana balance",
        ]
        lines = [self.rng.choice(history) for _ in range(self.rng.randint(60, 140))]
        self.write(".bash_history", "\n".join(lines) + "\n", 0o600)
        self.write(
            f"projects/{self.project}/README.md",
            f"# {self.project}\n\nInternal service. See the wiki for the deploy runbook.\n",
        )

    # -------------------------------------------------------------- credentials

    def ssh(self) -> None:
        key = Ed25519PrivateKey.from_private_bytes(self.randbytes(32))
        private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
        ).decode()
        public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        public_line = f"{public.decode()} {self.user}@{self.hostname}\n"
        self.write(".ssh/id_ed25519", private_pem, 0o600)
        self.write(".ssh/id_ed25519.pub", public_line)
        # The openssh-key-v1 header line is the same in every key; the lines after it carry
        # this key's material.
        body_lines = [line for line in private_pem.splitlines()[2:-1] if len(line) >= 40]
        ssh_readers = ("ssh", "scp", "sftp", "ssh-add", "ssh-keygen")
        self.add(
            DecoyFile(
                ".ssh/id_ed25519",
                "ssh-private-key",
                "SSH private key ~/.ssh/id_ed25519",
                (private_pem.strip(), *body_lines),
                readers=ssh_readers,
            )
        )
        self.add(
            DecoyFile(
                ".ssh/id_ed25519.pub",
                "ssh-public-key",
                "SSH public key ~/.ssh/id_ed25519.pub",
                (public.decode().split()[1],),
                readers=ssh_readers,
            )
        )
        bastion = f"{self.rng.choice(_SSH_HOSTS)}.{self.company}"
        config = (
            f"Host {bastion.split('.')[0]}\n    HostName {bastion}\n    User {self.user}\n"
            "    IdentityFile ~/.ssh/id_ed25519\n\nHost github.com\n    IdentityFile ~/.ssh/id_ed25519\n"
        )
        self.write(".ssh/config", config, 0o600)
        host_key = base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + self.randbytes(32)).decode()
        known = (
            "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
            f"{bastion} ssh-ed25519 {host_key}\n"
        )
        self.write(".ssh/known_hosts", known, 0o644)
        self.add(DecoyFile(".ssh/config", "ssh-config", "SSH client config ~/.ssh/config", (), readers=ssh_readers))
        self.add(DecoyFile(".ssh/known_hosts", "ssh-known-hosts", "SSH known hosts", (host_key,), readers=ssh_readers))

    def cloud(self) -> None:
        key_id = "AKIA" + self.token(16, _BASE32)
        secret = self.token(40, _B64CHARS)
        region = self.rng.choice(("eu-central-1", "us-east-1", "eu-west-1", "us-west-2"))
        self.write(
            ".aws/credentials",
            f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n",
            0o600,
        )
        self.write(".aws/config", f"[default]\nregion = {region}\noutput = json\n", 0o600)
        aws_readers = ("aws",)
        aws_hosts = ("amazonaws.com",)
        self.add(
            DecoyFile(
                ".aws/credentials",
                "aws-credentials",
                "AWS credentials ~/.aws/credentials",
                (key_id, secret),
                readers=aws_readers,
                service_hosts=aws_hosts,
            )
        )
        self.add(DecoyFile(".aws/config", "aws-config", "AWS config ~/.aws/config", (), readers=aws_readers))
        refresh = "1//0" + self.token(8) + "CgYIARAAGA" + self.token(6) + "-L9Ir" + self.token(70, _ALNUM + "-_")
        adc = {
            "account": "",
            "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",
            "client_secret": "d-FL95Q19q7MQmFpd7hHD0Ty",
            "quota_project_id": f"{self.project}-{self.rng.randint(100000, 999999)}",
            "refresh_token": refresh,
            "type": "authorized_user",
            "universe_domain": "googleapis.com",
        }
        self.write(".config/gcloud/application_default_credentials.json", json.dumps(adc, indent=2) + "\n", 0o600)
        self.write(".config/gcloud/active_config", "default")
        self.write(
            ".config/gcloud/configurations/config_default",
            f"[core]\naccount = {self.work_email}\nproject = {adc['quota_project_id']}\n",
        )
        self.add(
            DecoyFile(
                ".config/gcloud/application_default_credentials.json",
                "gcloud-credentials",
                "Google Cloud application default credentials",
                (refresh,),
                readers=("gcloud",),
                service_hosts=("googleapis.com",),
            )
        )

    def registries(self) -> None:
        scope = self.company.split(".")[0]
        npm_token = "ghp_" + self.token(36)
        self.write(
            ".npmrc",
            f"@{scope}:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken={npm_token}\nfund=false\n",
            0o600,
        )
        self.add(
            DecoyFile(
                ".npmrc",
                "npm-token",
                "npm registry token ~/.npmrc",
                (npm_token,),
                readers=("npm", "npm-cli.js", "npx", "npx-cli.js", "yarn", "yarn.js", "pnpm", "pnpm.cjs", "corepack"),
                service_hosts=("npm.pkg.github.com",),
            )
        )
        git_token = "ghp_" + self.token(36)
        self.write(".git-credentials", f"https://{self.github_login}:{git_token}@github.com\n", 0o600)
        self.add(
            DecoyFile(
                ".git-credentials",
                "git-credentials",
                "git credential store ~/.git-credentials",
                (git_token,),
                readers=("git", "git-credential-store"),
                service_hosts=("github.com",),
            )
        )
        gh_token = "gho_" + self.token(36)
        self.write(
            ".config/gh/hosts.yml",
            f"github.com:\n    users:\n        {self.github_login}:\n            oauth_token: {gh_token}\n"
            f"    git_protocol: https\n    user: {self.github_login}\n    oauth_token: {gh_token}\n",
            0o600,
        )
        self.write(".config/gh/config.yml", "version: 1\ngit_protocol: https\neditor:\nprompt: enabled\n")
        self.add(
            DecoyFile(
                ".config/gh/hosts.yml",
                "github-cli-token",
                "GitHub CLI token ~/.config/gh/hosts.yml",
                (gh_token,),
                readers=("gh",),
                service_hosts=("api.github.com", "github.com"),
            )
        )

    def dotenv(self) -> None:
        db_password = self.token(24)
        jwt_secret = self.randbytes(32).hex()
        stripe = "sk_live_51" + self.token(96)
        text = (
            "NODE_ENV=development\nPORT=4000\n"
            f"DATABASE_URL=postgres://app:{db_password}@localhost:5432/{self.project.replace('-', '_')}\n"
            f"JWT_SECRET={jwt_secret}\n"
            f"STRIPE_SECRET_KEY={stripe}\n"
            "REDIS_URL=redis://localhost:6379/0\n"
        )
        # A sibling project, never a parent of the workspace: dotenv loaders that walk up from
        # the working directory do not reach it, only something that goes looking does.
        path = f"projects/{self.project}/.env"
        self.write(path, text, 0o600)
        self.add(DecoyFile(path, "dotenv", f"environment file ~/{path}", (db_password, jwt_secret, stripe)))

    # -------------------------------------------------------------- browsers

    def browser(self, directory: str, name: str) -> None:
        profile = f"{directory}/Default"
        encrypted_key = base64.b64encode(b"v11" + self.randbytes(61)).decode()
        local_state = {
            "browser": {"enabled_labs_experiments": [], "last_redirect_origin": ""},
            "os_crypt": {"encrypted_key": encrypted_key, "portal": {"prev_init_success": False}},
            "profile": {
                "info_cache": {
                    "Default": {
                        "active_time": self.past(0, 3).timestamp(),
                        "gaia_name": self.full_name,
                        "name": self.full_name.split()[0],
                        "user_name": self.personal_email,
                    }
                },
                "last_used": "Default",
                "profiles_order": ["Default"],
            },
            "user_experience_metrics": {"stability": {"stats_version": 5}},
        }
        self.write(f"{directory}/Local State", json.dumps(local_state, separators=(",", ":")), 0o600)
        self.add(DecoyFile(f"{directory}/Local State", "browser-local-state", f"{name} Local State", (encrypted_key,)))
        login_user, login_fingerprints = self.login_data(f"{profile}/Login Data")
        self.add(
            DecoyFile(
                f"{profile}/Login Data",
                "browser-login-data",
                f"{name} saved passwords (Login Data)",
                (login_user,),
                fingerprints=login_fingerprints,
            )
        )
        cookie_fingerprints = self.cookies(f"{profile}/Cookies")
        self.add(
            DecoyFile(f"{profile}/Cookies", "browser-cookies", f"{name} cookies", (), fingerprints=cookie_fingerprints)
        )
        autofill_phone = self.web_data(f"{profile}/Web Data")
        self.add(DecoyFile(f"{profile}/Web Data", "browser-web-data", f"{name} autofill (Web Data)", (autofill_phone,)))
        for extension_id, wallet in WALLET_EXTENSIONS:
            folder = f"{profile}/Local Extension Settings/{extension_id}"
            vault = self.wallet_extension(folder)
            self.add(
                DecoyFile(
                    folder,
                    "browser-wallet-extension",
                    f"{name} {wallet} extension storage ({extension_id})",
                    (vault,),
                    is_dir=True,
                )
            )

    def sqlite(self, relative: str, script: str, rows: Sequence[tuple[str, Sequence[object]]]) -> None:
        target = self.home / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        connection = sqlite3.connect(target)
        try:
            connection.executescript(script)
            for statement, values in rows:
                connection.execute(statement, values)
            connection.commit()
        finally:
            connection.close()
        target.chmod(0o600)
        # Browsers touch their databases daily; a few hours to two days old.
        stamp = self.past(0.1, 2).timestamp()
        os.utime(target, (stamp, stamp))

    def chrome_time(self, when: datetime) -> int:
        """Microseconds since 1601-01-01, the way Chromium stores times."""
        return int((when - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)

    def login_data(self, relative: str) -> tuple[str, tuple[str, ...]]:
        # Only this file holds the exchange login, so a hit on it names this file.
        name_parts = self.full_name.lower().replace("'", "").split()
        login_user = f"{name_parts[0]}{name_parts[-1][0]}.{self.rng.randint(100, 99999)}@proton.me"
        sites = [
            (
                "https://accounts.google.com/",
                "https://accounts.google.com/signin/v2/challenge/pwd",
                self.personal_email,
            ),
            ("https://github.com/", "https://github.com/session", self.github_login),
            ("https://www.binance.com/", "https://accounts.binance.com/en/login", login_user),
            ("https://app.slack.com/", "https://app.slack.com/sign_in", self.work_email),
            ("https://login.microsoftonline.com/", "https://login.microsoftonline.com/common/login", self.work_email),
            ("https://www.linkedin.com/", "https://www.linkedin.com/checkpoint/lg/login-submit", self.personal_email),
        ]
        rows = []
        fingerprints = []
        for origin, action, username in sites:
            secret_blob = self.randbytes(32)
            fingerprints.append(secret_blob.hex())
            created = self.chrome_time(self.past(30, 900))
            rows.append(
                (
                    "INSERT INTO logins (origin_url, action_url, username_element, username_value,"
                    " password_element, password_value, signon_realm, date_created, blacklisted_by_user,"
                    " scheme, password_type, times_used, date_last_used, date_password_modified)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?)",
                    (
                        origin,
                        action,
                        "username",
                        username,
                        "password",
                        b"v11" + secret_blob,
                        origin,
                        created,
                        self.rng.randint(1, 80),
                        self.chrome_time(self.past(0, 30)),
                        created,
                    ),
                )
            )
        self.sqlite(relative, _LOGIN_DATA_SCHEMA, rows)
        return login_user, tuple(fingerprints)

    def cookies(self, relative: str) -> tuple[str, ...]:
        hosts = (".github.com", ".google.com", "app.slack.com", ".binance.com", ".linkedin.com")
        names = ("user_session", "SID", "d", "p20t", "li_at")
        rows = []
        fingerprints = []
        for host, name in zip(hosts, names, strict=True):
            blob = self.randbytes(48)
            fingerprints.append(blob.hex())
            created = self.chrome_time(self.past(1, 60))
            rows.append(
                (
                    "INSERT INTO cookies (creation_utc, host_key, top_frame_site_key, name, value,"
                    " encrypted_value, path, expires_utc, is_secure, is_httponly, last_access_utc,"
                    " has_expires, is_persistent, priority, samesite, source_scheme, source_port,"
                    " last_update_utc) VALUES (?, ?, '', ?, '', ?, '/', ?, 1, 1, ?, 1, 1, 1, 0, 2, 443, ?)",
                    (created, host, name, b"v11" + blob, created + 31_536_000_000_000, created, created),
                )
            )
        self.sqlite(relative, _COOKIES_SCHEMA, rows)
        return tuple(fingerprints)

    def web_data(self, relative: str) -> str:
        phone = f"+49 15{self.rng.randint(1, 9)} {self.rng.randint(1000000, 9999999)}"
        entries = (
            ("email", self.personal_email),
            ("name", self.full_name),
            ("phone", phone),
            ("company", self.company.split(".")[0].title()),
        )
        rows = [
            (
                "INSERT INTO autofill (name, value, value_lower, date_created, date_last_used, count)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    name,
                    value,
                    value.lower(),
                    int(self.past(30, 600).timestamp()),
                    int(self.past(0, 30).timestamp()),
                    self.rng.randint(1, 40),
                ),
            )
            for name, value in entries
        ]
        self.sqlite(relative, _WEB_DATA_SCHEMA, rows)
        return phone

    def wallet_extension(self, folder: str) -> str:
        """A LevelDB folder as Chromium leaves it for ``chrome.storage.local``; returns the vault data."""
        data = base64.b64encode(self.randbytes(self.rng.randint(380, 720))).decode()
        vault = {
            "data": data,
            "iv": base64.b64encode(self.randbytes(16)).decode(),
            "keyMetadata": {"algorithm": "PBKDF2", "params": {"iterations": 600000}},
            "salt": base64.b64encode(self.randbytes(32)).decode(),
        }
        state = {
            "KeyringController": {"vault": json.dumps(vault, separators=(",", ":"))},
            "PreferencesController": {"selectedAddress": "0x" + self.randbytes(20).hex()},
        }
        meta = {"version": self.rng.randint(90, 130)}
        sequence = self.rng.randint(20, 400)
        batch = _leveldb_batch(
            sequence,
            [(b"data", json.dumps(state, separators=(",", ":")).encode()), (b"meta", json.dumps(meta).encode())],
        )
        self.write(f"{folder}/000003.log", _leveldb_log_record(batch), 0o600)
        self.write(f"{folder}/CURRENT", "MANIFEST-000001\n", 0o600)
        self.write(f"{folder}/LOCK", b"", 0o600)
        manifest = (
            _leveldb_string(1, b"leveldb.BytewiseComparator")
            + bytes([2])
            + _varint(3)
            + bytes([3])
            + _varint(4)
            + bytes([4])
            + _varint(sequence + 1)
        )
        self.write(f"{folder}/MANIFEST-000001", _leveldb_log_record(manifest), 0o600)
        opened = self.past(0, 3)
        thread = f"{self.rng.randint(0x1000, 0xFFFF):x}"
        stamp = opened.strftime("%Y/%m/%d-%H:%M:%S.") + f"{opened.microsecond:06d}"
        absolute = f"/home/{self.user}/{folder}"
        self.write(
            f"{folder}/LOG",
            f"{stamp} {thread} Reusing MANIFEST {absolute}/MANIFEST-000001\n"
            f"{stamp} {thread} Recovering log #3\n"
            f"{stamp} {thread} Reusing old log {absolute}/000003.log \n",
            0o600,
        )
        return data

    # -------------------------------------------------------------- wallets and keyrings

    def solana(self) -> None:
        key = Ed25519PrivateKey.from_private_bytes(self.randbytes(32))
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        seed = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        numbers = list(seed + public)
        text = "[" + ",".join(str(n) for n in numbers) + "]"
        self.write(".config/solana/id.json", text, 0o600)
        self.write(
            ".config/solana/cli/config.yml",
            "---\njson_rpc_url: https://api.mainnet-beta.solana.com\nwebsocket_url: ''\n"
            f"keypair_path: /home/{self.user}/.config/solana/id.json\naddress_labels:\n"
            "  '11111111111111111111111111111111': System Program\ncommitment: confirmed\n",
        )
        self.add(
            DecoyFile(
                ".config/solana/id.json",
                "solana-keypair",
                "Solana keypair ~/.config/solana/id.json",
                (text, ",".join(str(n) for n in numbers[:24])),
                readers=("solana", "solana-keygen"),
            )
        )

    def exodus(self) -> None:
        folder = ".config/Exodus/exodus.wallet"
        fingerprints = []
        for name, size in (("seed.seco", 1200), ("storage.seco", 4096), ("info.seco", 600)):
            body = self.randbytes(size)
            fingerprints.append(body[64:96].hex())
            self.write(f"{folder}/{name}", b"SECO" + struct.pack(">I", 1) + body, 0o600)
        passphrase = self.token(32)
        self.write(f"{folder}/passphrase.json", json.dumps({"passphrase": passphrase}), 0o600)
        self.write(".config/Exodus/window-state.json", '{"width":1200,"height":800,"isMaximized":false}')
        self.add(
            DecoyFile(
                folder,
                "exodus-wallet",
                "Exodus wallet ~/.config/Exodus/exodus.wallet",
                (passphrase,),
                is_dir=True,
                fingerprints=tuple(fingerprints),
            )
        )

    def electrum(self) -> None:
        blob = base64.b64encode(b"BIE1" + self.randbytes(self.rng.randint(900, 1600))).decode()
        self.write(".electrum/wallets/default_wallet", blob, 0o600)
        self.write(
            ".electrum/config",
            json.dumps(
                {"config_version": 3, "gui_last_wallet": f"/home/{self.user}/.electrum/wallets/default_wallet"},
                indent=4,
            ),
            0o600,
        )
        self.add(
            DecoyFile(
                ".electrum/wallets/default_wallet",
                "electrum-wallet",
                "Electrum wallet ~/.electrum/wallets/default_wallet",
                (blob[8:120],),
                readers=("electrum",),
            )
        )

    def keyring(self) -> None:
        folder = ".local/share/keyrings"
        body = self.randbytes(self.rng.randint(700, 1500))
        header = b"GnomeKeyring\n\r\x00\n" + bytes([0, 0, 0, 0])
        self.write(f"{folder}/login.keyring", header + _gnome_string("Login") + body, 0o600)
        self.write(f"{folder}/user.keystore", self.randbytes(self.rng.randint(300, 600)), 0o600)
        self.add(
            DecoyFile(
                folder,
                "gnome-keyring",
                "GNOME keyring ~/.local/share/keyrings",
                (),
                is_dir=True,
                fingerprints=(body[32:64].hex(),),
                readers=("gnome-keyring-daemon", "secret-tool"),
            )
        )

    def recovery_note(self) -> None:
        seed_words = _SEED_WORDS_TEXT.split()
        words = " ".join(self.rng.choice(seed_words) for _ in range(12))
        path = "Documents/wallet-recovery.txt"
        self.write(path, f"metamask backup {self.past(100, 700):%Y-%m-%d}\n\n{words}\n", 0o600)
        self.add(DecoyFile(path, "seed-phrase-note", f"recovery phrase note ~/{path}", (words,)))


# ---------------------------------------------------------------------------------------
# file formats


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _leveldb_string(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _varint(len(value)) + value


def _leveldb_batch(sequence: int, entries: list[tuple[bytes, bytes]]) -> bytes:
    out = struct.pack("<QI", sequence, len(entries))
    for key, value in entries:
        out += b"\x01" + _varint(len(key)) + key + _varint(len(value)) + value
    return out


def _crc32c_table() -> tuple[int, ...]:
    table = []
    for n in range(256):
        crc = n
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC32C = _crc32c_table()


def _crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _leveldb_log_record(payload: bytes) -> bytes:
    """One FULL record of LevelDB's log format (payloads here stay under a 32 KiB block)."""
    record_type = 1
    crc = _crc32c(bytes([record_type]) + payload)
    masked = (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
    return struct.pack("<IHB", masked, len(payload), record_type) + payload


def _gnome_string(value: str) -> bytes:
    raw = value.encode()
    return struct.pack(">I", len(raw)) + raw


_BASHRC = """# ~/.bashrc: executed by bash(1) for non-login shells.
case $- in
    *i*) ;;
      *) return;;
esac
HISTCONTROL=ignoreboth
shopt -s histappend
HISTSIZE=1000
HISTFILESIZE=2000
shopt -s checkwinsize
alias ll='ls -alF'
alias la='ls -A'
alias l='ls -CF'
export PATH="$HOME/.local/bin:$PATH"
"""

_PROFILE = """# ~/.profile: executed by the command interpreter for login shells.
if [ -n "$BASH_VERSION" ]; then
    if [ -f "$HOME/.bashrc" ]; then
        . "$HOME/.bashrc"
    fi
fi
if [ -d "$HOME/.local/bin" ] ; then
    PATH="$HOME/.local/bin:$PATH"
fi
"""

_LOGIN_DATA_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
INSERT INTO meta VALUES ('mmap_status', '-1'), ('version', '40'), ('last_compatible_version', '40');
CREATE TABLE logins (origin_url VARCHAR NOT NULL, action_url VARCHAR, username_element VARCHAR,
 username_value VARCHAR, password_element VARCHAR, password_value BLOB, submit_element VARCHAR,
 signon_realm VARCHAR NOT NULL, date_created INTEGER NOT NULL, blacklisted_by_user INTEGER NOT NULL,
 scheme INTEGER NOT NULL, password_type INTEGER, times_used INTEGER, form_data BLOB,
 display_name VARCHAR, icon_url VARCHAR, federation_url VARCHAR, skip_zero_click INTEGER,
 generation_upload_status INTEGER, possible_username_pairs BLOB, id INTEGER PRIMARY KEY AUTOINCREMENT,
 date_last_used INTEGER NOT NULL DEFAULT 0, moving_blocked_for BLOB, date_password_modified INTEGER NOT NULL DEFAULT 0,
 UNIQUE (origin_url, username_element, username_value, password_element, signon_realm));
CREATE INDEX logins_signon ON logins (signon_realm);
CREATE TABLE stats (origin_domain VARCHAR NOT NULL, username_value VARCHAR, dismissal_count INTEGER,
 update_time INTEGER NOT NULL, UNIQUE(origin_domain, username_value));
"""

_COOKIES_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
INSERT INTO meta VALUES ('mmap_status', '-1'), ('version', '21'), ('last_compatible_version', '21');
CREATE TABLE cookies(creation_utc INTEGER NOT NULL, host_key TEXT NOT NULL, top_frame_site_key TEXT NOT NULL,
 name TEXT NOT NULL, value TEXT NOT NULL, encrypted_value BLOB NOT NULL, path TEXT NOT NULL,
 expires_utc INTEGER NOT NULL, is_secure INTEGER NOT NULL, is_httponly INTEGER NOT NULL,
 last_access_utc INTEGER NOT NULL, has_expires INTEGER NOT NULL, is_persistent INTEGER NOT NULL,
 priority INTEGER NOT NULL, samesite INTEGER NOT NULL, source_scheme INTEGER NOT NULL,
 source_port INTEGER NOT NULL, last_update_utc INTEGER NOT NULL);
CREATE UNIQUE INDEX cookies_unique_index
 ON cookies(host_key, top_frame_site_key, name, path, source_scheme, source_port);
"""

_WEB_DATA_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
INSERT INTO meta VALUES ('mmap_status', '-1'), ('version', '122'), ('last_compatible_version', '121');
CREATE TABLE autofill (name VARCHAR, value VARCHAR, value_lower VARCHAR, date_created INTEGER DEFAULT 0,
 date_last_used INTEGER DEFAULT 0, count INTEGER DEFAULT 1, PRIMARY KEY (name, value));
CREATE INDEX autofill_name ON autofill (name);
CREATE TABLE credit_cards (guid VARCHAR PRIMARY KEY, name_on_card VARCHAR, expiration_month INTEGER,
 expiration_year INTEGER, card_number_encrypted BLOB, date_modified INTEGER NOT NULL DEFAULT 0,
 origin VARCHAR DEFAULT '', use_count INTEGER NOT NULL DEFAULT 0, use_date INTEGER NOT NULL DEFAULT 0,
 billing_address_id VARCHAR, nickname VARCHAR);
"""
