"""Accuracy of each int8 model against onnxruntime fp32, on held-out samples (samples.py).

For every model (at batch 1) and every column the harness collects the first output per
held-out sample and compares it with onnxruntime fp32's output for the same sample:

- cosine: of the flattened outputs (float64), mean and minimum over the samples;
- PP-OCRv4 det: IoU of the text masks (probability > 0.3, RapidOCR's threshold), mean and
  minimum (two empty masks count as IoU 1);
- PP-OCRv4 rec: CTC greedy decoding (argmax, repeats merged, blank dropped) with the character
  list stored in the model (RapidOCR's); how many held-out lines decode to exactly the string
  fp32 decodes to (leading and trailing spaces ignored). For ORT fp32 itself the check is
  against the rendered text.
- all-MiniLM-L6-v2 (sentence embeddings): nearest-neighbour agreement, for how many held-out
  sentences the most similar other sentence (cosine of the embeddings) is the one fp32 finds;
  and for how many sentences of a paraphrase pair that neighbour is the partner (for ORT fp32
  itself, only the latter).
"""

from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np

MASK_THRESHOLD = 0.3
SENTENCE_MODELS = {"minilm"}


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    denom = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / denom) if denom > 0 else float(np.array_equal(a, b))


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    ma, mb = a > MASK_THRESHOLD, b > MASK_THRESHOLD
    union = np.logical_or(ma, mb).sum()
    return float(np.logical_and(ma, mb).sum() / union) if union else 1.0


def rec_characters(onnx_path: str) -> Optional[List[str]]:
    """RapidOCR's list: blank, the model's stored characters, then a space."""
    import onnx
    model = onnx.load(onnx_path, load_external_data=False)
    chars = next((p.value for p in model.metadata_props if p.key == "character"), None)
    return ["<blank>"] + chars.split("\n") + [" "] if chars else None


def ctc_decode(probs: np.ndarray, chars: Optional[List[str]]) -> str:
    ids = probs.reshape(-1, probs.shape[-1]).argmax(-1)
    keep = [int(i) for k, i in enumerate(ids) if i != 0 and (k == 0 or i != ids[k - 1])]
    return "".join(chars[i] if chars and i < len(chars) else f"<{i}>" for i in keep)


def nearest_neighbours(embeddings: List[np.ndarray]) -> List[int]:
    """For each embedding, the index of the most cosine-similar other one."""
    e = np.stack([x.astype(np.float64).ravel() for x in embeddings])
    e /= np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-30)
    sim = e @ e.T
    np.fill_diagonal(sim, -np.inf)
    return [int(i) for i in sim.argmax(1)]


def summarize(model_key: str, reference: List[np.ndarray], got: List[np.ndarray], labels: List[str],
              chars: Optional[List[str]], is_reference: bool = False) -> Dict[str, object]:
    """Accuracy fields of one column; `is_reference` for ORT fp32 itself (rec: against the rendered text)."""
    cos = [cosine(r, g) for r, g in zip(reference, got)]
    out: Dict[str, object] = {"samples": len(got), "cos_mean": float(np.mean(cos)), "cos_min": float(np.min(cos))}
    if model_key == "ppocr-det":
        iou = [mask_iou(r, g) for r, g in zip(reference, got)]
        out.update(iou_mean=float(np.mean(iou)), iou_min=float(np.min(iou)),
                   text_pixels=float(np.mean([(r > MASK_THRESHOLD).mean() for r in reference])))
    if model_key == "ppocr-rec":
        want = labels if is_reference else [ctc_decode(r, chars) for r in reference]
        decoded = [ctc_decode(g, chars) for g in got]
        out.update(strings_equal=sum(d.strip() == w.strip() for d, w in zip(decoded, want)),
                   versus="rendered text" if is_reference else "ORT fp32 strings",
                   examples=[[w, d] for w, d in zip(want, decoded) if w.strip() != d.strip()][:3])
    if model_key in SENTENCE_MODELS:
        nn, want = nearest_neighbours(got), nearest_neighbours(reference)
        partners = [int(t) for t in labels]
        paired = [i for i, p in enumerate(partners) if p >= 0]
        out.update(pairs=len(paired), partner_found=sum(nn[i] == partners[i] for i in paired))
        if not is_reference:
            out.update(nn_equal=sum(a == b for a, b in zip(nn, want)),
                       nn_changed=[[i, want[i], nn[i]] for i in range(len(nn)) if nn[i] != want[i]])
    return out


def task_cell(model_key: str, acc: Optional[dict]) -> str:
    """The task check as a table cell: det mask IoU mean (min), rec strings equal k/M."""
    if not acc:
        return "–"
    if model_key == "ppocr-det":
        return f"IoU {acc['iou_mean']:.3f} ({acc['iou_min']:.3f})"
    if model_key == "ppocr-rec":
        return f"{acc['strings_equal']}/{acc['samples']} equal"
    if model_key in SENTENCE_MODELS:
        same = f"NN as fp32 {acc['nn_equal']}/{acc['samples']}; " if "nn_equal" in acc else ""
        return same + f"paraphrase found {acc['partner_found']}/{acc['pairs']}"
    return ""
