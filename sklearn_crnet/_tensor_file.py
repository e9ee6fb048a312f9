"""Float32 tensors as bytes in the safetensors layout, read back with every declared size checked.

The layout: an 8-byte little-endian header length, a JSON header naming each
tensor's dtype, shape and byte range, then the tensors' bytes. Reading
checks the header against the bytes actually present before it allocates
anything, so what a file can make the reader allocate is bounded by the
file's own size.
"""

import json
import math
import struct

import numpy as np
import torch

__all__ = ["tensors_from_bytes", "tensors_to_bytes"]

_MAX_DIMS = 4


def tensors_to_bytes(tensors):
    """Named float32 tensors (on any device) or numpy arrays as bytes in the safetensors layout."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        value = tensors[name]
        array = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        if array.dtype != np.float32:
            raise ValueError(f"weight {name!r} is {array.dtype}; only float32 tensors are saved")
        array = np.ascontiguousarray(array, dtype="<f4")
        data = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks)


def tensors_from_bytes(raw):
    """The named float32 tensors of ``raw`` (see :func:`tensors_to_bytes`).

    Raises ``ValueError`` saying what is wrong when the header is not valid
    JSON of the layout, names another dtype, declares shapes whose sizes do
    not match their byte ranges, or ranges that overlap, leave gaps or run
    past the data.
    """
    if len(raw) < 8:
        raise ValueError("the weights are shorter than their header")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > len(raw) - 8:
        raise ValueError(f"the weights' header declares {length} bytes, more than the {len(raw) - 8} present")
    try:
        header = json.loads(raw[8:8 + length].decode("utf-8"),
                            parse_constant=lambda name: _refuse(f"the weights' header holds {name}"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ValueError("the weights' header is not valid JSON") from None
    if not isinstance(header, dict):
        raise ValueError("the weights' header is not a JSON object")
    header.pop("__metadata__", None)
    data = memoryview(raw)[8 + length:]
    ranges = []
    for name, entry in header.items():
        ranges.append((*_checked_range(name, entry), name))
    ranges.sort()
    end = 0
    for begin, stop, name in ranges:
        if begin != end:
            raise ValueError(f"the weights' byte ranges overlap or leave a gap at {name!r}")
        end = stop
    if end != len(data):
        raise ValueError(f"the weights' tensors cover {end} bytes of the {len(data)} present")
    tensors = {}
    for begin, stop, name in ranges:
        shape = header[name]["shape"]
        array = np.frombuffer(data[begin:stop], dtype="<f4").astype(np.float32).reshape(shape)
        tensors[name] = torch.from_numpy(array)
    return tensors


def _refuse(message):
    raise ValueError(message)


def _checked_range(name, entry):
    """The byte range ``(begin, end)`` of one header entry, checked against its dtype and shape."""
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise ValueError(f"the weights' entry {str(name)[:40]!r} is not a tensor description")
    shape, offsets = entry["shape"], entry["data_offsets"]
    if entry["dtype"] != "F32":
        raise ValueError(f"weight {name!r} has dtype {str(entry['dtype'])[:10]!r}, expected F32 (float32)")
    if (not isinstance(shape, list) or len(shape) > _MAX_DIMS
            or not all(type(d) is int and d >= 0 for d in shape)):
        raise ValueError(f"weight {name!r} has an invalid shape {str(shape)[:40]}")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(type(o) is int and o >= 0 for o in offsets) or offsets[0] > offsets[1]):
        raise ValueError(f"weight {name!r} has an invalid byte range {str(offsets)[:40]}")
    if offsets[1] - offsets[0] != 4 * math.prod(shape):
        raise ValueError(f"weight {name!r} declares shape {shape} but {offsets[1] - offsets[0]} bytes")
    return offsets[0], offsets[1]
