#!/usr/bin/env bash
# The GPU check in one go, for a CUDA machine (about 3-5 minutes): the CUDA tests,
# then one table of training/prediction speed and peak GPU memory (gpu_check.py).
# Run from the repository root with the project installed: bash benchmarks/gpu_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA device here')"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
python -m pytest -q -p no:cacheprovider tests/test_cuda.py
python benchmarks/gpu_check.py --steps "${GPU_CHECK_STEPS:-2000}" --json "${GPU_CHECK_JSON:-gpu_check.json}"
