"""Goldens for the language prefix of NLLB-CLIP text towers: token ids from the `tokenizers`
library for what Immich's OpenClipTextualEncoder.tokenize feeds an NLLB model — clean_text, then
the locale's FLORES-200 code (WEBLATE_TO_FLORES200, else the locale without its country, else
eng_Latn) written before the text, then the tokenizer padded and truncated to the context length.

The tokenizer is the committed SentencePiece BPE of Tests/Goldens/hf-tokenizers/spm-bpe-bytefallback
(NLLB's tokenizer is a SentencePiece BPE too) with every FLORES code of the table added as a special
token, as NLLB's tokenizer.json carries its language codes. Written to
Tests/Goldens/hf-tokenizers/nllb-prefix/ (tokenizer.json, tokenizer_config.json, goldens.json).

Needs: tokenizers (pip install into the dev venv).
Run: /work/main/.venv/bin/python tools/goldens/make_nllb_prefix_goldens.py
"""
import json
import os
import shutil

import tokenizers
from tokenizers import AddedToken, Tokenizer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(REPO, "Tests/Goldens/hf-tokenizers/spm-bpe-bytefallback")
FOLDER = os.path.join(REPO, "Tests/Goldens/hf-tokenizers/nllb-prefix")
CONTEXT = 24

# Immich's immich_ml/models/constants.py WEBLATE_TO_FLORES200 (the reference for the Swift table).
WEBLATE_TO_FLORES200 = {
    "af": "afr_Latn", "ar": "arb_Arab", "az": "azj_Latn", "be": "bel_Cyrl", "bg": "bul_Cyrl", "ca": "cat_Latn",
    "cs": "ces_Latn", "da": "dan_Latn", "de": "deu_Latn", "el": "ell_Grek", "en": "eng_Latn", "es": "spa_Latn",
    "et": "est_Latn", "fa": "pes_Arab", "fi": "fin_Latn", "fr": "fra_Latn", "he": "heb_Hebr", "hi": "hin_Deva",
    "hr": "hrv_Latn", "hu": "hun_Latn", "hy": "hye_Armn", "id": "ind_Latn", "it": "ita_Latn", "ja": "jpn_Hira",
    "kmr": "kmr_Latn", "ko": "kor_Hang", "lb": "ltz_Latn", "lt": "lit_Latn", "lv": "lav_Latn", "mfa": "zsm_Latn",
    "mk": "mkd_Cyrl", "mn": "khk_Cyrl", "mr": "mar_Deva", "ms": "zsm_Latn", "nb-NO": "nob_Latn", "nn": "nno_Latn",
    "nl": "nld_Latn", "pl": "pol_Latn", "pt-BR": "por_Latn", "pt": "por_Latn", "ro": "ron_Latn", "ru": "rus_Cyrl",
    "sk": "slk_Latn", "sl": "slv_Latn", "sr-Cyrl": "srp_Cyrl", "sv": "swe_Latn", "ta": "tam_Taml", "te": "tel_Telu",
    "th": "tha_Thai", "tr": "tur_Latn", "uk": "ukr_Cyrl", "ur": "urd_Arab", "vi": "vie_Latn", "zh-CN": "zho_Hans",
    "zh-Hans": "zho_Hans", "zh-TW": "zho_Hant",
}

# (text, locale): exact locales, locales known only without their country, unknown ones, odd spacing.
CASES = [
    ("a dog on a beach", "en"), ("ein Hund am Strand", "de"), ("  un chien   sur la plage ", "fr"),
    ("cão na praia", "pt-BR"), ("perro en la playa", "es-MX"), ("hond op het strand", "nl-BE"),
    ("a cat", "nb-NO"), ("a cat", "nb"), ("a cat", "xx"), ("a cat", ""), ("海滩上的狗", "zh-TW"),
    ("浜辺の犬", "ja"), ("пас на плажи", "sr-Cyrl"), ("pas", "sr-Latn"), ("kedi", "tr"),
    ("a very long query that will not fit in twenty four tokens at all, not even close", "de"),
]


def clean_text(text):
    """Immich's immich_ml/models/transforms.py clean_text (canonicalize off)."""
    return " ".join(text.split())


def flores(locale):
    """Immich's lookup: the locale, else the part before '-', else English."""
    code = WEBLATE_TO_FLORES200.get(locale)
    if code is None:
        code = WEBLATE_TO_FLORES200.get(locale.split("-")[0], "eng_Latn")
    return code


def main():
    os.makedirs(FOLDER, exist_ok=True)
    tokenizer = Tokenizer.from_file(os.path.join(SOURCE, "tokenizer.json"))
    codes = sorted(set(WEBLATE_TO_FLORES200.values()))
    tokenizer.add_special_tokens([AddedToken(code, normalized=False, special=True) for code in codes])
    path = os.path.join(FOLDER, "tokenizer.json")
    tokenizer.save(path)
    shutil.copy(os.path.join(SOURCE, "tokenizer_config.json"), os.path.join(FOLDER, "tokenizer_config.json"))
    immich = Tokenizer.from_file(path)
    pad_id = immich.token_to_id("<pad>")
    immich.enable_padding(length=CONTEXT, pad_token="<pad>", pad_id=pad_id)
    immich.enable_truncation(max_length=CONTEXT)
    cases = []
    for text, locale in CASES:
        code = flores(locale)
        encoding = immich.encode(code + clean_text(text))
        cases.append({"text": text, "locale": locale, "code": code, "immich": encoding.ids,
                      "code_id": immich.token_to_id(code)})
    goldens = {"context_length": CONTEXT, "pad_token": "<pad>", "pad_id": pad_id,
               "made_with": {"tokenizers": tokenizers.__version__}, "cases": cases}
    with open(os.path.join(FOLDER, "goldens.json"), "w", encoding="utf-8") as f:
        json.dump(goldens, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {FOLDER}")


if __name__ == "__main__":
    main()
