/* The machine's name and state, and random numbers. */
#include <kernel/frame.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/random.h>
#include <kernel/syscall.h>
#include <uapi/linux.h>

#define GETRANDOM_MAX (32u << 20)

static char hostname[LINUX_UTSNAME_LEN] = "eclipse";

void misc_reset(void)
{
	kstrlcpy(hostname, "eclipse", sizeof(hostname));
}

/* reboot(2): everyone is root. The machine stops once the call returns (kernel_power_off). */
SYSCALL(reboot)
{
	(void)t;
	uint32_t magic2 = (uint32_t)a[1], cmd = (uint32_t)a[2];
	if ((uint32_t)a[0] != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	switch (cmd) {
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	case LINUX_REBOOT_CMD_POWER_OFF:
		kernel_power_off("power off");
		return 0;
	case LINUX_REBOOT_CMD_HALT:
		kernel_power_off("system halted");
		return 0;
	case LINUX_REBOOT_CMD_RESTART:
		kernel_power_off("restart asked for: the machine stops instead");
		return 0;
	default:
		return -EINVAL;
	}
}

/* sysname says Linux: programs check it, and Linux's is the ABI they get. */
SYSCALL(uname)
{
	struct linux_utsname u;
	kmemset(&u, 0, sizeof(u));
	kstrlcpy(u.sysname, "Linux", sizeof(u.sysname));
	kstrlcpy(u.nodename, hostname, sizeof(u.nodename));
	kstrlcpy(u.release, "6.1.0-eclipse", sizeof(u.release));
	kstrlcpy(u.version, "#1 Eclipse OS " ECLIPSE_VERSION, sizeof(u.version));
	kstrlcpy(u.machine, "x86_64", sizeof(u.machine));
	kstrlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_out(t->proc->mm, a[0], &u, sizeof(u));
}

SYSCALL(sethostname)
{
	if (a[1] >= LINUX_UTSNAME_LEN)
		return -EINVAL;
	char name[LINUX_UTSNAME_LEN] = {0};
	if (copy_in(t->proc->mm, name, a[0], (size_t)a[1]))
		return -EFAULT;
	kmemcpy(hostname, name, sizeof(hostname));
	return 0;
}

SYSCALL(sysinfo)
{
	struct linux_sysinfo si;
	kmemset(&si, 0, sizeof(si));
	si.uptime = (long long)(plat_clock_ns() / 1000000000ull);
	si.totalram = frame_total_count() * PAGE_SIZE;
	si.freeram = frame_free_count() * PAGE_SIZE;
	unsigned cursor = 0, n = 0;
	for (struct proc *p; (p = proc_next(&cursor));)
		n += p->state == PROC_ALIVE;
	si.procs = (unsigned short)n;
	si.mem_unit = 1;
	return copy_out(t->proc->mm, a[0], &si, sizeof(si));
}

SYSCALL(getrandom)
{
	if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	uint64_t len = MIN(a[1], GETRANDOM_MAX);
	char chunk[256];
	for (uint64_t done = 0; done < len; done += sizeof(chunk)) {
		size_t n = (size_t)MIN(len - done, sizeof(chunk));
		random_bytes(chunk, n);
		if (copy_out(t->proc->mm, a[0] + done, chunk, n))
			return done ? (long)done : -EFAULT;
	}
	return (long)len;
}
