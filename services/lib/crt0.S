/*
 * _start: the entry point. The kernel (Eclipse or Linux) enters it with the System V initial
 * stack: argc at (%rsp), then argv[0..argc-1], NULL, envp[], NULL, auxv pairs, AT_NULL.
 * Registers other than rsp are unspecified. Calls main(argc, argv, envp), then exit() with
 * what it returns.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	.cfi_startproc
	/* The outermost frame: unwinders and backtraces stop here. */
	.cfi_undefined rip
	xorl %ebp, %ebp
	movq %rsp, ecl_initial_sp(%rip)
	movl (%rsp), %edi		/* argc */
	leaq 8(%rsp), %rsi		/* argv */
	leaq 16(%rsp,%rdi,8), %rdx	/* envp: past argv's argc pointers and NULL */
	movq %rdx, environ(%rip)
	/* The ABI promises rsp % 16 == 0 at a call; do not trust the kernel for it. */
	andq $-16, %rsp
	call main
	movl %eax, %edi
	call exit
	.cfi_endproc
	.size _start, . - _start

	.bss
	.balign 8
	.globl environ
	.type environ, @object
	.size environ, 8
environ:
	.zero 8
	.globl ecl_initial_sp
	.type ecl_initial_sp, @object
	.size ecl_initial_sp, 8
ecl_initial_sp:
	.zero 8

	.section .note.GNU-stack, "", @progbits
