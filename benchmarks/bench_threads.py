"""Training time at one and two torch threads across problem sizes, on an idle and a busy machine.

For each problem size (the digits at the defaults up to AwA2 shapes, synthetic
features) one epoch of ``CRNetClassifier.fit`` is timed with ``n_threads=1``
and ``n_threads=2``, first on an idle machine, then while another process keeps
one core busy (a "busy machine", as a shared workstation or a CI runner is).
``n_threads="auto"`` uses one thread below ``SMALL_STEP_FLOPS`` per step; this
table is the evidence for that threshold. Also printed: whether the same seed
gives the same model at one and at two threads.

Run from the repository root: ``python benchmarks/bench_threads.py``
(``--quick`` for a smoke run, ``--json FILE`` to keep the results).
"""

import argparse
import multiprocessing
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402
from sklearn_crnet._torch_utils import SMALL_STEP_FLOPS  # noqa: E402
from sklearn_crnet._torch_utils import relation_step_flops as step_flops  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl  # noqa: E402

SIZES = {  # name: (n_features Q, hidden_units H, n_attributes P, n_classes, n_samples)
    "digits at the defaults": (64, 64, 7, 10, None),
    "Q=256, H=256": (256, 256, 85, 50, 2048),
    "Q=512, H=512": (512, 512, 85, 50, 2048),
    "Q=1024, H=1024": (1024, 1024, 85, 50, 1024),
    "AwA2 shapes (Q=H=2048)": (2048, 2048, 85, 50, 640),
}


def _burn(stop):
    """Keep one core busy until ``stop`` is set."""
    x = 0.0
    while not stop.is_set():
        for i in range(100_000):
            x += i * 1e-9


def _data(size):
    q, _, p, n_classes, n = SIZES[size]
    if n is None:
        digits = load_digits_gzsl(random_state=0)
        return digits.X_train, digits.y_train, digits.class_attributes
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, q)).astype(np.float32)
    return X, rng.randint(0, int(n_classes * 0.8), n), rng.uniform(size=(n_classes, p))


def epoch_seconds(size, threads, epochs=3):
    """Best epoch time of a short fit (the first epoch, with start-up, left out)."""
    X, y, table = _data(size)
    hidden = SIZES[size][1]
    clf = CRNetClassifier(hidden_units=hidden, ensemble_size=1, max_epochs=epochs, n_threads=threads,
                          random_state=0, device="cpu")
    clf.fit(X, y, class_attributes=table)
    return min(clf.net_.history[i, "dur"] for i in range(1, epochs)), clf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two sizes only")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    print(harness.machine())
    print("Data: the real digits for the first row, SYNTHETIC features of the given shapes for the "
          "others; timings only.")
    sizes = list(SIZES)[:2] if args.quick else list(SIZES)
    rows, results = [], {}
    for size in sizes:
        q, h, _, n_classes, _ = SIZES[size]
        flops = step_flops(32, min(32, int(n_classes * 0.8)), q, h)
        times = {}
        for busy in (False, True):
            stop = multiprocessing.Event()
            burner = multiprocessing.Process(target=_burn, args=(stop,)) if busy else None
            if burner:
                burner.start()
                time.sleep(0.5)
            try:
                for threads in (1, 2):
                    times[(busy, threads)], _ = epoch_seconds(size, threads)
            finally:
                if burner:
                    stop.set()
                    burner.join()
        auto = 1 if flops < SMALL_STEP_FLOPS else 2
        rows.append([size, f"{flops:.2g}", times[(False, 1)], times[(False, 2)],
                     times[(True, 1)], times[(True, 2)], times[(True, 2)] / times[(True, 1)], auto])
        results[size] = {f"{'busy' if b else 'idle'}_{t}": v for (b, t), v in times.items()}
    harness.print_table("Seconds per epoch at 1 and 2 torch threads (idle machine; busy: another "
                        "process on one core)",
                        ["problem", "FLOPs/step", "idle 1t", "idle 2t", "busy 1t", "busy 2t",
                         "busy 2t/1t", "auto"], rows)
    _, one = epoch_seconds(sizes[0], 1)
    _, two = epoch_seconds(sizes[0], 2)
    X, _, _ = _data(sizes[0])
    same = np.array_equal(one.decision_function(X), two.decision_function(X))
    print(f"{sizes[0]}: same seed, 1 vs 2 threads: "
          + ("identical models" if same else "models differ in the last bits (kernels sum in "
             "another order): results are reproducible for a fixed thread count"))
    print(f"torch's own setting on this machine: {torch.get_num_threads()} threads")
    harness.write_json(args.json, {"rows": rows, "times": results, "same_at_1_and_2_threads": same})
    return 0


if __name__ == "__main__":
    sys.exit(main())
