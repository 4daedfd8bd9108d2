/* The driver calls (kernel_core/pci.c) from process 1 of a kernel on the fake platform, with
 * one fake function: a memory BAR mapped uncached and taken away with the device, configuration
 * writes limited to the driver's bits, interrupts as notifications with the line masked until
 * acknowledged, DMA memory contiguous and pinned while a device is owned. */
#include "fake_plat.h"
#include "guest.h"

#include <kernel/frame.h>
#include <kernel/ipc.h>
#include <kernel/mm.h>
#include <kernel/pci.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/vm.h>
#include <string.h>

#define RAM (64 * 1024 * 1024)
#define BAR_BASE 0xfebf0000u
#define LINE 11

static void setup(void)
{
	guest_image = unit_load_guest(GUEST_HELLO, &guest_image_len);
	fake_plat_reset(RAM);
	uint32_t c[64] = {0};
	c[0] = 0x10421af4;
	c[1] = 0x00100007; /* capabilities; I/O, memory, bus master */
	c[2] = 0x01000001;
	c[4] = BAR_BASE; /* BAR0: 8 KiB of memory */
	c[5] = 0xc001;   /* BAR1: 32 ports */
	c[15] = 1u << 8 | LINE;
	c[16] = 0x11223344; /* the device's own registers from 0x40 */
	fake_pci_add(0, 2, 0, c, (const uint64_t[6]){8192, 32, 0, 0, 0, 0});
	guest_boot(&(struct kernel_config){0});
}

static void teardown(void)
{
	guest_teardown();
}

static uint16_t command(void)
{
	return (uint16_t)fake_pci_config(0, 2, 0)[1];
}

static void claim(void)
{
	ck_assert_int_eq(SYS(SYS_dev_grant, guest_pid, 0), 0);
	ck_assert_int_eq(SYS(SYS_dev_claim, 0), 0);
}

START_TEST(map_needs_ownership_and_goes_with_the_device)
{
	ck_assert_int_eq(SYS(SYS_dev_map, 0, 0), -EPERM);
	claim();
	ck_assert_int_eq(SYS(SYS_dev_map, 0, 1), -EINVAL); /* I/O ports */
	ck_assert_int_eq(SYS(SYS_dev_map, 0, 2), -EINVAL); /* no BAR */
	ck_assert_int_eq(SYS(SYS_dev_map, 0, 6), -EINVAL);
	ck_assert_int_eq(SYS(SYS_dev_map, 1, 0), -ENODEV);
	long va = SYS(SYS_dev_map, 0, 0);
	ck_assert_int_gt(va, 0);
	ck_assert_int_eq(SYS(SYS_dev_map, 0, 0), va); /* the same mapping again */
	uint64_t pa;
	unsigned flags;
	ck_assert_int_eq(vm_translate(&guest->proc->mm->as, (uint64_t)va + PG, &pa, &flags), 0);
	ck_assert_uint_eq(pa, BAR_BASE + PG);
	ck_assert(flags & VM_MMIO);
	ck_assert(flags & VM_NOCACHE);
	/* The kernel never touches device registers for a call: EFAULT, as for no memory. */
	ck_assert_int_eq(SYS(SYS_write, 1, (uint64_t)va, 4), -EFAULT);
	ck_assert_int_eq(SYS(SYS_mremap, (uint64_t)va, 2 * PG, 4 * PG, MREMAP_MAYMOVE), -EFAULT);
	ck_assert_int_eq(SYS(SYS_madvise, (uint64_t)va, PG, MADV_DONTNEED), -EINVAL);
	ck_assert_int_eq(SYS(SYS_mprotect, (uint64_t)va, PG, PROT_READ | PROT_EXEC), -EACCES);
	/* A forked child gets none of it. */
	long child = SYS(SYS_fork, 0);
	ck_assert_int_gt(child, 0);
	struct thread *c = thread_find((int)child);
	ck_assert_int_ne(vm_translate(&c->proc->mm->as, (uint64_t)va, &pa, &flags), 0);
	ck_assert_ptr_null(mm_find(c->proc->mm, (uint64_t)va));
	ck_assert_int_eq(guest_call(c, SYS_dev_map, (uint64_t[6]){0, 0}), -EPERM);
	guest_call(c, SYS_exit, (uint64_t[6]){0});
	/* Released: the mapping is gone, bus mastering off. */
	ck_assert_int_eq(SYS(SYS_dev_release, 0), 0);
	ck_assert_ptr_null(mm_find(guest->proc->mm, (uint64_t)va));
	ck_assert_int_eq(command() & 0x4, 0);
}
END_TEST

START_TEST(config_reads_all_writes_little)
{
	uint64_t buf = guest_buf(PG);
	ck_assert_int_eq(SYS(SYS_dev_config, 0, 0, buf, 4, 0), -EPERM);
	claim();
	ck_assert_int_eq(SYS(SYS_dev_config, 0, 0x40, buf, 4, 0), 0);
	uint32_t v;
	ck_assert_int_eq(copy_in(guest->proc->mm, &v, buf, 4), 0);
	ck_assert_uint_eq(v, 0x11223344);
	ck_assert_int_eq(SYS(SYS_dev_config, 0, 0, buf, 0, 0), -EINVAL);
	ck_assert_int_eq(SYS(SYS_dev_config, 0, 250, buf, 8, 0), -EINVAL);
	ck_assert_int_eq(SYS(SYS_dev_config, 0, 0, NONE, 4, 0), -EFAULT);
	/* A BAR is never the driver's to move. */
	v = 0;
	ck_assert_int_eq(copy_out(guest->proc->mm, buf, &v, 4), 0);
	ck_assert_int_eq(SYS(SYS_dev_config, 0, 0x10, buf, 4, 1), -EPERM);
	ck_assert_uint_eq(fake_pci_config(0, 2, 0)[4], BAR_BASE);
	/* The command register: only the driver's bits change, the status half is left alone. */
	uint16_t cmd = 0xfff8; /* everything but decoding and bus mastering */
	ck_assert_int_eq(copy_out(guest->proc->mm, buf, &cmd, 2), 0);
	ck_assert_int_eq(SYS(SYS_dev_config, 0, 4, buf, 2, 1), 0);
	ck_assert_uint_eq(command(), 0x0400);
	cmd = 0x0006;
	ck_assert_int_eq(copy_out(guest->proc->mm, buf, &cmd, 2), 0);
	ck_assert_int_eq(SYS(SYS_dev_config, 0, 4, buf, 2, 1), 0);
	ck_assert_uint_eq(command(), 0x0006);
}
END_TEST

START_TEST(interrupts_arrive_as_notifications)
{
	ck_assert_int_eq(SYS(SYS_dev_irq, 0, DEV_IRQ_BIND), -EPERM);
	claim();
	ck_assert(fake_irq_masked(LINE)); /* nobody waits yet */
	ck_assert_int_eq(SYS(SYS_dev_irq, 0, 7), -EINVAL);
	ck_assert_int_eq(SYS(SYS_dev_irq, 0, DEV_IRQ_BIND), 0);
	ck_assert(!fake_irq_masked(LINE));
	uint64_t msg = guest_buf(sizeof(struct ipc_msg));
	ck_assert_int_eq(SYS(SYS_ipc_receive, (uint64_t)IPC_FROM_NOTIFY, msg, 0), -EAGAIN);
	fake_irq_fire(LINE);
	pci_irq_dispatch();
	ck_assert(fake_irq_masked(LINE)); /* until the driver says it is done */
	fake_irq_fire(LINE);
	pci_irq_dispatch();
	ck_assert_int_eq(SYS(SYS_ipc_receive, (uint64_t)IPC_FROM_NOTIFY, msg, 0), 0);
	struct ipc_msg m;
	ck_assert_int_eq(copy_in(guest->proc->mm, &m, msg, IPC_HEADER_SIZE + 8), 0);
	ck_assert_int_eq(m.sender, 0);
	ck_assert_uint_eq(m.flags, IPC_KERNEL | IPC_NOTIFY);
	ck_assert_uint_eq(m.type, IPC_NOTIFY_IRQ);
	ck_assert_uint_eq(m.len, 8);
	uint64_t bits;
	memcpy(&bits, m.data, 8);
	ck_assert_uint_eq(bits, 1); /* function 0, once */
	ck_assert_int_eq(SYS(SYS_ipc_receive, 0, msg, 0), -EAGAIN); /* nothing more */
	ck_assert_int_eq(SYS(SYS_dev_irq, 0, DEV_IRQ_ACK), 0);
	ck_assert(!fake_irq_masked(LINE));
	ck_assert_int_eq(SYS(SYS_dev_irq, 0, DEV_IRQ_UNBIND), 0);
	ck_assert(fake_irq_masked(LINE));
	/* Released while bound: the line goes quiet. */
	ck_assert_int_eq(SYS(SYS_dev_irq, 0, DEV_IRQ_BIND), 0);
	ck_assert_int_eq(SYS(SYS_dev_release, 0), 0);
	ck_assert(fake_irq_masked(LINE));
}
END_TEST

START_TEST(dma_is_contiguous_and_pinned)
{
	uint64_t phys = guest_buf(PG);
	ck_assert_int_eq(SYS(SYS_dma_alloc, 3 * PG, phys), -EPERM);
	claim();
	ck_assert_int_eq(SYS(SYS_dma_alloc, 0, phys), -EINVAL);
	ck_assert_int_eq(SYS(SYS_dma_alloc, DMA_ALLOC_MAX + 1, phys), -EINVAL);
	ck_assert_int_eq(SYS(SYS_dma_alloc, PG, NONE), -EFAULT);
	long va = SYS(SYS_dma_alloc, 3 * PG, phys);
	ck_assert_int_gt(va, 0);
	uint64_t pa, got;
	unsigned flags;
	ck_assert_int_eq(copy_in(guest->proc->mm, &pa, phys, 8), 0);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(vm_translate(&guest->proc->mm->as, (uint64_t)va + i * PG, &got, &flags), 0);
		ck_assert_uint_eq(got, pa + i * PG);
		ck_assert_uint_eq(frame_refcount(got), 2); /* the mapping and the pin */
	}
	/* The process's own memory to the kernel: a write into it works. */
	ck_assert_int_eq(SYS(SYS_read, 0, (uint64_t)va, 0), 0);
	/* Unmapped, the frames stay the device's until it is let go. */
	ck_assert_int_eq(SYS(SYS_munmap, (uint64_t)va, 3 * PG), 0);
	ck_assert_uint_eq(frame_refcount(pa), 1);
	ck_assert_int_eq(SYS(SYS_dev_release, 0), 0);
	ck_assert_uint_eq(frame_refcount(pa), 0);
	/* Up to DMA_PROC_MAX a process. */
	ck_assert_int_eq(SYS(SYS_dev_claim, 0), 0);
	for (unsigned i = 0; i < DMA_PROC_MAX / DMA_ALLOC_MAX; i++)
		ck_assert_int_gt(SYS(SYS_dma_alloc, DMA_ALLOC_MAX, phys), 0);
	ck_assert_int_eq(SYS(SYS_dma_alloc, PG, phys), -ENOMEM);
}
END_TEST

START_TEST(nothing_left_after_the_driver)
{
	claim();
	ck_assert_int_gt(SYS(SYS_dev_map, 0, 0), 0);
	uint64_t phys = guest_buf(PG);
	ck_assert_int_gt(SYS(SYS_dma_alloc, 5 * PG, phys), 0);
	ck_assert_int_eq(SYS(SYS_dev_irq, 0, DEV_IRQ_BIND), 0);
	expect_free_after_fini();
}
END_TEST

Suite *driver_suite(void)
{
	Suite *s = suite_create("driver");
	TCase *tc = tcase_create("calls");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, map_needs_ownership_and_goes_with_the_device);
	tcase_add_test(tc, config_reads_all_writes_little);
	tcase_add_test(tc, interrupts_arrive_as_notifications);
	tcase_add_test(tc, dma_is_contiguous_and_pinned);
	tcase_add_test(tc, nothing_left_after_the_driver);
	suite_add_tcase(s, tc);
	return s;
}
