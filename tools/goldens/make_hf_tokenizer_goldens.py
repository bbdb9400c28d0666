"""Hugging Face tokenizer.json goldens: token ids from the `tokenizers` library (the reference
Immich's machine-learning service runs) for every text in Tests/Goldens/hf-tokenizers/strings.json,
through three tokenizer files:

* clip: OpenAI's CLIP BPE as Hugging Face converts it. vocab.json and merges.txt are built from
  .testdata/clip/bpe_simple_vocab_16e6.txt the way transformers' CLIPTokenizer defines them (256
  byte symbols, the same with </w>, the 48 894 merges joined, <|startoftext|>, <|endoftext|>);
  transformers' CLIPTokenizer converts them to tokenizer.json. That file (2 MB) is not committed:
  the Swift tests read the one scripts/setup.sh writes into the small CLIP folder
  (.testdata/models/clip-folder-small/ViT-B-32__openai/textual/tokenizer.json), and this script
  checks that it tokenizes every text exactly as the transformers-made file does and records its
  sha256.
* xlmr-unigram: a SentencePiece Unigram model trained here on a small multilingual corpus with
  nmt_nfkc normalization (so the Precompiled charsmap is the real one), converted by transformers'
  XLMRobertaConverter and saved by PreTrainedTokenizerFast with XLM-Roberta's special tokens
  (<s> 0, <pad> 1, </s> 2, <unk> 3, <mask> with lstrip): Precompiled + Strip + Replace normalizers,
  Metaspace, TemplateProcessing. Committed (tokenizer.json, tokenizer_config.json).
* spm-bpe-bytefallback: a SentencePiece BPE model with byte fallback and a <pad> piece (Llama style),
  converted by transformers' SpmConverter.build_tokenizer_from_spm_proto (BPE with merges,
  byte_fallback, fuse_unk, Metaspace prepend_scheme "first", regex Replace normalizers), with Llama's
  "<s> $A" template. Committed.
* wordpiece-splits: a WordPiece model trained here by the `tokenizers` library itself, behind
  NFD + StripAccents + Lowercase and a pre-tokenizer Sequence that uses every Split behaviour
  (WhitespaceSplit, then Split with MergedWithPrevious, Contiguous, MergedWithNext, Isolated
  and invert), with BertProcessing ([CLS] … [SEP]). Committed.
* bert-cased, bert-uncased: WordPiece vocabularies trained here, made into tokenizer.json by
  transformers' BertTokenizer exactly as LaBSE's (do_lower_case=False: BertNormalizer with
  clean_text and handle_chinese_chars, accents kept, BertPreTokenizer, "[CLS] $A [SEP]") and
  bert-base-uncased's (do_lower_case=True, so accents are stripped) files are laid out. Committed.
* bert-digits-punctuation: a WordPiece model behind BertNormalizer(clean_text off, strip_accents
  on, lowercase off) and a pre-tokenizer Sequence of WhitespaceSplit, Punctuation (contiguous),
  Punctuation (merged_with_next) and Digits (individual). Committed.

A trained tokenizer.json that is already committed is reused (the WordPiece trainer orders tied
pieces differently from run to run); `--retrain` makes every one afresh. bert-normalizer/
codepoints.json records, over every Unicode scalar, the ones BertNormalizer's clean_text removes
or makes a space, the ones handle_chinese_chars surrounds with spaces, the ones its accent
stripping deletes and the ones the Punctuation and Digits pre-tokenizers split off, as ranges;
the first four and punctuation are written as Sources/EFText/HFTokenizer/BertUnicodeTables.swift, since
the library's tables are older than the Unicode version Swift's character properties follow.

Per text, goldens.json holds `encode` (Tokenizer.encode(text).ids: special ids, no truncation or
padding) and `immich` (what Immich's OpenClipTextualEncoder feeds the text tower: clean_text —
" ".join(text.split()) — then the tokenizer with enable_padding(length=context, pad_id=id of
tokenizer_config.json's pad_token) and enable_truncation(max_length=context)).

Needs: tokenizers, transformers, sentencepiece, protobuf (pip install into the dev venv).
Run: /work/main/.venv/bin/python tools/goldens/make_hf_tokenizer_goldens.py
"""
import hashlib
import json
import os
import sys
import tempfile

import sentencepiece as spm
import tokenizers
import transformers
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
from transformers import AddedToken, BertTokenizer, CLIPTokenizer, PreTrainedTokenizerFast
from transformers.convert_slow_tokenizer import SpmConverter, XLMRobertaConverter, import_protobuf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLDER = os.path.join(REPO, "Tests/Goldens/hf-tokenizers")
BPE_TEXT = os.path.join(REPO, ".testdata/clip/bpe_simple_vocab_16e6.txt")
SETUP_CLIP = ".testdata/models/clip-folder-small/ViT-B-32__openai/textual/tokenizer.json"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_tokenizer_corpus import CORPUS  # noqa: E402


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def bytes_to_unicode():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, [chr(c) for c in codes]))


def clip_vocab_files(directory):
    """vocab.json and merges.txt as transformers' CLIPTokenizer documents them."""
    lines = open(BPE_TEXT, encoding="utf-8").read().split("\n")
    merges = [tuple(line.split()) for line in lines[1:49152 - 256 - 2 + 1]]
    symbols = list(bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    with open(os.path.join(directory, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({token: i for i, token in enumerate(vocab)}, f, ensure_ascii=False)
    with open(os.path.join(directory, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n")


def clean_text(text):
    """Immich's immich_ml/models/transforms.py clean_text (canonicalize off)."""
    return " ".join(text.split())


def goldens(path, texts, context, pad_token):
    plain = Tokenizer.from_file(path)
    immich = Tokenizer.from_file(path)
    pad_id = immich.token_to_id(pad_token)
    immich.enable_padding(length=context, pad_token=pad_token, pad_id=pad_id)
    immich.enable_truncation(max_length=context)
    cases = [{"name": item["name"], "encode": plain.encode(item["text"]).ids,
              "immich": immich.encode(clean_text(item["text"])).ids} for item in texts]
    return {"context_length": context, "pad_token": pad_token, "pad_id": pad_id, "cases": cases}


def write_json(path, obj):
    """Indented, but each case on one line."""
    cases = obj.pop("cases", None)
    text = json.dumps(obj, ensure_ascii=False, indent=1)
    if cases is not None:
        rows = ",\n  ".join(json.dumps(case, ensure_ascii=False) for case in cases)
        text = text[:-2] + ',\n "cases": [\n  ' + rows + "\n ]\n}"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def train(directory, name, **options):
    corpus = os.path.join(directory, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(CORPUS) + "\n")
    prefix = os.path.join(directory, name)
    spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, normalization_rule_name="nmt_nfkc",
                                   num_threads=1, minloglevel=2, **options)
    return prefix + ".model"


def xlmr_unigram(directory, out):
    model = train(directory, "unigram", model_type="unigram", vocab_size=600, hard_vocab_limit=False,
                  character_coverage=0.9995)
    processor = spm.SentencePieceProcessor(model_file=model)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i, piece in enumerate(pieces[3:]):
        vocab[piece] = i + 4
    vocab["<mask>"] = len(vocab)

    class Original:  # what XLMRobertaConverter reads from a slow XLMRobertaTokenizer
        vocab_file = model

        @staticmethod
        def convert_tokens_to_ids(token):
            return vocab[token]

    fast = PreTrainedTokenizerFast(
        tokenizer_object=XLMRobertaConverter(Original()).converted(), bos_token="<s>", eos_token="</s>",
        unk_token="<unk>", pad_token="<pad>", cls_token="<s>", sep_token="</s>",
        mask_token=AddedToken("<mask>", lstrip=True, special=True))
    fast.save_pretrained(out)


def spm_bpe(directory, out):
    model = train(directory, "bpe", model_type="bpe", vocab_size=900, byte_fallback=True,
                  character_coverage=0.98, pad_id=3)
    proto = import_protobuf().ModelProto()
    with open(model, "rb") as f:
        proto.ParseFromString(f.read())
    vocab = {piece.piece: i for i, piece in enumerate(proto.pieces)}
    tok = SpmConverter.build_tokenizer_from_spm_proto(proto, vocab, legacy=False)
    # Llama's layout: a BOS id before the text, none after.
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", vocab["<s>"])])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<pad>")
    fast.save_pretrained(out)


def wordpiece_splits(directory, out):
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Split("-", behavior="merged_with_previous"),
        pre_tokenizers.Split(Regex(r"\d"), behavior="contiguous"),
        pre_tokenizers.Split(Regex(r"[.,!?]"), behavior="merged_with_next"),
        pre_tokenizers.Split(Regex(r"\p{Han}+"), behavior="isolated", invert=True),
    ])
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    tok.train_from_iterator(CORPUS, trainers.WordPieceTrainer(vocab_size=700, special_tokens=specials))
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")),
                                                   ("[CLS]", tok.token_to_id("[CLS]")))
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                            sep_token="[SEP]").save_pretrained(out)


def train_wordpiece(directory, normalizer):
    """A WordPiece vocabulary trained on the corpus behind `normalizer` and BERT's pre-tokenizer."""
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(CORPUS, trainers.WordPieceTrainer(vocab_size=800, special_tokens=specials))
    return tok


def bert_file(lowercase):
    def build(directory, out):
        normalizer = normalizers.BertNormalizer(lowercase=lowercase)
        vocab = train_wordpiece(directory, normalizer).get_vocab()
        BertTokenizer(vocab=vocab, do_lower_case=lowercase).save_pretrained(out)
    return build


def bert_digits_punctuation(directory, out):
    normalizer = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True, strip_accents=True,
                                            lowercase=False)
    tok = train_wordpiece(directory, normalizer)
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior="contiguous"),
        pre_tokenizers.Punctuation(behavior="merged_with_next"), pre_tokenizers.Digits(individual_digits=True),
    ])
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", tok.token_to_id("[CLS]")),
                                                 ("[SEP]", tok.token_to_id("[SEP]"))])
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                            sep_token="[SEP]").save_pretrained(out)


def ranges(points):
    out = []
    for point in points:
        if out and out[-1][1] == point - 1:
            out[-1][1] = point
        else:
            out.append([point, point])
    return out


def bert_classes():
    """Every scalar through each BertNormalizer step alone and the Punctuation and Digits pre-tokenizers."""
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False,
                                       lowercase=False)
    chinese = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True, strip_accents=False,
                                         lowercase=False)
    accents = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True,
                                         lowercase=False)
    punctuation, digits = pre_tokenizers.Punctuation(), pre_tokenizers.Digits(individual_digits=True)
    classes = {"removed": [], "spaced": [], "chinese": [], "accent_stripped": [], "punctuation": [], "numeric": []}
    for point in range(0x110000):
        if 0xD800 <= point < 0xE000:
            continue
        char = chr(point)
        cleaned = clean.normalize_str(char)
        if cleaned == "":
            classes["removed"].append(point)
        elif cleaned == " " and char != " ":
            classes["spaced"].append(point)
        if chinese.normalize_str(char) == f" {char} ":
            classes["chinese"].append(point)
        if accents.normalize_str(char) == "":
            classes["accent_stripped"].append(point)
        if len(punctuation.pre_tokenize_str(f"a{char}a")) == 3:
            classes["punctuation"].append(point)
        if len(digits.pre_tokenize_str(f"a{char}a")) == 3:
            classes["numeric"].append(point)
    return {name: ranges(points) for name, points in classes.items()}


SWIFT_TABLES = os.path.join(REPO, "Sources/EFText/HFTokenizer/BertUnicodeTables.swift")


def swift_ranges(name, doc, spans):
    items = [f"0x{a:X}...0x{b:X}," for a, b in spans]
    lines, line = [], "       "
    for item in items:
        if len(line) + 1 + len(item) > 116:
            lines.append(line)
            line = "       "
        line += " " + item
    lines.append(line)
    return f"    /// {doc}\n    static let {name}: [ClosedRange<UInt32>] = [\n" + "\n".join(lines) + "\n    ]\n"


def write_bert_tables(classes, made_with):
    """The codepoint goldens and the Swift tables Edgeflow's BertTextRules looks characters up in."""
    out = os.path.join(FOLDER, "bert-normalizer")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "codepoints.json"), "w") as f:
        json.dump({"made_with": made_with, **classes}, f)
        f.write("\n")
    header = ("// GENERATED by tools/goldens/make_hf_tokenizer_goldens.py from the Hugging Face `tokenizers`\n"
              f"// library {made_with['tokenizers']}: the character classes of its BERT normalizer and Punctuation\n"
              "// pre-tokenizer, as ranges of Unicode scalars. The library's tables predate current Unicode\n"
              "// (Swift's newer categories differ on a few hundred characters), so Edgeflow looks them up here\n"
              "// to give the same ids. Do not edit.\n\n"
              "/// The `tokenizers` library's character tables for BERT's rules.\nenum BertUnicodeTables {\n")
    body = "\n".join([
        swift_ranges("removed", "clean_text deletes these: controls but tab, newline and return; format and "
                     "private use; NUL, U+FFFD.", classes["removed"]),
        swift_ranges("chinese", "The CJK ideographs handle_chinese_chars puts spaces around.", classes["chinese"]),
        swift_ranges("nonspacingMarks", "Scalars BertNormalizer's accent stripping deletes after NFD (category Mn).",
                     classes["accent_stripped"]),
        swift_ranges("punctuation", "Punctuation as BertPreTokenizer and Punctuation split on (ASCII symbols, "
                     "category P*).", classes["punctuation"]),
    ])
    with open(SWIFT_TABLES, "w") as f:
        f.write(header + body + "}\n")


def main():
    retrain = "--retrain" in sys.argv[1:]
    texts = json.load(open(os.path.join(FOLDER, "strings.json"), encoding="utf-8"))["strings"]
    made_with = {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
                 "sentencepiece": spm.__version__}
    with tempfile.TemporaryDirectory() as directory:
        clip_vocab_files(directory)
        CLIPTokenizer.from_pretrained(directory).save_pretrained(directory)
        converted = os.path.join(directory, "tokenizer.json")
        setup_file = os.path.join(REPO, SETUP_CLIP)
        if not os.path.exists(setup_file):
            sys.exit(f"missing {SETUP_CLIP}: run scripts/setup.sh first")
        pad = json.load(open(os.path.join(directory, "tokenizer_config.json")))["pad_token"]
        clip = goldens(converted, texts, 77, pad)
        check = goldens(setup_file, texts, 77, pad)
        if check != clip:
            sys.exit(f"{SETUP_CLIP} tokenizes differently from transformers' conversion")
        clip.update(tokenizer=SETUP_CLIP, sha256=sha256(setup_file), made_with=made_with)
        os.makedirs(os.path.join(FOLDER, "clip"), exist_ok=True)
        write_json(os.path.join(FOLDER, "clip/goldens.json"), clip)

        for name, build, context in [("xlmr-unigram", xlmr_unigram, 32), ("spm-bpe-bytefallback", spm_bpe, 24),
                                     ("wordpiece-splits", wordpiece_splits, 20), ("bert-cased", bert_file(False), 24),
                                     ("bert-uncased", bert_file(True), 24),
                                     ("bert-digits-punctuation", bert_digits_punctuation, 24)]:
            out = os.path.join(FOLDER, name)
            os.makedirs(out, exist_ok=True)
            if retrain or not os.path.exists(os.path.join(out, "tokenizer.json")):
                build(directory, out)
            path = os.path.join(out, "tokenizer.json")
            pad = json.load(open(os.path.join(out, "tokenizer_config.json")))["pad_token"]
            result = goldens(path, texts, context, pad)
            result.update(tokenizer=os.path.relpath(path, REPO), sha256=sha256(path), made_with=made_with)
            write_json(os.path.join(out, "goldens.json"), result)
    write_bert_tables(bert_classes(), made_with)
    print("wrote", os.path.relpath(FOLDER, REPO))


if __name__ == "__main__":
    main()
