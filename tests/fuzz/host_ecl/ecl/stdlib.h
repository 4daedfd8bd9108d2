/* The guest runtime's <ecl/stdlib.h> on the host: the C library's (see stdio.h here). */
#ifndef FUZZ_HOST_ECL_STDLIB_H
#define FUZZ_HOST_ECL_STDLIB_H

#include <stdlib.h>

#endif
