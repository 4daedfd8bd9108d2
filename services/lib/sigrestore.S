/*
 * ecl_sigreturn: the restorer sigaction() installs. A handler returns here, with the signal
 * frame the kernel built on the stack, and rt_sigreturn puts back the interrupted context.
 */
	.text
	.globl ecl_sigreturn
	.type ecl_sigreturn, @function
ecl_sigreturn:
	/* Linux's byte sequence (mov $15, %rax; syscall): gdb recognises it as a signal frame. */
	movq $15, %rax		/* SYS_rt_sigreturn */
	syscall
	hlt			/* not reached: rt_sigreturn does not return here */
	.size ecl_sigreturn, . - ecl_sigreturn

	.section .note.GNU-stack, "", @progbits
