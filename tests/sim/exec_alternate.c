/*
 * Alternately execs two different programs in fresh children, so that the frames one program's
 * code was loaded into are soon reused for the other's. The CPU emulator caches translated code
 * by physical page: if the kernel's freeing of code frames did not drop those translations, a
 * child would run the previous program's code and exit with the wrong status (or crash).
 * Usage: exec_alternate GUEST_DIR
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp)
{
	if (argc < 2) {
		dprintf(2, "usage: exec_alternate GUEST_DIR\n");
		return 2;
	}
	char hello[512], exitcode[512];
	snprintf(hello, sizeof(hello), "%s/test_hello", argv[1]);
	snprintf(exitcode, sizeof(exitcode), "%s/test_exitcode", argv[1]);
	int wrong = 0;
	for (int i = 0; i < 60; i++) {
		char code[8];
		snprintf(code, sizeof(code), "%d", i % 7 + 1);
		char *prog = i & 1 ? exitcode : hello;
		int want = i & 1 ? i % 7 + 1 : 0;
		pid_t child = fork();
		if (child == 0) {
			char *child_argv[] = {prog, code, NULL};
			execve(prog, child_argv, envp);
			_exit(99);
		}
		int status;
		if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != want)
			wrong++;
	}
	printf("%d wrong\n", wrong);
	return wrong != 0;
}
