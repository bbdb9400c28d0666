// libpng 1.6 (Debian libpng-dev); use the simplified png_image API (no setjmp). Only EFMedia imports this.
#include <png.h>
