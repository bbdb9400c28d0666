// libpq, PostgreSQL's C client library (Debian libpq-dev, 15.x). Only Sources/EFSearch imports
// this module (Sources/EFSearch/Postgres: the photo library kept in PostgreSQL).
#include <libpq-fe.h>
