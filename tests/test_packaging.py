"""Install files agree with each other, so students, Binder and CI get the same environment."""

from __future__ import annotations

import re
import subprocess
import tomllib
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from tests.conftest import PROJECT_DIR

# conda-forge names that differ from the PyPI ones in pyproject.toml (the lean conda package where
# conda-forge's namesake adds what the module never uses: Qt for matplotlib, pandoc for nbconvert)
PYPI_NAME_OF_CONDA_FORGE = {"matplotlib-base": "matplotlib", "nbconvert-core": "nbconvert", "python-tzdata": "tzdata"}
# conda-forge packages the environment must not hold: each pulls in something a teaching image does not need
HEAVY_CONDA_FORGE = {"matplotlib": "Qt", "nbconvert": "pandoc", "pyqt": "Qt", "qt": "Qt", "pandoc": "pandoc"}


def _normalise(requirement: str, conda: bool = False) -> str:
    name, rest = re.match(r"^([A-Za-z0-9_.\-]+)(.*)$", requirement.strip()).groups()
    name = re.sub(r"[-_.]+", "-", name).lower()
    if conda:
        name = PYPI_NAME_OF_CONDA_FORGE.get(name, name)
    return name + rest.replace(" ", "")


def _name(requirement: str) -> str:
    return re.match(r"^[A-Za-z0-9_.\-]+", requirement.strip()).group(0).lower()


def _pyproject():
    return tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))


def _environment():
    return yaml.safe_load((PROJECT_DIR / "environment.yml").read_text(encoding="utf-8"))


def _conda_packages() -> list[str]:
    return [d for d in _environment()["dependencies"] if isinstance(d, str) and _name(d) not in ("python", "pip")]


def test_environment_declares_the_packages_dependencies_and_nothing_else():
    """The student environment is exactly what pyproject.toml's dependencies say: no test tool, no extra."""
    declared = {_normalise(r) for r in _pyproject()["project"]["dependencies"]}
    assert {_normalise(d, conda=True) for d in _conda_packages()} == declared


def test_environment_is_lean():
    project = _pyproject()["project"]
    conda_names = {_name(d) for d in _conda_packages()}
    for name, pulls_in in HEAVY_CONDA_FORGE.items():
        assert name not in conda_names, f"environment.yml asks for conda-forge's {name}, which pulls in {pulls_in}"
    only_for_development = {_name(r) for r in project["optional-dependencies"]["test"]} - {
        _name(r) for r in project["dependencies"]
    }
    assert only_for_development and not {PYPI_NAME_OF_CONDA_FORGE.get(n, n) for n in conda_names} & only_for_development


def test_environment_pins_python_and_leaves_the_package_to_post_build():
    environment = _environment()
    assert environment["channels"] == ["conda-forge"]
    python = [d for d in environment["dependencies"] if isinstance(d, str) and _name(d) == "python"]
    assert python == ["python=3.11"]
    assert _pyproject()["project"]["requires-python"] == ">=3.11"
    # installing the package here too would make Binder rebuild the environment on every change to the repository
    assert not [d for d in environment["dependencies"] if isinstance(d, dict)], (
        "environment.yml has a pip section; postBuild installs the package"
    )
    assert "pip" in environment["dependencies"], "postBuild needs pip in the environment"


def test_binder_post_build_is_the_one_place_that_installs_the_package():
    post_build = PROJECT_DIR / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    installs = [line for line in post_build.read_text(encoding="utf-8").splitlines() if re.search(r"\bpip install\b", line)]
    # the dependencies come from environment.yml: pip must not replace conda's packages with PyPI's
    assert installs == ["python -m pip install --no-deps -e ."]


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


CLASSROOM_DOCUMENTS = ["README.md", "coursework/teaching-note.md"]


def _links(document: str, pattern: str) -> set[str]:
    return set(re.findall(pattern + r"[^\s`]*", (PROJECT_DIR / document).read_text(encoding="utf-8")))


@pytest.mark.parametrize("document", CLASSROOM_DOCUMENTS)
def test_nbgitpuller_link_template_is_well_formed(document):
    (link,) = _links(document, r"https://[^\s`/]+/hub/user-redirect/git-pull\?")
    parts = urlsplit(link)
    assert parts.scheme == "https" and parts.path == "/hub/user-redirect/git-pull"
    query = parse_qs(parts.query, strict_parsing=True)
    assert sorted(query) == ["branch", "repo", "urlpath"] and all(len(values) == 1 for values in query.values())
    assert query["repo"] == ["<repository-url>"] and query["branch"] == ["main"]
    # nbgitpuller clones into a folder named after the repository, under the server root urlpath starts from
    clone, _, path = query["urlpath"][0].removeprefix("lab/tree/").partition("/")
    assert query["urlpath"][0].startswith("lab/tree/") and clone == "<repository-name>"
    assert (PROJECT_DIR / path).is_file(), f"the link opens {path}, which the repository does not have"
    text = " ".join((PROJECT_DIR / document).read_text(encoding="utf-8").split())
    assert "nbgitpuller never overwrites a student's edits" in text and "`helpers/`" in text


@pytest.mark.parametrize("document", CLASSROOM_DOCUMENTS)
def test_binder_link_template_is_well_formed(document):
    (link,) = _links(document, r"https://mybinder\.org/v2/gh/")
    parts = urlsplit(link)
    assert parts.path.split("/")[1:] == ["v2", "gh", "<owner>", "<repository>", "main"]
    (urlpath,) = parse_qs(parts.query, strict_parsing=True)["urlpath"]
    assert urlpath.startswith("lab/tree/") and (PROJECT_DIR / urlpath.removeprefix("lab/tree/")).is_file()


def test_readme_and_teaching_note_give_the_same_links():
    for pattern in (r"https://[^\s`/]+/hub/user-redirect/git-pull\?", r"https://mybinder\.org/v2/gh/"):
        assert _links("README.md", pattern) == _links("coursework/teaching-note.md", pattern)
