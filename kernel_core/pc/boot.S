/*
 * From the multiboot loader to C: QEMU (or GRUB) enters pc_start32 in 32-bit protected mode
 * without paging, EAX = 0x2badb002 and EBX = the physical address of the multiboot information.
 * We build 2 MiB-page tables that map all memory below 4 GiB three times (identity, only for
 * the jump into long mode; the direct map at PC_DIRECT_MAP; the kernel image at PC_KERNEL_VMA),
 * turn on long mode with NX and SYSCALL, and call pc_main(magic, info) on the boot stack.
 *
 * The image is an ELF64 file, which QEMU's multiboot loader refuses as ELF. The header below
 * therefore sets the "a.out kludge" flag (bit 16) and gives the physical load addresses itself:
 * the loader then copies the file from the header on, up to pc_load_end, to 1 MiB and zeroes
 * the bss. kernel.ld keeps the image one contiguous segment so that file and memory agree, and
 * the same file stays gdb's symbol file.
 */
#include "pc.h"

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00010003 /* page-aligned modules, memory map, load addresses given */
#define PHYS(sym) ((sym) - PC_KERNEL_VMA)

#define PTE_PW 0x3   /* present, writable */
#define PTE_PWS 0x83 /* present, writable, 2 MiB page */
#define CR0_PE 0x1
#define CR0_MP 0x2
#define CR0_EM 0x4
#define CR0_NE 0x20
#define CR0_WP 0x10000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define CR4_OSFXSR 0x200
#define CR4_OSXMMEXCPT 0x400
#define MSR_EFER 0xc0000080
#define EFER_SCE 0x1
#define EFER_LME 0x100
#define EFER_NXE 0x800
#define CPUID_LM (1 << 29)
#define CPUID_NX (1 << 20)
#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
	.long PHYS(mb_header)     /* header_addr */
	.long PHYS(pc_image_start) /* load_addr */
	.long PHYS(pc_load_end)   /* load_end_addr */
	.long PHYS(pc_bss_end)    /* bss_end_addr */
	.long PHYS(pc_start32)    /* entry_addr */

	.section .boot32, "ax"
	.code32
	.globl pc_start32
pc_start32:
	cli
	cld
	mov $PHYS(boot_stack_top), %esp
	mov %eax, PHYS(boot_magic)
	mov %ebx, PHYS(boot_info)

	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	test $CPUID_LM, %edx
	jz no_long_mode
	test $CPUID_NX, %edx
	jz no_long_mode

	/* Four page directories, 2048 entries of 2 MiB: physical 0 to 4 GiB. */
	mov $PHYS(boot_pd), %edi
	mov $PTE_PWS, %eax
	mov $2048, %ecx
1:	mov %eax, (%edi)
	movl $0, 4(%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 1b
	/* The low page-directory-pointer table points at all four. */
	mov $PHYS(boot_pdpt_low), %edi
	mov $(PHYS(boot_pd) + PTE_PW), %eax
	mov $4, %ecx
2:	mov %eax, (%edi)
	add $0x1000, %eax
	add $8, %edi
	loop 2b
	/* Identity map and direct map share it; the kernel's -2 GiB is the first GiB. */
	mov $(PHYS(boot_pdpt_low) + PTE_PW), %eax
	mov %eax, PHYS(boot_pml4)
	mov %eax, PHYS(boot_pml4) + 8 * ((PC_DIRECT_MAP >> 39) & 511)
	mov $(PHYS(boot_pdpt_high) + PTE_PW), %eax
	mov %eax, PHYS(boot_pml4) + 8 * 511
	mov $(PHYS(boot_pd) + PTE_PW), %eax
	mov %eax, PHYS(boot_pdpt_high) + 8 * 510

	mov $PHYS(boot_pml4), %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_SCE | EFER_LME | EFER_NXE), %eax
	wrmsr
	mov %cr0, %eax
	and $~CR0_EM, %eax
	or $(CR0_PE | CR0_MP | CR0_NE | CR0_WP | CR0_PG), %eax
	mov %eax, %cr0
	lgdt PHYS(boot_gdt_ptr)
	ljmp $PC_KERNEL_CS, $PHYS(start64_low)

/* No 64-bit CPU: say so on COM1 and stop (QEMU exits as after a kernel panic). */
no_long_mode:
	mov $PHYS(no_long_mode_msg), %esi
3:	movzbl (%esi), %eax
	test %eax, %eax
	jz 4f
	mov $COM1, %dx
	outb %al, %dx
	inc %esi
	jmp 3b
4:	mov $PC_EXIT_PANIC, %eax
	mov $DEBUG_EXIT_PORT, %dx
	outl %eax, %dx
5:	hlt
	jmp 5b

	.code64
start64_low:
	movabs $start64_high, %rax
	jmp *%rax

	.text
start64_high:
	mov $PC_KERNEL_SS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov $boot_stack_top, %rsp
	movq $0, boot_pml4(%rip) /* the identity map is done: null pointers fault from here on */
	mov %cr3, %rax
	mov %rax, %cr3
	mov boot_magic(%rip), %edi
	mov boot_info(%rip), %esi
	xor %ebp, %ebp
	call pc_main
6:	cli
	hlt
	jmp 6b

	.section .rodata
no_long_mode_msg:
	.asciz "eclipse-pc: this kernel needs an x86_64 CPU with NX\r\n"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* 0x08 kernel code, 64-bit */
	.quad 0x00cf92000000ffff /* 0x10 kernel data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.data
boot_magic:
	.long 0
boot_info:
	.long 0

	.bss
	.balign 4096
	.globl pc_boot_pml4
pc_boot_pml4:
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.balign 16
	.globl pc_boot_stack
pc_boot_stack:
	.skip 65536
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
