"""Loading crafted model files: what each costs in time and memory, and the error it ends in.

Each case is a file an attacker or an accident could produce: a zip bomb
(a small archive whose metadata unpacks to 1 GiB), metadata claiming a huge
model (hidden_units, K or a table shape of 10^9), truncated and bit-flipped
files. ``load_model`` must refuse each with one ``ValueError`` while
allocating no more than a small multiple of the file's own size. Peak
memory is the resident size above the level at the start of the load,
sampled every millisecond in-process (torch's allocations included).

Run from the repository root: ``python benchmarks/bench_model_files.py``.
"""

import hashlib
import json
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl  # noqa: E402
from sklearn_crnet.io import load_model, save_model  # noqa: E402


def _members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path, metadata, weights):
    digest = hashlib.sha256(metadata + weights).hexdigest().encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", metadata)
        archive.writestr("weights.pt", weights)
        archive.writestr("checksum", digest)
    return path


def _edited(members, edit):
    meta = json.loads(members["metadata.json"])
    edit(meta)
    return json.dumps(meta).encode()


def crafted_files(good, folder):
    """(name, path) of every crafted case, built from a good file."""
    members = _members(good)
    cases = []

    def add(name, meta, weights=members["weights.pt"]):
        cases.append((name, _write(folder / f"{len(cases)}.crnet", meta, weights)))

    add("hidden_units claimed 10^9", _edited(members, lambda m: m["params"].update(hidden_units=10**9)))
    add("K claimed 10^9", _edited(members, lambda m: m["params"].update(K=10**9)))
    add("table shape claimed 10^9 x 10^9", _edited(members, lambda m: m["fitted"].update(
        class_attributes_={"kind": "float", "shape": [10**9, 10**9], "values": [0.0]})))
    add("deeply nested JSON", b"[" * 100_000 + b"]" * 100_000)
    bomb = folder / "bomb.crnet"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("metadata.json", "w", force_zip64=True) as stream:
            for _ in range(1024):
                stream.write(b" " * 2**20)  # 1 GiB of spaces, about 1 MB compressed
        archive.writestr("weights.pt", members["weights.pt"])
        archive.writestr("checksum", members["checksum"])
    cases.append(("zip bomb: metadata unpacks to 1 GiB", bomb))
    data = good.read_bytes()
    truncated = folder / "truncated.crnet"
    truncated.write_bytes(data[: len(data) // 2])
    cases.append(("truncated to half", truncated))
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x10
    (folder / "flipped.crnet").write_bytes(bytes(flipped))
    cases.append(("one bit flipped in the weights", folder / "flipped.crnet"))
    return cases


def main(argv=None):
    warnings.filterwarnings("ignore")
    print(harness.machine())
    digits = load_digits_gzsl(random_state=0)
    model = CRNetClassifier(hidden_units=256, max_epochs=2, random_state=0).fit(
        digits.X_train, digits.y_train, class_attributes=digits.class_attributes)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        good = save_model(model, folder / "good.crnet")
        with harness.PeakMemory() as memory:
            start = time.perf_counter()
            loaded = load_model(good)
            seconds = time.perf_counter() - start
        same = np.array_equal(loaded.predict(digits.X_test), model.predict(digits.X_test))
        rows.append(["a good file", good.stat().st_size / 1024, seconds, memory.mb,
                     "loads" + (" (same predictions)" if same else " (DIFFERENT predictions)")])
        for name, path in crafted_files(good, folder):
            with harness.PeakMemory() as memory:
                start = time.perf_counter()
                try:
                    load_model(path)
                    outcome = "LOADED"
                except ValueError as exc:
                    outcome = "ValueError: " + str(exc).split("model file: ", 1)[-1][:60]
                except Exception as exc:  # noqa: BLE001 - any other type is a failure of this check
                    outcome = f"WRONG TYPE {type(exc).__name__}"
                seconds = time.perf_counter() - start
            rows.append([name, path.stat().st_size / 1024, seconds, memory.mb, outcome])
    harness.print_table("load_model on crafted files", ["file", "size KB", "seconds",
                                                         "peak MB above start", "outcome"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
