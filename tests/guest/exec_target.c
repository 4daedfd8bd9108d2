/*
 * Run by exec_args through execve: prints its argv and its ECL_ environment variables (sorted),
 * then exits 3, so the caller can check all three reached it.
 */
#include <string.h>

#include "check.h"

#define MAX_VARS 32

int main(int argc, char **argv, char **envp)
{
	const char *vars[MAX_VARS];
	int n = 0, envc = 0;

	printf("exec_target: argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("exec_target: argv[%d] \"%s\"\n", i, argv[i]);
	for (; envp[envc]; envc++) {
		if (strncmp(envp[envc], "ECL_", 4) != 0 || n == MAX_VARS)
			continue;
		int i = n++;
		for (; i > 0 && strcmp(vars[i - 1], envp[envc]) > 0; i--)
			vars[i] = vars[i - 1];
		vars[i] = envp[envc];
	}
	printf("exec_target: %d environment variables\n", envc);
	for (int i = 0; i < n; i++)
		printf("exec_target: env %s\n", vars[i]);
	return 3;
}
