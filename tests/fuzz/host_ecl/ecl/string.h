/* The guest runtime's <ecl/string.h> on the host: the C library's (see stdio.h here). */
#ifndef FUZZ_HOST_ECL_STRING_H
#define FUZZ_HOST_ECL_STRING_H

#include <string.h>

#endif
