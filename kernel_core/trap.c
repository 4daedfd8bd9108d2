/* What a trap from user mode means: a syscall, a fault to resolve, or a signal to deliver. */
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <uapi/eclipse.h>

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

static void page_fault(struct proc *p, const struct trap *t)
{
	int err = mm_fault(&p->mm, t->fault_addr, t->access, t->access_known);
	if (err == -ENOMEM) {
		kprintf(2, "%s: pid %d (%s): out of memory at %#llx\n", plat_name, p->pid, p->name,
			(unsigned long long)t->fault_addr);
		proc_kill_fault(p, SIGKILL, t->fault_addr);
		return;
	}
	if (err) {
		signal_fault(p, SIGSEGV, t->fault_addr);
		return;
	}
	/* Resolving the same fault again and again, with nothing else in between, means the CPU
	 * does not see our change. */
	bool same = p->fault_addr == t->fault_addr && p->fault_rip == p->ctx.regs.rip;
	p->fault_repeats = same ? p->fault_repeats + 1 : 0;
	p->fault_addr = t->fault_addr;
	p->fault_rip = p->ctx.regs.rip;
	if (p->fault_repeats > FAULT_REPEAT_LIMIT)
		proc_kill_fault(p, SIGSEGV, t->fault_addr);
}

void trap_handle(struct proc *p, const struct trap *t)
{
	if (t->kind != TRAP_PAGE_FAULT)
		p->fault_repeats = 0; /* it got somewhere since its last fault */
	switch (t->kind) {
	case TRAP_SYSCALL:
		syscall_from_regs(p);
		break;
	case TRAP_PAGE_FAULT:
		page_fault(p, t);
		break;
	case TRAP_EXCEPTION:
		signal_fault(p, signal_for_vector(t->vector), p->ctx.regs.rip);
		break;
	case TRAP_TICK:
		sched_rotate();
		break;
	case TRAP_STOP: /* kernel_run stops before handling it */
		break;
	}
}
