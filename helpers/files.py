"""Writing outputs: a folder is checked before any work starts, and files are replaced atomically.

``casework run`` and ``casework grade`` both write here, so an unwritable ``--out`` gives the same
one-line error in both, and no reader (a web server, a spreadsheet, the next command) ever sees a
half-written file. A folder that already exists is used as it is: its permissions are never changed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputFolderError

#: Files meant to be shared (handouts): readable by everyone who can reach the folder.
SHARED = 0o644
#: Files meant for the instructor and their group (gradebooks, feedback): not for other users.
GROUP = 0o640
#: Files only the grader itself reads (its cache of results).
PRIVATE = 0o600


def output_folder(folder: Path) -> Path:
    """``folder``, created if need be and checked to be writable; ``OutputFolderError`` names it if not."""
    try:
        folder = folder.expanduser().resolve()
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OutputFolderError(f"cannot write the output folder {folder}: {exc.strerror or exc}") from None
    return folder


def atomic_write(path: Path, data: str | bytes, mode: int = SHARED) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, with ``mode``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
