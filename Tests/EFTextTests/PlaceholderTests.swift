// Replaced by the tokenizer tests.
