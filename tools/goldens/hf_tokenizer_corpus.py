"""Training text for the small SentencePiece models of make_hf_tokenizer_goldens.py: photo-search
style captions in several scripts, plus compatibility characters (fullwidth, ligatures, circled
digits, halfwidth katakana) so nmt_nfkc normalization has work to do."""

_BASE = [
    "a photo of a dog playing in the snow", "a cat sleeping on a red sofa", "sunset over the ocean",
    "two children riding bicycles in the park", "a bowl of fresh fruit on a wooden table",
    "the old town at night with street lights", "mountains covered with snow and a blue lake",
    "a birthday cake with candles", "people walking on a busy street in the rain",
    "ein Hund spielt im Schnee", "eine Katze schläft auf dem Sofa", "Sonnenuntergang über dem Meer",
    "Straße in der Altstadt bei Nacht", "Geburtstagskuchen mit Kerzen", "Brücke über den Fluss",
    "un chien qui joue dans la neige", "un chat endormi sur le canapé", "coucher de soleil sur la mer",
    "café crème et croissant au petit déjeuner", "la tour Eiffel illuminée", "été à la plage",
    "un perro jugando en la nieve", "un gato durmiendo en el sofá", "puesta de sol sobre el océano",
    "собака играет в снегу", "кошка спит на диване", "закат над морем", "старый город ночью",
    "σκύλος παίζει στο χιόνι", "ηλιοβασίλεμα πάνω από τη θάλασσα", "ΟΔΥΣΣΕΥΣ",
    "雪の中で遊ぶ犬", "ソファで寝ている猫", "海に沈む夕日", "東京タワーの夜景", "桜の花と青い空",
    "在雪地里玩耍的狗", "睡在沙发上的猫", "海上日落", "北京的老街道", "生日蛋糕和蜡烛",
    "눈 속에서 노는 개", "소파에서 자는 고양이", "바다 위의 일몰", "서울의 밤거리",
    "قطة نائمة على الأريكة", "غروب الشمس فوق البحر", "कुत्ता बर्फ में खेल रहा है", "समुद्र तट पर सूर्यास्त",
    "İstanbul'da bir kedi", "Zürich im Winter", "naïve façade", "smörgåsbord och kaffe",
    "ＡＢＣ ｆｕｌｌｗｉｄｔｈ １２３", "ﬁsh and ﬂowers", "① ② ③ ㎏ ㎞", "ｶﾞｷﾞｸﾞ ﾊﾟﾝ", "Ⅻ o'clock",
    "the year 2024 and 1999", "3.14 and 2,718", "it's a dog's life, isn't it?", "hello, world!",
]

CORPUS = [line for i in range(8) for line in _BASE[i % 3:] + _BASE[: i % 3]]
