/* What a trap from user mode means: a syscall, a fault to resolve, or a signal to deliver. */
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <uapi/linux.h>

#define FAULT_REPEAT_LIMIT 8

/* The signal Linux sends for CPU exception vector v. */
static int signal_for_vector(unsigned v)
{
	switch (v) {
	case 0:  /* divide error */
	case 16: /* x87 floating point */
	case 19: /* SIMD floating point */
		return SIGFPE;
	case 1: /* debug */
	case 3: /* breakpoint */
		return SIGTRAP;
	case 6: /* invalid opcode */
		return SIGILL;
	case 11: /* segment not present */
	case 12: /* stack segment */
	case 17: /* alignment check */
		return SIGBUS;
	default: /* general protection, page fault, and anything unexpected */
		return SIGSEGV;
	}
}

static void page_fault(struct thread *t, const struct trap *trap)
{
	struct proc *p = t->proc;
	int err = mm_fault(p->mm, trap->fault_addr, trap->access, trap->access_known);
	if (err == -ENOMEM) {
		kprintf(2, "%s: pid %d (%s): out of memory at %#llx\n", plat_name, p->pid, p->name,
			(unsigned long long)trap->fault_addr);
		proc_kill_fault(t, SIGKILL, trap->fault_addr);
		return;
	}
	if (err) {
		signal_fault(t, SIGSEGV, trap->fault_addr);
		return;
	}
	/* Resolving the same fault again and again, with nothing else in between, means the CPU
	 * does not see our change. */
	bool same = t->fault_addr == trap->fault_addr && t->fault_rip == t->ctx.regs.rip;
	t->fault_repeats = same ? t->fault_repeats + 1 : 0;
	t->fault_addr = trap->fault_addr;
	t->fault_rip = t->ctx.regs.rip;
	if (t->fault_repeats > FAULT_REPEAT_LIMIT)
		proc_kill_fault(t, SIGSEGV, trap->fault_addr);
}

void trap_handle(struct thread *t, const struct trap *trap)
{
	if (trap->kind != TRAP_PAGE_FAULT)
		t->fault_repeats = 0; /* it got somewhere since its last fault */
	switch (trap->kind) {
	case TRAP_SYSCALL:
		syscall_from_regs(t);
		break;
	case TRAP_PAGE_FAULT:
		page_fault(t, trap);
		break;
	case TRAP_EXCEPTION:
		signal_fault(t, signal_for_vector(trap->vector), t->ctx.regs.rip);
		break;
	case TRAP_TICK:
		sched_rotate();
		break;
	case TRAP_NONE:  /* the platform handled the syscall: only look at signals and turns */
	case TRAP_STOP: /* kernel_run stops before handling it */
		break;
	}
}
