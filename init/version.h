/* The release init announces; it matches ECLIPSE_VERSION in kernel_core/include/kernel/kernel.h. */
#ifndef INIT_VERSION_H
#define INIT_VERSION_H

#define ECLIPSE_VERSION "0.1.0"

#endif
