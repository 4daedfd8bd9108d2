/*
 * bench_getpid [CALLS]: CALLS getpid system calls (default 5,000,000) through the C library's
 * getpid, which is the syscall instruction and a return (musl keeps no cached pid). Prints how
 * many calls returned the first call's pid, which is CALLS on every machine (the pid itself
 * differs).
 */
#include "bench.h"

#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long calls = bench_count_arg(argc, argv, 5000000);
	pid_t pid = getpid();
	unsigned long same = 0;
	for (unsigned long i = 0; i < calls; i++)
		same += getpid() == pid;
	printf("getpid: %lu of %lu calls returned the same pid\n", same, calls);
	return same == calls ? 0 : 1;
}
