// zlib (Debian zlib1g-dev): gzip reading of the CLIP BPE vocabulary. Only EFText imports this.
#include <zlib.h>
