/* lwIP's platform header for the network service: musl's C library, x86_64. */
#ifndef NETWORK_ARCH_CC_H
#define NETWORK_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

#define LWIP_PLATFORM_DIAG(x) \
	do { \
		printf x; \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x) \
	do { \
		fprintf(stderr, "network: lwIP assertion \"%s\" failed at %s:%d\n", x, __FILE__, \
			__LINE__); \
		abort(); \
	} while (0)

#endif
