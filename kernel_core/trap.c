/* What a trap from user mode means: a syscall, a fault to resolve, or a signal to deliver. */
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <uapi/linux.h>

#define FAULT_REPEAT_LIMIT 8
#define RFLAGS_TF 0x100ull

/* What Linux's siginfo says of a CPU exception: the signal, si_code, and whether si_addr is the
 * faulting instruction (else NULL). */
struct exception_signal {
	int sig, code;
	bool at_rip;
};

/* si_code of a floating-point exception: the first unmasked flag raised, as Linux reads them
 * from the x87 status word (vector 16) or MXCSR (vector 19); 0 when none is. */
static int fpe_code(struct thread *t, unsigned vector)
{
	uint16_t cw, sw;
	uint32_t mxcsr;
	plat_uctx_save(&t->ctx); /* the FXSAVE image: control word, status word, MXCSR at 24 */
	kmemcpy(&cw, t->ctx.fpu, sizeof(cw));
	kmemcpy(&sw, t->ctx.fpu + 2, sizeof(sw));
	kmemcpy(&mxcsr, t->ctx.fpu + 24, sizeof(mxcsr));
	unsigned raised = vector == 16 ? sw & ~cw & 0x3fu : mxcsr & ~(mxcsr >> 7) & 0x3fu;
	return raised & 0x01   ? FPE_FLTINV
	       : raised & 0x04 ? FPE_FLTDIV
	       : raised & 0x08 ? FPE_FLTOVF
	       : raised & 0x12 ? FPE_FLTUND
	       : raised & 0x20 ? FPE_FLTRES
				: 0;
}

/* The signal Linux sends for CPU exception vector v of t. */
static struct exception_signal signal_for_vector(struct thread *t, unsigned v)
{
	switch (v) {
	case 0: /* divide error */
		return (struct exception_signal){SIGFPE, FPE_INTDIV, true};
	case 16: /* x87 floating point */
	case 19: /* SIMD floating point */
		return (struct exception_signal){SIGFPE, fpe_code(t, v), true};
	case 1: /* debug: a single step (TF), or icebp, which Linux reports as a breakpoint */
		return (struct exception_signal){
			SIGTRAP, t->ctx.regs.rflags & RFLAGS_TF ? TRAP_TRACE : TRAP_BRKPT, true};
	case 3: /* breakpoint */
		return (struct exception_signal){SIGTRAP, SI_KERNEL, false};
	case 6: /* invalid opcode */
		return (struct exception_signal){SIGILL, ILL_ILLOPN, true};
	case 17: /* alignment check */
		return (struct exception_signal){SIGBUS, BUS_ADRALN, false};
	case 11: /* segment not present */
	case 12: /* stack segment */
		return (struct exception_signal){SIGBUS, SI_KERNEL, false};
	default: /* general protection, and anything unexpected */
		return (struct exception_signal){SIGSEGV, SI_KERNEL, false};
	}
}

static void page_fault(struct thread *t, const struct trap *trap)
{
	struct proc *p = t->proc;
	int err = mm_fault(p->mm, trap->fault_addr, trap->access, trap->access_known);
	if (err == -ENOMEM) {
		kprintf(2, "%s: pid %d (%s): out of memory at %#llx\n", plat_name, p->pid, p->name,
			(unsigned long long)trap->fault_addr);
		proc_kill_fault(t, SIGKILL, SI_KERNEL, trap->fault_addr);
		return;
	}
	if (err) {
		/* Linux tells a missing mapping from an access the mapping forbids. */
		int code = mm_find(p->mm, trap->fault_addr) ? SEGV_ACCERR : SEGV_MAPERR;
		signal_fault(t, SIGSEGV, code, trap->fault_addr);
		return;
	}
	/* Resolving the same fault again and again, with nothing else in between, means the CPU
	 * does not see our change. */
	bool same = t->fault_addr == trap->fault_addr && t->fault_rip == t->ctx.regs.rip;
	t->fault_repeats = same ? t->fault_repeats + 1 : 0;
	t->fault_addr = trap->fault_addr;
	t->fault_rip = t->ctx.regs.rip;
	if (t->fault_repeats > FAULT_REPEAT_LIMIT)
		proc_kill_fault(t, SIGSEGV, SEGV_ACCERR, trap->fault_addr);
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
		EVENT(.kind = CORE_EVENT_FAULT, .t = t,
		      .fault = {trap->vector, trap->fault_addr, t->ctx.regs.rip});
		page_fault(t, trap);
		break;
	case TRAP_EXCEPTION: {
		EVENT(.kind = CORE_EVENT_FAULT, .t = t, .fault = {trap->vector, 0, t->ctx.regs.rip});
		struct exception_signal e = signal_for_vector(t, trap->vector);
		signal_fault(t, e.sig, e.code, e.at_rip ? t->ctx.regs.rip : 0);
		break;
	}
	case TRAP_TICK:
		sched_rotate();
		break;
	case TRAP_NONE:  /* the platform handled the syscall: only look at signals and turns */
	case TRAP_STOP: /* kernel_run stops before handling it */
		break;
	}
}
