"""The cache that lets a re-run of ``casework grade`` resume: finished executions, signed."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path

from ..files import PRIVATE, atomic_write


class ResultCache:
    """Finished executions, one file each in ``OUT/results/``, signed with a key only the grader reads.

    The folder is outside every sandbox, so a kernel can neither read the key nor write a file
    there; the signature still makes a forged or damaged file count as missing (it is run again).
    Only executions that ended on their own are kept (not a worker's own failure). Without a
    sandbox (``isolation.mode() == "off"``) a kernel could do both, so there is no cache then.
    """

    def __init__(self, folder: Path):
        folder.mkdir(mode=0o700, exist_ok=True)
        self.folder = folder
        key_path = folder / ".key"
        if not key_path.exists():
            atomic_write(key_path, secrets.token_hex(32), PRIVATE)
        self.key = key_path.read_bytes()

    def _path(self, name: str) -> Path:
        return self.folder / (hashlib.sha256(name.encode()).hexdigest()[:20] + ".json")

    def _signature(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()

    def get(self, name: str, fingerprint: str) -> dict | None:
        try:
            stored = json.loads(self._path(name).read_text(encoding="utf-8"))
            body = stored["body"]
            if not hmac.compare_digest(stored["signature"], self._signature(body)):
                return None
            record = json.loads(body)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return record if record.get("fingerprint") == fingerprint else None

    def put(self, name: str, fingerprint: str, record: dict) -> None:
        body = json.dumps({"fingerprint": fingerprint, **record}, sort_keys=True)
        atomic_write(self._path(name), json.dumps({"signature": self._signature(body), "body": body}), PRIVATE)
