"""One table of CUDA figures: training and prediction speed, peak GPU memory, bf16 autocast.

Meant for a CUDA machine with a few minutes to spare (``benchmarks/gpu_check.sh``
runs the CUDA tests first, then this). On synthetic AwA2-shaped data (timings
only, no accuracy):

* ``from_paper("AWA2")`` training, 2,000 optimisation steps of 32 samples, in
  float32 and under bf16 autocast: ms per step, samples per second, peak GPU
  memory;
* the same steps of the concatenation formulation of the published code;
* ``predict`` over AwA2's 13,795 test images x 50 classes.

Run: ``python benchmarks/gpu_check.py [--steps 2000] [--json FILE]``.
"""

import argparse
import sys
import time
from pathlib import Path

import torch

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402
from sklearn_crnet._modules import CooperationModule  # noqa: E402
from tests.concat_reference import ConcatRelationNet, time_training_steps  # noqa: E402


def _train(X, y, attributes, precision, steps):
    torch.cuda.reset_peak_memory_stats()
    clf = CRNetClassifier.from_paper("AWA2", device="cuda", max_epochs=1, random_state=0,
                                     precision=precision)
    start = time.perf_counter()
    clf.fit(X, y, class_attributes=attributes)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    # The first epoch includes start-up; skorch's per-epoch duration is the training loop alone.
    loop = clf.net_.history[-1, "dur"]
    return clf, loop / steps, seconds, torch.cuda.max_memory_allocated() / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("No CUDA device: nothing to measure.")
        return 1
    print(harness.machine())
    print(harness.SYNTHETIC_NOTE)
    X, y, attributes, X_test = harness.awa2_shaped(32 * args.steps, harness.AWA2["n_test"])
    rows, results = [], {"device": torch.cuda.get_device_name(0)}
    for precision in ("float32", "bfloat16"):
        clf, step, total, peak = _train(X, y, attributes, precision, args.steps)
        rows.append([f"fit from_paper AWA2 ({precision})", step * 1e3, 32 / step, peak, total])
        results[precision] = {"step_ms": step * 1e3, "samples_per_s": 32 / step, "peak_mb": peak}
    torch.cuda.reset_peak_memory_stats()
    concat = ConcatRelationNet(CooperationModule(clf.field_centres_, X.shape[1]), X.shape[1],
                               2048).cuda()
    step = time_training_steps(concat, torch.as_tensor(X).cuda(), torch.as_tensor(y).cuda(),
                               torch.as_tensor(attributes, dtype=torch.float32).cuda(),
                               n_steps=min(200, args.steps))
    rows.append(["concatenation reference (float32)", step * 1e3, 32 / step,
                 torch.cuda.max_memory_allocated() / 2**20, float("nan")])
    torch.cuda.reset_peak_memory_stats()
    clf.predict(X_test[:100])  # warm-up
    torch.cuda.synchronize()
    seconds, _ = harness.timed(lambda: clf.predict(X_test), repeats=3)
    rows.append([f"predict {len(X_test):,} x 50", float("nan"), len(X_test) / seconds,
                 torch.cuda.max_memory_allocated() / 2**20, seconds])
    harness.print_table(f"CUDA on {results['device']} (synthetic AwA2 shapes, {args.steps} steps)",
                        ["what", "ms/step", "samples/s", "peak GPU MB", "wall s"], rows)
    results.update(concat_step_ms=step * 1e3, predict_s=seconds)
    harness.write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
