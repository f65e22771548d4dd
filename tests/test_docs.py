"""The README stays true: every CLI subcommand and every setting is documented; the commands exist."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import pytest

from medrag_core.settings import ENV_NAMES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:  # argparse has no public accessor for subparsers
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


@pytest.mark.parametrize("module", ["medrag_core", "etl"])
def test_every_subcommand_is_in_the_readme(module: str) -> None:
    if module == "etl":
        from etl.__main__ import build_parser
    else:
        from medrag_core.__main__ import build_parser
    names = subcommands(build_parser())
    assert names, "the CLI has subcommands"
    for name in names:
        assert f"python -m {module} {name}" in README, f"python -m {module} {name} is not in the README"


def test_every_subcommand_has_help() -> None:
    from etl.__main__ import build_parser as etl_parser
    from medrag_core.__main__ import build_parser as core_parser

    for parser in (etl_parser(), core_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {choice.dest: choice.help for choice in action._choices_actions}
                assert all(helps.values()), helps


@pytest.mark.parametrize("env_name", sorted(ENV_NAMES.values()))
def test_every_setting_is_in_the_readme(env_name: str) -> None:
    assert f"`{env_name}`" in README or re.search(rf"`{env_name}`,|, `{env_name}`", README)


def test_the_two_commands_exist_and_ci_runs_the_test_command() -> None:
    for script in ("scripts/run_app.sh", "scripts/run_tests.sh"):
        assert f"./{script}" in README
        assert os.access(ROOT / script, os.X_OK)
    assert "./scripts/run_tests.sh" in (ROOT / ".ci" / "run").read_text()


def test_readme_images_exist() -> None:
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / image).is_file(), f"README shows {image}, which is missing"


def test_every_migration_is_in_the_readme() -> None:
    for path in sorted((ROOT / "sql").glob("*.sql")):
        assert f"`{path.name}`" in README, f"{path.name} is not listed in the README's Supabase section"
