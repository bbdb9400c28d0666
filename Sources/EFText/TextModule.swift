// Placeholder so the EFText target builds before the tokenizer lands; replaced by the tokenizer work.
enum EFTextPlaceholder {}
