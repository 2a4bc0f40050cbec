"""Install files agree with each other, so students, Binder and CI get the same environment."""

from __future__ import annotations

import re
import subprocess
import tomllib

import yaml

from tests.conftest import PROJECT_DIR


# conda-forge names that differ from the PyPI ones in pyproject.toml
PYPI_NAME_OF_CONDA_FORGE = {"playwright-python": "playwright"}


def _normalise(requirement: str, conda: bool = False) -> str:
    name, rest = re.match(r"^([A-Za-z0-9_.\-]+)(.*)$", requirement.strip()).groups()
    name = re.sub(r"[-_.]+", "-", name).lower()
    if conda:
        name = PYPI_NAME_OF_CONDA_FORGE.get(name, name)
    return name + rest.replace(" ", "")


def _pyproject():
    return tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))


def _environment():
    return yaml.safe_load((PROJECT_DIR / "environment.yml").read_text(encoding="utf-8"))


def test_environment_and_pyproject_declare_the_same_dependencies():
    project = _pyproject()["project"]
    declared = {_normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    conda = {_normalise(d, conda=True) for d in _environment()["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))}
    assert conda == declared


def test_environment_pins_python_and_installs_the_package():
    environment = _environment()
    assert environment["channels"] == ["conda-forge"]
    python = [d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert python == ["python=3.11"]
    assert _pyproject()["project"]["requires-python"] == ">=3.11"
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_binder_post_build_installs_the_package():
    post_build = PROJECT_DIR / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert re.search(r"pip install .*-e \.", post_build.read_text(encoding="utf-8"))


def test_binder_post_build_is_bash_that_stops_at_the_first_error():
    post_build = PROJECT_DIR / "postBuild"
    text = post_build.read_text(encoding="utf-8")
    assert text.splitlines()[0] in ("#!/bin/bash", "#!/usr/bin/env bash")
    assert re.search(r"^set -[a-z]*e", text, re.MULTILINE), "postBuild must `set -e`: a failed install must fail the Binder build"
    subprocess.run(["bash", "-n", str(post_build)], check=True)  # it parses


def test_binder_reads_the_root_configuration():
    """repo2docker would use a binder/ folder or a Dockerfile instead, read no environment.yaml, and ignore requirements.txt."""
    for name in ("binder", ".binder", "Dockerfile", "environment.yaml", "requirements.txt"):
        assert not (PROJECT_DIR / name).exists(), f"{name} would change or contradict what Binder builds"


def test_console_script_and_import_package():
    project = _pyproject()["project"]
    assert project["scripts"] == {"casework": "helpers.cli:main"}
    assert _pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["helpers"]


def test_grading_and_run_output_is_ignored_by_git():
    ignored = (PROJECT_DIR / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "casework-output/" in ignored and "grading-output/" in ignored

