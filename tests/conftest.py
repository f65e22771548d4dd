"""Shared fixtures live in tests/fixtures/, one module per family, loaded here."""

pytest_plugins = [
    "tests.fixtures.images",
    "tests.fixtures.pg",
    "tests.fixtures.tiny_siglip",
    "tests.fixtures.fake_servers",
    "tests.fixtures.orthanc",
    "tests.fixtures.fake_supabase",
    "tests.fixtures.api_client",
    "tests.fixtures.browser",
]
