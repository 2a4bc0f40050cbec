"""Where the module's files are: always from the package, never from the working directory.

Papermill runs a kernel in the caller's folder, nbval in the notebook's and JupyterLab in the file
browser's, so no path here depends on the current directory.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_bundled"  # present in a wheel install (see pyproject.toml)
PROJECT_DIR = PACKAGE_DIR.parent

DATA_DIR = _BUNDLED / "data" if (_BUNDLED / "data").is_dir() else PROJECT_DIR / "data"
CASES_DIR = DATA_DIR / "cases"
COURSEWORK_DIR = _BUNDLED / "coursework" if (_BUNDLED / "coursework").is_dir() else PROJECT_DIR / "coursework"
NOTEBOOKS_DIR = _BUNDLED / "notebooks" if (_BUNDLED / "notebooks").is_dir() else PROJECT_DIR / "notebooks"
EXERCISES_DIR = COURSEWORK_DIR / "source"  # one master notebook per graded exercise
METADATA_FILE = "case.toml"  # a folder holding one is a case (data/README.md)


def lesson_notebooks() -> list[Path]:
    """The lesson notebooks, in course order (``NN-title.ipynb``)."""
    return sorted(p for p in NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def list_cases() -> list[str]:
    """Ids of the built-in cases under data/cases, sorted (a listing: ``casework --help`` shows them)."""
    if not CASES_DIR.is_dir():
        return []
    return sorted(p.name for p in CASES_DIR.iterdir() if (p / METADATA_FILE).is_file())


def exercise_ids() -> list[str]:
    """Ids of the graded exercises, one per master notebook ``coursework/source/ID.ipynb``, sorted."""
    return sorted(p.stem for p in EXERCISES_DIR.glob("*.ipynb"))
