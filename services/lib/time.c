/* Clocks, sleeping and the system's name. */
#include <ecl/syscall.h>
#include <ecl/unistd.h>

/* Stores the time of clock in *ts; returns 0 or -1. */
int clock_gettime(int clock, struct linux_timespec *ts)
{
	return (int)syscall_ret(syscall2(SYS_clock_gettime, clock, (long)ts));
}

/* Sleeps for *req; returns 0, or -1 (with the time left in *rem if it is not NULL). */
int nanosleep(const struct linux_timespec *req, struct linux_timespec *rem)
{
	return (int)syscall_ret(syscall2(SYS_nanosleep, (long)req, (long)rem));
}

/* Fills *buf with the system's names; returns 0 or -1. */
int uname(struct linux_utsname *buf)
{
	return (int)syscall_ret(syscall1(SYS_uname, (long)buf));
}
