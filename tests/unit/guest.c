/* The syscall suite's fixture: the hello guest as process 1 of a freshly booted kernel. */
#include "guest.h"

#include <kernel/elf.h>
#include <kernel/frame.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <stdlib.h>
#include <string.h>

#define RAM (64 * 1024 * 1024)

unsigned char *guest_image;
size_t guest_image_len;
struct thread *guest;
int guest_pid;
struct newc guest_boot_image;

void guest_boot(const struct kernel_config *cfg)
{
	ck_assert_int_eq(kernel_init(cfg), 0);
	static const char *const argv[] = {GUEST_PATH, NULL};
	int elf_err = -1;
	guest_pid = kernel_spawn(GUEST_PATH, guest_image, guest_image_len, argv, NULL, &elf_err);
	ck_assert_int_gt(guest_pid, 0);
	ck_assert_int_eq(elf_err, ELF_OK);
	guest = thread_find(guest_pid);
	ck_assert_ptr_nonnull(guest);
}

void guest_setup(void)
{
	guest_image = unit_load_guest(GUEST_HELLO, &guest_image_len);
	fake_plat_reset(RAM);
	guest_boot(&(struct kernel_config){0});
}

void guest_teardown(void)
{
	free(guest_image);
	free(guest_boot_image.buf);
	memset(&guest_boot_image, 0, sizeof(guest_boot_image));
	fake_plat_release();
}

long guest_call(struct thread *q, uint64_t nr, const uint64_t a[6])
{
	return syscall_invoke(q, nr, a);
}

uint64_t guest_buf(size_t len)
{
	/* MAP_NORESERVE: a buffer may be larger than all of memory (test_read_file_into_huge_buffer),
	 * which mmap refuses otherwise, as Linux's overcommit heuristic does. */
	long at = SYS(SYS_mmap, 0, len, RW, ANON | MAP_NORESERVE, NONE, 0);
	ck_assert_int_gt(at, 0);
	ck_assert_uint_eq((uint64_t)at % PG, 0);
	return (uint64_t)at;
}

uint64_t guest_guarded(size_t len)
{
	size_t pages = (len + PG - 1) / PG;
	uint64_t at = guest_buf((pages + 1) * PG);
	ck_assert_int_eq(SYS(SYS_munmap, at + pages * PG, PG), 0);
	return at + pages * PG - len;
}

uint64_t guest_str(const char *s)
{
	uint64_t at = guest_buf(strlen(s) + 1);
	ck_assert_int_eq(copy_out(guest->proc->mm, at, s, strlen(s) + 1), 0);
	return at;
}

const char *console_out(void)
{
	return fake_console_output(1, NULL);
}

const char *console_err(void)
{
	return fake_console_output(2, NULL);
}

void expect_free_after_fini(void)
{
	kernel_fini();
	ck_assert_uint_eq(kmalloc_live(), 0);
	ck_assert_uint_eq(frame_free_count(), frame_total_count());
}

uint64_t guest_timespec(long long sec, long long nsec)
{
	uint64_t at = guest_buf(sizeof(struct linux_timespec));
	struct linux_timespec t = {sec, nsec};
	ck_assert_int_eq(copy_out(guest->proc->mm, at, &t, sizeof(t)), 0);
	return at;
}

