import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The demo hashes its one password per build; a fast hasher keeps these tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
