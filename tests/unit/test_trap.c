/* The trap loop over scripted traps: syscalls, faults, exceptions, time slices, and lifetimes. */
#include "guest.h"

#include <kernel/elf.h>
#include <kernel/frame.h>
#include <kernel/kmalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_nanosleep_advances_clock)
{
	uint64_t req = guest_timespec(1, 500000000);
	fake_clock_set(1000);
	fake_script_syscall(SYS_nanosleep, req, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_exit, 7, 0, 0, 0, 0, 0);
	ck_assert_int_eq(kernel_run(), 7 << 8);
	ck_assert_uint_eq(fake_run_entry(0)->clock_ns, 1000);
	ck_assert_uint_eq(fake_counts.idle_calls, 1);
	ck_assert_uint_eq(fake_counts.last_idle_deadline, 1000 + 1500000000ull);
	ck_assert_uint_eq(fake_run_entry(1)->clock_ns, 1000 + 1500000000ull);
	/* The kernel may finish the call then, by having the CPU run it again: either is fine. */
	size_t after = fake_run_entry(1)->restarted ? 2 : 1;
	ck_assert_uint_eq(fake_run_count(), after + 2);
	ck_assert_uint_eq(fake_run_entry(after)->regs.rax, 0); /* nanosleep's result */
	ck_assert_uint_eq(fake_run_entry(after + 1)->regs.rax, (uint64_t)guest_pid);
	ck_assert_int_eq(proc_find(guest_pid)->state, PROC_ZOMBIE);
}
END_TEST

START_TEST(test_nanosleep_longest)
{
	/* The longest sleep a timespec can ask for (tv_nsec at its maximum) must not wrap. */
	uint64_t req = guest_timespec(18446744073ll, 999999999);
	fake_clock_set(1000);
	fake_script_syscall(SYS_nanosleep, req, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_exit, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(kernel_run(), 0);
	ck_assert_msg(fake_counts.last_idle_deadline >= 18446744073000000000ull,
		      "a 584-year sleep ended after %llu ns",
		      (unsigned long long)(fake_counts.last_idle_deadline - 1000));
}
END_TEST

START_TEST(test_syscalls_through_trap_loop)
{
	uint64_t msg = guest_str("via the CPU\n");
	fake_script_syscall(SYS_write, 1, msg, 12, 0, 0, 0);
	fake_script_syscall(SYS_write, 9, msg, 12, 0, 0, 0);
	fake_script_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_exit_group, 300, 0, 0, 0, 0, 0);
	ck_assert_int_eq(kernel_run(), (300 & 0xff) << 8);
	ck_assert_str_eq(console_out(), "via the CPU\n");
	ck_assert_uint_eq(fake_run_count(), 4);
	ck_assert_uint_eq(fake_run_entry(1)->regs.rip, fake_run_entry(0)->regs.rip + 2);
	ck_assert(!fake_run_entry(1)->restarted);
	ck_assert_uint_eq(fake_run_entry(1)->regs.rax, 12);
	ck_assert_int_eq((long)fake_run_entry(2)->regs.rax, -EBADF);
	ck_assert_uint_eq(fake_run_entry(3)->regs.rax, (uint64_t)guest_pid);
	ck_assert_uint_eq(fake_run_entry(0)->root, fake_run_entry(3)->root);
	ck_assert_int_eq(proc_find(guest_pid)->state, PROC_ZOMBIE);
	expect_free_after_fini();
}
END_TEST

START_TEST(test_run_stops_when_platform_stops)
{
	ck_assert_int_eq(kernel_run(), -EINTR); /* nothing scripted: TRAP_STOP at once */
	ck_assert_int_eq(guest->state, THREAD_RUNNABLE);
	expect_free_after_fini();
}
END_TEST

/* The kill line on stderr: exactly one line naming pid, program, signal, rip and address. */
static void expect_kill_line(const char *sig, uint64_t rip, const char *addr)
{
	const char *e = console_err();
	size_t len = strlen(e);
	ck_assert_msg(len > 0 && e[len - 1] == '\n' && strchr(e, '\n') == e + len - 1,
		      "not one line on stderr: \"%s\"", e);
	char want[64];
	snprintf(want, sizeof(want), "pid %d", guest_pid);
	ck_assert_msg(strstr(e, want), "no \"%s\" in \"%s\"", want, e);
	ck_assert_msg(strstr(e, "hello"), "no program name in \"%s\"", e);
	ck_assert_msg(strstr(e, sig), "no %s in \"%s\"", sig, e);
	snprintf(want, sizeof(want), "0x%llx", (unsigned long long)rip);
	ck_assert_msg(strstr(e, want), "no rip %s in \"%s\"", want, e);
	if (addr)
		ck_assert_msg(strstr(e, addr), "no fault address %s in \"%s\"", addr, e);
	ck_assert_str_eq(console_out(), "");
}

static const struct bad_fault {
	const char *what;
	uint64_t addr;
	unsigned access;
	const char *shown;
} bad_faults[] = {
	{"unmapped", 0xdead0000, PF_USER, "0xdead0000"},
	{"null", 0, PF_USER, "0x0"},
	{"kernel half", 0xffff800000001000ull, PF_USER | PF_WRITE, "0xffff800000001000"},
	{"non-canonical", 0x0000900000000000ull, PF_USER, "0x900000000000"},
	{"write to code", 0x401000, PF_USER | PF_WRITE | PF_PRESENT, "0x401000"},
	{"code fetch from the stack", STACK_TOP - 8, PF_USER | PF_FETCH, "0x7fffffffeff8"},
};

START_TEST(test_bad_page_fault_kills_with_sigsegv)
{
	const struct bad_fault *f = &bad_faults[_i];
	size_t free_before = frame_free_count();
	fake_script_fault(0x401234, f->addr, f->access, true);
	fake_script_syscall(SYS_exit, 0, 0, 0, 0, 0, 0); /* never reached */
	int status = kernel_run();
	ck_assert_msg((status & 0x7f) == SIGSEGV, "%s: status %#x", f->what, status);
	ck_assert_int_eq(proc_find(guest_pid)->state, PROC_ZOMBIE);
	ck_assert_uint_eq(fake_script_pending(), 1);
	expect_kill_line("SIGSEGV", 0x401234, f->shown);
	ck_assert_uint_gt(frame_free_count(), free_before); /* its memory went back */
	expect_free_after_fini();
}
END_TEST

START_TEST(test_resolvable_page_faults_continue)
{
	uint64_t heap = guest_buf(2 * PG);
	fake_script_fault(0x401000, STACK_TOP - 0x20000, PF_USER | PF_WRITE, true);
	fake_script_fault(0x401000, heap + 8, PF_USER, true);
	fake_script_fault(0x401000, heap + PG, 0, false);
	fake_script_syscall(SYS_exit, 5, 0, 0, 0, 0, 0);
	ck_assert_int_eq(kernel_run(), 5 << 8);
	ck_assert_str_eq(console_err(), "");
	ck_assert_uint_eq(fake_run_count(), 4);
}
END_TEST

static const struct exception {
	unsigned vector;
	int sig;
	const char *name;
} exceptions[] = {
	{6, SIGILL, "SIGILL"},   {0, SIGFPE, "SIGFPE"},   {3, SIGTRAP, "SIGTRAP"},
	{13, SIGSEGV, "SIGSEGV"}, {1, SIGTRAP, "SIGTRAP"}, {16, SIGFPE, "SIGFPE"},
	{19, SIGFPE, "SIGFPE"},  {17, SIGBUS, "SIGBUS"},  {12, SIGBUS, "SIGBUS"},
};

START_TEST(test_exception_signals)
{
	const struct exception *x = &exceptions[_i];
	fake_script_exception(0x401abc, x->vector);
	int status = kernel_run();
	ck_assert_msg((status & 0x7f) == x->sig, "vector %u: status %#x, expected signal %d",
		      x->vector, status, x->sig);
	ck_assert_int_eq(status & ~0x7f, 0);
	expect_kill_line(x->name, 0x401abc, NULL);
	expect_free_after_fini();
}
END_TEST

START_TEST(test_ticks_round_robin)
{
	static const char *const argv[] = {"second", NULL};
	int pid2 = kernel_spawn("/bin/second", guest_image, guest_image_len, argv, NULL, NULL);
	ck_assert_int_eq(pid2, guest_pid + 1);
	struct thread *t2 = thread_find(pid2);
	struct proc *p2 = t2->proc;
	uint64_t root1 = guest->ctx.root, root2 = t2->ctx.root;
	ck_assert_uint_ne(root1, root2);
	fake_script_tick();
	fake_script_tick();
	fake_script_tick();
	fake_script_syscall(SYS_exit, 3, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_exit, 4, 0, 0, 0, 0, 0);
	ck_assert_int_eq(kernel_run(), 4 << 8);
	static const int who[] = {1, 2, 1, 2, 1, 1};
	ck_assert_uint_eq(fake_run_count(), 6);
	for (int i = 0; i < 6; i++)
		ck_assert_msg(fake_run_entry(i)->root == (who[i] == 1 ? root1 : root2),
			      "run %d was not process %d", i, who[i]);
	ck_assert_uint_eq(fake_run_entry(5)->regs.rax, (uint64_t)guest_pid);
	ck_assert_int_eq(p2->state, PROC_ZOMBIE);
	ck_assert_int_eq(p2->wait_status, 3 << 8);
	expect_free_after_fini();
}
END_TEST

START_TEST(test_fork_and_wait_through_trap_loop)
{
	uint64_t status = guest_buf(PG);
	ck_assert_int_eq(copy_out(guest->proc->mm, status + 64, "parent", 7), 0);
	fake_script_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
	fake_script_tick(); /* parent: let the child run */
	fake_script_syscall(SYS_exit, 4, 0, 0, 0, 0, 0);                 /* child */
	fake_script_syscall(SYS_wait4, NONE, status, 0, 0, 0, 0);         /* parent */
	fake_script_syscall(SYS_wait4, NONE, status, WNOHANG, 0, 0, 0);   /* no children left */
	fake_script_syscall(SYS_exit, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(kernel_run(), 0);
	ck_assert_uint_eq(fake_run_count(), 6);
	int child = (int)fake_run_entry(1)->regs.rax;
	ck_assert_int_eq(child, guest_pid + 1);
	ck_assert_uint_ne(fake_run_entry(2)->root, fake_run_entry(1)->root);
	ck_assert_uint_eq(fake_run_entry(2)->regs.rax, 0); /* fork returns 0 in the child */
	ck_assert_uint_eq(fake_run_entry(2)->regs.rip, fake_run_entry(1)->regs.rip);
	ck_assert_int_eq((int)fake_run_entry(4)->regs.rax, child);
	ck_assert_int_eq((long)fake_run_entry(5)->regs.rax, -ECHILD);
	ck_assert_ptr_null(proc_find(child)); /* reaped */
	expect_free_after_fini();
}
END_TEST

START_TEST(test_wait_blocks_until_child_exits)
{
	uint64_t status = guest_buf(PG);
	fake_script_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_wait4, NONE, status, 0, 0, 0, 0); /* parent blocks */
	fake_script_syscall(SYS_exit, 9, 0, 0, 0, 0, 0);         /* child */
	fake_script_syscall(SYS_exit, 0, 0, 0, 0, 0, 0);         /* parent, after its wait4 */
	ck_assert_int_eq(kernel_run(), 0);
	ck_assert_uint_eq(fake_run_count(), 4);
	int child = (int)fake_run_entry(1)->regs.rax;
	ck_assert_int_gt(child, guest_pid);
	ck_assert_uint_eq(fake_run_entry(2)->regs.rax, 0); /* the child runs while the parent waits */
	ck_assert_uint_ne(fake_run_entry(2)->root, fake_run_entry(1)->root);
	/* The kernel makes the parent's wait4 again once the child exited, and the parent goes on
	 * after its syscall instruction with the child's pid. */
	ck_assert_uint_eq(fake_run_entry(3)->root, fake_run_entry(1)->root);
	ck_assert(!fake_run_entry(3)->restarted);
	ck_assert_uint_eq(fake_run_entry(3)->regs.rip, fake_run_entry(1)->regs.rip + 2);
	ck_assert_int_eq((int)fake_run_entry(3)->regs.rax, child);
	expect_free_after_fini();
}
END_TEST

START_TEST(test_spawn_rejects_bad_elf)
{
	unsigned procs = proc_count();
	size_t free_before = frame_free_count(), live_before = kmalloc_live();
	unsigned char *bad = malloc(guest_image_len);
	memcpy(bad, guest_image, guest_image_len);
	bad[4] = 1; /* ELFCLASS32 */
	int elf_err = -1;
	ck_assert_int_eq(kernel_spawn("/bad", bad, guest_image_len, NULL, NULL, &elf_err), -ENOEXEC);
	ck_assert_int_eq(elf_err, ELF_ERR_CLASS);
	ck_assert_uint_eq(proc_count(), procs);
	ck_assert_uint_eq(frame_free_count(), free_before);
	ck_assert_uint_eq(kmalloc_live(), live_before);
	free(bad);
	expect_free_after_fini();
}
END_TEST

START_TEST(test_process_limit)
{
	kernel_fini();
	guest_boot(&(struct kernel_config){.max_procs = 2});
	ck_assert_int_gt(kernel_spawn(GUEST_PATH, guest_image, guest_image_len, NULL, NULL, NULL), 0);
	ck_assert_int_eq(kernel_spawn(GUEST_PATH, guest_image, guest_image_len, NULL, NULL, NULL), -EAGAIN);
	ck_assert_int_eq(SYS(SYS_fork, 0), -EAGAIN);
	ck_assert_uint_eq(proc_count(), 2);
	expect_free_after_fini();
}
END_TEST

START_TEST(test_leak_check_after_busy_session)
{
	uint64_t a = guest_buf(8 * PG);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(copy_out(guest->proc->mm, a + i * PG, "x", 1), 0);
	SYS(SYS_brk, guest->proc->mm->brk_start + 5 * PG);
	ck_assert_int_eq(copy_out(guest->proc->mm, guest->proc->mm->brk_start, "h", 1), 0);
	SYS(SYS_munmap, a + 2 * PG, PG);
	SYS(SYS_mprotect, a + 4 * PG, 2 * PG, PROT_READ);
	SYS(SYS_fork, 0);
	kernel_spawn(GUEST_PATH, guest_image, guest_image_len, NULL, NULL, NULL);
	fake_script_fault(0x401000, a + 7 * PG, PF_USER | PF_WRITE, true);
	fake_script_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	fake_script_fault(0x401000, 0xbad000, PF_USER, true);
	kernel_run();
	expect_free_after_fini();
}
END_TEST

void trap_tcases(Suite *s)
{
	TCase *loop = unit_tcase(s, "trap loop", guest_setup, guest_teardown);
	tcase_add_test(loop, test_syscalls_through_trap_loop);
	tcase_add_test(loop, test_run_stops_when_platform_stops);
	tcase_add_test(loop, test_nanosleep_advances_clock);
	tcase_add_test(loop, test_nanosleep_longest);
	tcase_add_loop_test(loop, test_bad_page_fault_kills_with_sigsegv, 0,
			    sizeof(bad_faults) / sizeof(bad_faults[0]));
	tcase_add_test(loop, test_resolvable_page_faults_continue);
	tcase_add_loop_test(loop, test_exception_signals, 0,
			    sizeof(exceptions) / sizeof(exceptions[0]));
	tcase_add_test(loop, test_ticks_round_robin);
	tcase_add_test(loop, test_fork_and_wait_through_trap_loop);
	tcase_add_test(loop, test_wait_blocks_until_child_exits);
	TCase *life = unit_tcase(s, "lifetime", guest_setup, guest_teardown);
	tcase_add_test(life, test_spawn_rejects_bad_elf);
	tcase_add_test(life, test_process_limit);
	tcase_add_test(life, test_leak_check_after_busy_session);
}
