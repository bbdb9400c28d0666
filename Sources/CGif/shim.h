// giflib 5 (Debian libgif-dev): first frame of GIF files. Only EFMedia imports this.
#include <gif_lib.h>
