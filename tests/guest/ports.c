/* The driver interface's grants and claims, run as process 1 (standalone on the sim, as init
 * on pc: the same lines on both). The device is the PIIX3 IDE function both machines have; its
 * BAR4 holds the bus-master registers, which keep what is written in a known way. */
#include "check.h"

#include <eclipse.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static long grant(long pid, unsigned long index)
{
	return syscall(SYS_dev_grant, pid, index);
}

static long claim(unsigned long index)
{
	return syscall(SYS_dev_claim, index);
}

static long release(unsigned long index)
{
	return syscall(SYS_dev_release, index);
}

static uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* How a child that reads port ended: its wait status. */
static int child_reads(uint16_t port)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		(void)inb(port);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return status;
}

static int killed_by_segv(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	long ide = -1;
	struct pci_info f;
	for (unsigned i = 0; syscall(SYS_pci_device, i, &f) == 0; i++)
		if (f.vendor == 0x8086 && f.device == 0x7010)
			ide = i;
	check(ide >= 0, "the PIIX3 IDE function is there");
	if (ide < 0)
		return check_status();
	syscall(SYS_pci_device, ide, &f);
	uint16_t base = (uint16_t)f.bars[4].base;
	check((f.bars[4].flags & PCI_BAR_IO) && f.bars[4].size == 16, "its BAR4 is 16 ports");

	check_errno(claim(ide), EPERM, "a claim without a grant: EPERM");
	check(killed_by_segv(child_reads(base + 2)), "a port nobody claimed: SIGSEGV");
	check(killed_by_segv(child_reads(0xcf8)), "the configuration ports: SIGSEGV");
	check_errno(grant(999999, ide), ESRCH, "a grant to no process: ESRCH");
	check_errno(grant(getpid(), 1000), ENODEV, "a grant of no function: ENODEV");
	check_errno(release(ide), EINVAL, "a release of what one does not own: EINVAL");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(grant(getpid(), ide) == -1 && errno == EPERM ? 0 : 1);
	int status = 0;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a grant by another than process 1: EPERM");

	check(grant(getpid(), ide) == 0, "process 1 grants itself the function");
	check(claim(ide) == 0, "then claims it");
	check(claim(ide) == 0, "and again: still 0");
	outb(base + 2, 0x66);
	check(inb(base + 2) == 0x60, "status: the drive bits stay, the write-to-clear bits do not");
	outb(base + 2, 0x00);
	check(inb(base + 2) == 0x00, "status: cleared");
	outl(base + 4, 0x12345677);
	check(inl(base + 4) == 0x12345674, "PRD address: dword aligned");
	outl(base + 12, 0xabcdef00);
	check(inl(base + 12) == 0xabcdef00 && inl(base + 4) == 0x12345674,
	      "the second channel's address is its own");
	outb(base, 0x08);
	check(inb(base) == 0x08, "command: the direction bit");
	outb(base, 0x00);
	check(killed_by_segv(child_reads(base + 2)), "a forked child has none of its parent's ports");

	/* A child granted the function while we own it; it claims once we release. */
	int go[2], said[2];
	if (pipe(go) || pipe(said))
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char c;
		int r[2];
		read(go[0], &c, 1);
		r[0] = claim(ide) == -1 ? errno : 0;
		write(said[1], &r[0], sizeof(r[0]));
		read(go[0], &c, 1);
		r[1] = claim(ide) == -1 ? errno : 0;
		write(said[1], &r[1], sizeof(r[1]));
		outb(base + 2, 0x20);
		(void)inb(base + 16); /* past its BAR: not its port */
		_exit(0);
	}
	int got = -1;
	check(grant(pid, ide) == 0, "process 1 grants the function to a child");
	write(go[1], "g", 1);
	read(said[0], &got, sizeof(got));
	check(got == EBUSY, "the child's claim while we own it: EBUSY");
	check(release(ide) == 0, "we release it");
	write(go[1], "g", 1);
	read(said[0], &got, sizeof(got));
	check(got == 0, "then the child's claim succeeds");
	waitpid(pid, &status, 0);
	check(killed_by_segv(status), "a port past the child's BAR: SIGSEGV");
	check_errno(claim(ide), EPERM, "the grant went to the child and ended with it: EPERM");
	check(grant(getpid(), ide) == 0 && claim(ide) == 0, "a dead owner's function is claimed again");
	check(inb(base + 2) == 0x20, "and it holds what the child wrote");
	check(release(ide) == 0, "released at the end");
	return check_status();
}
