*‡?B
typed_int4