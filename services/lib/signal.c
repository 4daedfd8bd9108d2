/* sigaction, sigprocmask and signal sets over rt_sigaction and rt_sigprocmask. */
#include <ecl/errno.h>
#include <ecl/signal.h>
#include <ecl/syscall.h>

/* Returns from a handler through rt_sigreturn (sigrestore.S). */
void ecl_sigreturn(void);

/* Sets sig's action to *act (if not NULL), storing the old one in *old (if not NULL); 0 or -1. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct linux_sigaction k, kold;
	if (act) {
		k.handler = (unsigned long long)act->sa_handler;
		k.flags = act->sa_flags | SA_RESTORER;
		k.restorer = (unsigned long long)ecl_sigreturn;
		k.mask = act->sa_mask;
	}
	long r = syscall4(SYS_rt_sigaction, sig, act ? (long)&k : 0, old ? (long)&kold : 0,
			  sizeof(sigset_t));
	if (r == 0 && old) {
		old->sa_handler = (sighandler_t)kold.handler;
		old->sa_flags = kold.flags;
		old->sa_mask = kold.mask;
	}
	return (int)syscall_ret(r);
}

/* Changes the blocked set as how (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK) says; 0 or -1. */
int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	return (int)syscall_ret(syscall4(SYS_rt_sigprocmask, how, (long)set, (long)old, sizeof(sigset_t)));
}

/* The bit of sig in a sigset_t, or 0 (with errno EINVAL) if there is none. */
static sigset_t bit(int sig)
{
	if (sig < 1 || sig > NSIG) {
		errno = EINVAL;
		return 0;
	}
	return 1ULL << (sig - 1);
}

int sigemptyset(sigset_t *set)
{
	*set = 0;
	return 0;
}

int sigfillset(sigset_t *set)
{
	*set = ~0ULL;
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	sigset_t b = bit(sig);
	*set |= b;
	return b ? 0 : -1;
}

int sigdelset(sigset_t *set, int sig)
{
	sigset_t b = bit(sig);
	*set &= ~b;
	return b ? 0 : -1;
}

int sigismember(const sigset_t *set, int sig)
{
	sigset_t b = bit(sig);
	return b ? (*set & b) != 0 : -1;
}

/* Returns sig's name ("SIGSEGV"), or "signal" for a number without one. */
const char *signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",     [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP",   [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",     [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV",   [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",   [SIGTERM] = "SIGTERM",
		[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",   [SIGSTOP] = "SIGSTOP",
	};
	if (sig > 0 && sig < (int)(sizeof names / sizeof names[0]) && names[sig])
		return names[sig];
	return "signal";
}
