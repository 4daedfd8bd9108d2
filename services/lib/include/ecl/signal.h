/*
 * Signals, libc-style: sigaction installs a handler with our restorer (which calls
 * rt_sigreturn), sigprocmask changes the blocked set; both fail with -1 and errno. kill is in
 * <ecl/unistd.h>, the signal numbers in eclipse.h.
 */
#ifndef ECL_SIGNAL_H
#define ECL_SIGNAL_H

#include <eclipse.h>
#include <linux.h>

typedef unsigned long long sigset_t;
typedef void (*sighandler_t)(int);
/* Written to by handlers and read by the interrupted code. */
typedef volatile int sig_atomic_t;

/* libc's pointer forms of the uapi's integer handler values. */
#undef SIG_DFL
#undef SIG_IGN
#define SIG_DFL ((sighandler_t)0)
#define SIG_IGN ((sighandler_t)1)

struct sigaction {
	sighandler_t sa_handler;
	unsigned long sa_flags; /* SA_* from eclipse.h; SA_RESTORER is added by sigaction() */
	sigset_t sa_mask;       /* signals blocked while the handler runs */
};

/* Sets sig's action to *act (if not NULL), storing the old one in *old (if not NULL); 0 or -1. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
/* Changes the blocked set as how (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK) says; 0 or -1. */
int sigprocmask(int how, const sigset_t *set, sigset_t *old);

/* Set operations; 0 (sigismember: 1 or 0), or -1 with EINVAL for a number outside 1..NSIG. */
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);

/* Returns sig's name ("SIGSEGV"), or "signal" for a number without one. */
const char *signal_name(int sig);

#endif
