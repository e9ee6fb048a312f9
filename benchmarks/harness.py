"""Shared pieces of the benchmarks: synthetic AwA2-shaped data, timers, memory, tables."""

import json
import os
import platform
import threading
import time

import numpy as np
import sklearn
import skorch
import torch

#: AwA2 in the xlsa17 release: 2048-d ResNet-101 features, 85 attributes,
#: 40 seen + 10 unseen classes, 23,527 trainval and 5,882 + 7,913 test images.
AWA2 = {"n_features": 2048, "n_attributes": 85, "n_seen": 40, "n_classes": 50,
        "n_trainval": 23527, "n_test": 5882 + 7913, "K": 3, "hidden_units": 2048}

SYNTHETIC_NOTE = ("Data: SYNTHETIC random features and attributes of AwA2's shapes; timings only, "
                  "no accuracy is measured or implied.")


def awa2_shaped(n_train, n_test=0, n_classes=AWA2["n_classes"], n_features=AWA2["n_features"],
                seed=0):
    """Random float32 features and attributes with AwA2's shapes (synthetic)."""
    rng = np.random.RandomState(seed)
    n_seen = max(2, int(round(n_classes * AWA2["n_seen"] / AWA2["n_classes"])))
    attributes = rng.uniform(size=(n_classes, AWA2["n_attributes"]))
    X = rng.normal(size=(n_train, n_features)).astype(np.float32)
    y = rng.randint(0, n_seen, size=n_train)
    X_test = rng.normal(size=(n_test, n_features)).astype(np.float32)
    return X, y, attributes, X_test


def machine():
    """A one-line description of this machine and the library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (f"{cpu}; {os.cpu_count()} cores, torch threads {torch.get_num_threads()}; {device}; "
            f"python {platform.python_version()}, torch {torch.__version__}, "
            f"skorch {skorch.__version__}, scikit-learn {sklearn.__version__}, numpy {np.__version__}")


def matmul_gflops(size=2048, repeats=10, device="cpu"):
    """This machine's plain float32 matrix-multiply rate in GFLOP/s."""
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    for _ in range(2):
        a @ b
    _sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    _sync(device)
    return 2 * size**3 * repeats / (time.perf_counter() - start) / 1e9


def _sync(device):
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakMemory:
    """Context manager: peak resident memory above the level at entry, in MB.

    Samples ``/proc/self/statm`` every millisecond from a thread, so it sees
    torch's allocations too (``tracemalloc`` does not).
    """

    def __enter__(self):
        self.start = _rss_bytes()
        self.peak = self.start
        self._running = True
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while self._running:
            self.peak = max(self.peak, _rss_bytes())
            time.sleep(0.001)

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())
        self.mb = (self.peak - self.start) / 2**20


def timed(fn, repeats=1):
    """Best wall time of ``repeats`` calls of ``fn`` and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def scaling_exponent(sizes, seconds):
    """Slope of log(seconds) against log(size): time grows as size ** slope."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def scaling_study(title, grids, prepare, defaults, rounds=1):
    """Time one varied size at a time and fit each exponent.

    Parameters
    ----------
    title : str
    grids : dict of {name: list of values}
        The sizes to vary, one at a time.
    prepare : callable
        ``prepare(n_samples=..., n_classes=..., hidden_units=...)`` -> a
        callable without arguments that runs once and returns its seconds.
    defaults : dict
        The value of every size while it is not the one varied.
    rounds : int, default=1
        Runs of every size; the sizes of a row take turns in each round (so
        that a slow phase of a shared machine hits them all) and each size
        keeps its fastest run.

    Returns
    -------
    dict
        ``rows`` of the printed table and ``exponents`` by size name.
    """
    rows, exponents = [], {}
    for name, values in grids.items():
        runs = [prepare(**{**defaults, name: value}) for value in values]
        seconds = [min(timings) for timings in zip(*[[run() for run in runs] for _ in range(rounds)],
                                                   strict=True)]
        for value, best in zip(values, seconds, strict=True):
            rows.append([name, value, best])
        exponents[name] = scaling_exponent(values, seconds)
        rows.append([f"  exponent ({name})", "", exponents[name]])
    print_table(title, ["varied", "value", "seconds"], rows)
    return {"rows": rows, "exponents": exponents}


def print_table(title, header, rows):
    """Print a plain-text table with right-aligned columns."""
    cells = [header] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for i, row in enumerate(cells):
        aligned = (c.rjust(w) if j else c.ljust(w)
                   for j, (c, w) in enumerate(zip(row, widths, strict=True)))
        print("  ".join(aligned))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def write_json(path, payload):
    """Write the results (and the machine line) as JSON."""
    if path:
        with open(path, "w") as f:
            json.dump({"machine": machine(), **payload}, f, indent=2, default=float)
        print(f"\nresults written to {path}")
