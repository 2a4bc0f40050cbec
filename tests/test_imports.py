"""`casework --help` answers at once: it imports no third-party library and few modules (#23).

Seconds on a shared machine say little, so these tests count what a command imports, in a fresh
interpreter each: the modules loaded by the time the command exits. ``--help`` and every
subcommand's ``--help`` (read from the parser, so a new subcommand is checked too) may import
only the standard library and the few ``helpers`` modules that build the parser; ``casework
list`` only those, and the modules that read and check a case folder, which need no pandas
(the case's DataFrames are built by ``helpers.case``, which the listing does without).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers.cli import build_parser

#: What building the parser needs: the command modules and what they import at the top.
# fmt: off
PARSER_MODULES = {"helpers", "helpers.cli", "helpers.coursework", "helpers.coursework.cli", "helpers.errors", "helpers.files",
                  "helpers.paths"}  # paths: the built-in case and exercise ids the help lists
# fmt: on
MOST_MODULES = 200  # the standard library's share of `--help` is about 160 modules (Python 3.11)
#: Heavy libraries no light command may load (each takes a large part of a second, or more, to import).
# fmt: off
HEAVY = {"pandas", "numpy", "matplotlib", "nbformat", "jsonschema", "rfc3987_syntax", "IPython", "ipykernel", "ipywidgets",
         "papermill", "nbclient", "jupyter_client", "zmq", "distributed", "tqdm"}
# fmt: on

PROBE = """\
import json, sys
from helpers.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.__stderr__)
"""


def loaded(source: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def imported(argv: list[str]) -> set[str]:
    """The modules a fresh interpreter has loaded when ``casework ARGV`` is done, beyond those it starts with
    (``__main__``, and what the environment's .pth files load: setuptools' ``_distutils_hack``)."""
    return loaded(PROBE.format(argv=argv)) - loaded(
        "import json, sys\nprint(json.dumps(sorted(sys.modules)), file=sys.__stderr__)"
    )


def third_party(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "helpers"}


def subcommands() -> list[str]:
    parser = build_parser()
    [choices] = [action.choices for action in parser._subparsers._group_actions]
    return sorted(choices)


@pytest.mark.parametrize("argv", [["--help"], *[[command, "--help"] for command in subcommands()]], ids=" ".join)
def test_help_imports_only_the_standard_library_and_the_parser(argv):
    modules = imported(argv)
    assert third_party(modules) == set(), f"casework {' '.join(argv)} imports {sorted(third_party(modules))}"
    assert {m for m in modules if m.split(".")[0] == "helpers"} <= PARSER_MODULES
    assert len(modules) <= MOST_MODULES, f"casework {' '.join(argv)} imports {len(modules)} modules"


#: What ``casework list`` adds to the parser's modules: reading and checking each case (its title is in case.toml).
LIST_MODULES = {"helpers.casefolder", "helpers.csvfile", "helpers.schema", "helpers.text", "helpers.times", "helpers.validation"}


def test_list_imports_no_heavy_library_and_only_the_case_checks():
    modules = imported(["list"])
    # zoneinfo may load tzdata (the time zones, as data) and sysconfig's data; nothing heavy, pandas included
    assert not HEAVY & third_party(modules), f"casework list imports {sorted(HEAVY & third_party(modules))}"
    assert {m for m in modules if m.split(".")[0] == "helpers"} <= PARSER_MODULES | LIST_MODULES


def test_the_grader_loads_neither_nbformat_nor_matplotlib():
    """`casework grade`'s own process reads notebooks as JSON and draws its one figure after the batch:
    nbformat's schema (a second and 36 MiB, rfc3987_syntax's grammars) and matplotlib stay out of it
    while its workers run. The workers load nbformat for papermill; that is theirs to pay."""
    modules = third_party(
        loaded("import json, sys\nimport helpers.coursework.grade\nprint(json.dumps(sorted(sys.modules)), file=sys.__stderr__)")
    )
    assert not {"nbformat", "jsonschema", "rfc3987_syntax", "matplotlib"} & modules, sorted(modules)


def test_the_count_sees_a_heavy_import():
    """The probe itself: a command that did import pandas would be caught."""
    assert "pandas" in third_party(imported(["validate", "hootsuite-ice-2020"]))


def test_the_front_door_still_gives_every_name():
    """helpers/__init__.py loads each name when asked: every name of __all__ is there, from its module."""
    import helpers
    import helpers.coursework

    for name in helpers.__all__:
        assert getattr(helpers, name).__module__.startswith("helpers."), name
    assert callable(helpers.coursework.start) and helpers.coursework.Exercise.__name__ == "Exercise"
    with pytest.raises(AttributeError):
        helpers.no_such_name  # noqa: B018
