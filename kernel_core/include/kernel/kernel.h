/* The kernel as a whole: configuration, boot, the trap loop. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <kernel/core.h>
#include <kernel/proc.h>

/* reboot(2) halted, powered off or restarted the machine: kernel_run ends with status 0 once
 * the calling syscall returns (the simulator cannot restart; it stops as for a power-off). */
void kernel_power_off(const char *how);
/* Handles one trap of thread t. */
void trap_handle(struct thread *t, const struct trap *trap);
/* Tells the platform's event observer (kernel_config.on_event) of an event, given as the
 * fields of struct core_event: EVENT(.kind = CORE_EVENT_RUN, .t = t). Without an observer the
 * event is not built and its fields (a name to look up, say) are not evaluated. */
#define EVENT(...)                                                                      \
	do {                                                                            \
		if (kernel_cfg.on_event)                                                \
			kernel_cfg.on_event(&(const struct core_event){__VA_ARGS__});   \
	} while (0)

/* With --trace=sched, writes one scheduler event line to the console. */
void trace_sched(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --trace=syscall, in strace's format (trace.c). Each does nothing when syscalls are not
 * traced. */
struct linux_siginfo;
/* t starts syscall nr with args: its line begins (unless t's call is under way: a rerun). */
void trace_syscall_enter(struct thread *t, uint64_t nr, const uint64_t *args);
/* t's syscall, started before, returns ret: the rest of its line, or its "<... resumed>" line;
 * -EINTR with a signal handler to run is shown as what Linux reports. */
void trace_syscall_exit(struct thread *t, uint64_t nr, const uint64_t *args, long ret);
/* What a signal does to the thread it reaches. */
enum trace_sig {
	TRACE_SIG_TAKEN, /* a handler runs, or it is ignored */
	TRACE_SIG_KILLS, /* it ends the process (t's call in a wait, if any, is interrupted) */
	TRACE_SIG_STOPS,
};
/* "--- SIGCHLD {si_signo=SIGCHLD, ...} ---" (and "--- stopped by ... ---"). */
void trace_signal(struct thread *t, const struct linux_siginfo *si, enum trace_sig how);
/* t ended with wait_status: "+++ exited with 0 +++", after "= ?" for a call it was in. */
void trace_thread_exit(struct thread *t, int wait_status);
/* Forgets every call under way: a new machine. */
void trace_reset(void);

#endif
