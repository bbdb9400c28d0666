// The language prefix of NLLB-CLIP text towers, as Immich's machine-learning service adds it:
// the locale of Immich's web page (a Weblate code such as "de" or "pt-BR") becomes a FLORES-200
// code written right before the cleaned query ("deu_Latn" + "ein Hund"), which the tokenizer
// reads as its language token. The table is Immich's (immich_ml/models/constants.py,
// WEBLATE_TO_FLORES200), kept identical so a query gets the tokens Immich would give it — its
// oddities included ("ja" is jpn_Hira, "fa" Western Persian).

/// Maps Immich's locales to the FLORES-200 codes NLLB-CLIP models take.
public enum NLLBLanguage {
    /// The code for a locale: the locale itself, else its language without the country ("de-AT"
    /// → "de"), else English. `known` is false when English was a fallback.
    public static func floresCode(forLocale locale: String) -> (code: String, known: Bool) {
        if let code = codes[locale] { return (code, true) }
        let language = String(locale.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)[0])
        if let code = codes[language] { return (code, true) }
        return ("eng_Latn", false)
    }

    /// Whether a model of this name takes the prefix (Immich: the name starts with "nllb").
    public static func usesPrefix(modelName: String) -> Bool { modelName.hasPrefix("nllb") }

    static let codes: [String: String] = [
        "af": "afr_Latn", "ar": "arb_Arab", "az": "azj_Latn", "be": "bel_Cyrl", "bg": "bul_Cyrl",
        "ca": "cat_Latn", "cs": "ces_Latn", "da": "dan_Latn", "de": "deu_Latn", "el": "ell_Grek",
        "en": "eng_Latn", "es": "spa_Latn", "et": "est_Latn", "fa": "pes_Arab", "fi": "fin_Latn",
        "fr": "fra_Latn", "he": "heb_Hebr", "hi": "hin_Deva", "hr": "hrv_Latn", "hu": "hun_Latn",
        "hy": "hye_Armn", "id": "ind_Latn", "it": "ita_Latn", "ja": "jpn_Hira", "kmr": "kmr_Latn",
        "ko": "kor_Hang", "lb": "ltz_Latn", "lt": "lit_Latn", "lv": "lav_Latn", "mfa": "zsm_Latn",
        "mk": "mkd_Cyrl", "mn": "khk_Cyrl", "mr": "mar_Deva", "ms": "zsm_Latn", "nb-NO": "nob_Latn",
        "nn": "nno_Latn", "nl": "nld_Latn", "pl": "pol_Latn", "pt-BR": "por_Latn", "pt": "por_Latn",
        "ro": "ron_Latn", "ru": "rus_Cyrl", "sk": "slk_Latn", "sl": "slv_Latn", "sr-Cyrl": "srp_Cyrl",
        "sv": "swe_Latn", "ta": "tam_Taml", "te": "tel_Telu", "th": "tha_Thai", "tr": "tur_Latn",
        "uk": "ukr_Cyrl", "ur": "urd_Arab", "vi": "vie_Latn", "zh-CN": "zho_Hans", "zh-Hans": "zho_Hans",
        "zh-TW": "zho_Hant",
    ]
}
