/* Signal names; everything else about signals is the C library's <signal.h>. */
#ifndef ECL_SIGNAL_H
#define ECL_SIGNAL_H

/* Returns sig's name ("SIGSEGV"), or "signal" for a number without one. */
const char *signal_name(int sig);

#endif
