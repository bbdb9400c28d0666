
*
€xÿ÷ÿ€üBtyped_float16