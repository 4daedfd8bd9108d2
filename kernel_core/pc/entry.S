/*
 * The way into user mode and back. pc_enter_user(regs, by_sysret) saves the kernel's
 * callee-saved registers and stack pointer, loads regs and leaves for ring 3 by iretq (or by
 * sysretq, which needs rcx = rip and r11 = rflags). Every way back - the syscall instruction,
 * an exception or an interrupt taken in ring 3 - stores the user registers into that same
 * regs and returns from pc_enter_user: PC_VEC_SYSCALL for a syscall, else the vector (the
 * error code is in pc_trap_error). The kernel always runs with interrupts off, so nothing else
 * can use these globals in between; one CPU needs no swapgs.
 *
 * Interrupts taken in ring 0 (only while the kernel idles with hlt, and kernel faults) run
 * pc_kernel_interrupt on the kernel stack; a double fault gets a stack of its own (IST 1).
 */
#include "pc.h"

	.bss
	.balign 8
pc_kernel_rsp:
	.skip 8
pc_user_regs:
	.skip 8
pc_user_rsp:
	.skip 8
	.globl pc_trap_error
pc_trap_error:
	.skip 8

	.text
/* unsigned pc_enter_user(struct regs *regs, int by_sysret) */
	.globl pc_enter_user
pc_enter_user:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, pc_kernel_rsp(%rip)
	mov %rdi, pc_user_regs(%rip)
	test %esi, %esi
	jnz 1f
	pushq $PC_USER_SS
	pushq PC_REG_RSP(%rdi)
	pushq PC_REG_RFLAGS(%rdi)
	pushq $PC_USER_CS
	pushq PC_REG_RIP(%rdi)
	mov PC_REG_RCX(%rdi), %rcx
	mov PC_REG_R11(%rdi), %r11
	call load_user_regs
	mov PC_REG_RDI(%rdi), %rdi
	iretq
1:	mov PC_REG_RIP(%rdi), %rcx
	mov PC_REG_RFLAGS(%rdi), %r11
	call load_user_regs
	mov PC_REG_RSP(%rdi), %rsp
	mov PC_REG_RDI(%rdi), %rdi
	sysretq

/* Loads every register but rcx, r11, rsp and rdi from the regs at rdi. */
load_user_regs:
	mov PC_REG_RAX(%rdi), %rax
	mov PC_REG_RBX(%rdi), %rbx
	mov PC_REG_RDX(%rdi), %rdx
	mov PC_REG_RSI(%rdi), %rsi
	mov PC_REG_RBP(%rdi), %rbp
	mov PC_REG_R8(%rdi), %r8
	mov PC_REG_R9(%rdi), %r9
	mov PC_REG_R10(%rdi), %r10
	mov PC_REG_R12(%rdi), %r12
	mov PC_REG_R13(%rdi), %r13
	mov PC_REG_R14(%rdi), %r14
	mov PC_REG_R15(%rdi), %r15
	ret

/* Stores rbx, rdx, rsi, rdi, rbp and r8-r15 into the regs at rax (rax, rcx, r11: callers). */
	.macro store_user_regs base
	mov %rbx, PC_REG_RBX(\base)
	mov %rdx, PC_REG_RDX(\base)
	mov %rsi, PC_REG_RSI(\base)
	mov %rdi, PC_REG_RDI(\base)
	mov %rbp, PC_REG_RBP(\base)
	mov %r8, PC_REG_R8(\base)
	mov %r9, PC_REG_R9(\base)
	mov %r10, PC_REG_R10(\base)
	mov %r12, PC_REG_R12(\base)
	mov %r13, PC_REG_R13(\base)
	mov %r14, PC_REG_R14(\base)
	mov %r15, PC_REG_R15(\base)
	.endm

/* LSTAR: the syscall instruction lands here with rcx = user rip, r11 = user rflags, and
 * rflags masked by FMASK (interrupts off, DF clear). No stack is needed. */
	.globl pc_syscall_entry
pc_syscall_entry:
	mov %rsp, pc_user_rsp(%rip)
	mov pc_user_regs(%rip), %rsp
	mov %rax, PC_REG_RAX(%rsp)
	mov %rcx, PC_REG_RCX(%rsp)
	mov %rcx, PC_REG_RIP(%rsp)
	mov %r11, PC_REG_R11(%rsp)
	mov %r11, PC_REG_RFLAGS(%rsp)
	store_user_regs %rsp
	mov pc_user_rsp(%rip), %rax
	mov %rax, PC_REG_RSP(%rsp)
	mov $PC_VEC_SYSCALL, %eax
	jmp resume_kernel

/* Back to pc_enter_user's caller with eax as its result. */
resume_kernel:
	mov pc_kernel_rsp(%rip), %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

/* Every vector: the stack holds vector, error code (0 when the CPU pushes none), rip, cs,
 * rflags, rsp, ss. From ring 3 it is TSS.RSP0's entry stack, left behind at once. */
intr_common:
	cld
	testb $3, 24(%rsp)
	jz kernel_intr
	push %rax
	mov pc_user_regs(%rip), %rax
	mov %rcx, PC_REG_RCX(%rax)
	mov %r11, PC_REG_R11(%rax)
	store_user_regs %rax
	pop %rbx
	mov %rbx, PC_REG_RAX(%rax)
	mov 16(%rsp), %rbx
	mov %rbx, PC_REG_RIP(%rax)
	mov 32(%rsp), %rbx
	mov %rbx, PC_REG_RFLAGS(%rax)
	mov 40(%rsp), %rbx
	mov %rbx, PC_REG_RSP(%rax)
	mov 8(%rsp), %rbx
	mov %rbx, pc_trap_error(%rip)
	mov (%rsp), %eax
	jmp resume_kernel

kernel_intr:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	call pc_kernel_interrupt
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

/* The 256 vector stubs, and pc_vector_stubs[] with their addresses for the IDT. */
	.macro vector_stub v
	.balign 16
1:
	.if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	.else
	pushq $0
	.endif
	pushq $\v
	jmp intr_common
	.pushsection .rodata.pc_vectors, "a"
	.quad 1b
	.popsection
	.endm

	.section .rodata.pc_vectors, "a"
	.balign 8
	.globl pc_vector_stubs
pc_vector_stubs:
	.text
	.altmacro
	.set vec, 0
	.rept 256
	vector_stub %vec
	.set vec, vec + 1
	.endr
	.noaltmacro

	.section .note.GNU-stack, "", @progbits
