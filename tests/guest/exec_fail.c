/*
 * execve's failures return to the caller with the Linux error, and the program goes on: a
 * missing path, a file that is not ELF, a directory, bad pointers.
 * Usage: exec_fail GUEST_DIR NOT_ELF (absolute paths: under eclipse-sim it needs --root /;
 * NOT_ELF is an executable text file, as Linux would give EACCES for a non-executable one)
 */
#include <unistd.h>

#include "check.h"

/* Volatile, so that gcc cannot see that execve is given pointers to nothing (and warn). */
static void *volatile bad_ptr = (void *)1;

int main(int argc, char **argv, char **envp)
{
	char missing[512], target[512];
	char *const args[] = { "exec_fail", NULL };

	if (argc != 3) {
		dprintf(2, "usage: exec_fail GUEST_DIR NOT_ELF\n");
		return 2;
	}
	snprintf(missing, sizeof missing, "%s/no_such_program", argv[1]);
	snprintf(target, sizeof target, "%s/test_exec_target", argv[1]);

	check_errno(execve(missing, args, envp), ENOENT, "execve(missing path) -> ENOENT");
	check_errno(execve("", args, envp), ENOENT, "execve(\"\") -> ENOENT");
	check_errno(execve(argv[2], args, envp), ENOEXEC, "execve(text file) -> ENOEXEC");
	check_errno(execve(argv[1], args, envp), EACCES, "execve(directory) -> EACCES");
	check_errno(execve(bad_ptr, args, envp), EFAULT, "execve(bad path pointer) -> EFAULT");
	check_errno(execve(NULL, args, envp), EFAULT, "execve(NULL path) -> EFAULT");
	check_errno(execve(target, bad_ptr, envp), EFAULT, "execve(program, bad argv) -> EFAULT");
	check_errno(execve(target, args, bad_ptr), EFAULT, "execve(program, bad envp) -> EFAULT");
	printf("still running\n");
	return check_status();
}
