"""Settings whose secrets are stored encrypted; the key comes from the environment."""

import os

from cryptography.fernet import Fernet


def database_password() -> str:
    cipher = Fernet(os.environ["SETTINGS_KEY"].encode())
    return cipher.decrypt(os.environ["DATABASE_PASSWORD_TOKEN"].encode()).decode()


def encrypt_for_storage(value: str) -> bytes:
    return Fernet(os.environ["SETTINGS_KEY"].encode()).encrypt(value.encode())
