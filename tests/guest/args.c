/*
 * The System V initial stack as _start sees it: argc, argv, envp and the auxiliary vector, and
 * the ELF program headers the auxv points at. The C library hands main argv as the kernel put
 * it, right after argc, so the initial stack pointer is the address of the word before argv.
 */
#include <elf.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

void _start(void);

/* The auxv entries this test looks at. */
struct auxv {
	unsigned long pagesz, phdr, phent, phnum, entry, random;
};

static void read_auxv(const unsigned long *a, struct auxv *out)
{
	for (; a[0] != AT_NULL; a += 2) {
		switch (a[0]) {
		case AT_PAGESZ: out->pagesz = a[1]; break;
		case AT_PHDR: out->phdr = a[1]; break;
		case AT_PHENT: out->phent = a[1]; break;
		case AT_PHNUM: out->phnum = a[1]; break;
		case AT_ENTRY: out->entry = a[1]; break;
		case AT_RANDOM: out->random = a[1]; break;
		}
	}
}

/* Whether AT_PHDR is the table of the ELF header mapped by the PT_LOAD at file offset 0. */
static int phdr_table_ok(const struct auxv *av)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)av->phdr;
	const Elf64_Ehdr *eh = NULL;
	int entry_executable = 0;

	for (unsigned long i = 0; i < av->phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		/* The segment holding the file's first bytes (a bss-only one has offset 0 too). */
		if (ph[i].p_offset == 0 && ph[i].p_filesz && !eh)
			eh = (const Elf64_Ehdr *)ph[i].p_vaddr;
		if ((ph[i].p_flags & PF_X) && av->entry - ph[i].p_vaddr < ph[i].p_memsz)
			entry_executable = 1;
	}
	return eh && memcmp(eh->e_ident, "\177ELF", 4) == 0 && eh->e_phnum == av->phnum &&
	       eh->e_phentsize == av->phent && (uintptr_t)eh + eh->e_phoff == av->phdr &&
	       eh->e_entry == av->entry && entry_executable;
}

#define MAX_ECL_VARS 32

/* Prints the ECL_* variables sorted: launchers differ in the order they pass the environment. */
static void print_ecl_env(char **envp)
{
	char *vars[MAX_ECL_VARS];
	int n = 0;

	for (; *envp && n < MAX_ECL_VARS; envp++) {
		if (strncmp(*envp, "ECL_", 4) != 0)
			continue;
		int i = n++;
		for (; i > 0 && strcmp(vars[i - 1], *envp) > 0; i--)
			vars[i] = vars[i - 1];
		vars[i] = *envp;
	}
	for (int i = 0; i < n; i++)
		printf("env %s\n", vars[i]);
}

int main(int argc, char **argv, char **envp)
{
	const long *sp = (const long *)argv - 1;
	const char *base = strrchr(argv[0], '/');
	struct auxv av = { 0 };
	char **e;

	printf("argc %d\n", argc);
	printf("argv[0] basename \"%s\"\n", base ? base + 1 : argv[0]);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] \"%s\"\n", i, argv[i]);
	check(argv[argc] == NULL, "argv NULL-terminated");
	check(((uintptr_t)sp & 15) == 0, "initial rsp 16-byte aligned");
	check(sp[0] == argc, "argc and argv at initial rsp");
	check(environ == envp && envp == argv + argc + 1, "envp follows argv");

	for (e = envp; *e; e++)
		;
	print_ecl_env(envp);
	/* The auxv starts after envp's NULL: the checks below fail if that NULL is missing. */
	read_auxv((const unsigned long *)(e + 1), &av);
	check(av.pagesz == 4096, "AT_PAGESZ 4096");
	check(av.phent == sizeof(Elf64_Phdr), "AT_PHENT 56");
	check(av.phdr && av.phnum && phdr_table_ok(&av), "AT_PHDR/AT_PHNUM: the program header table");
	check(av.entry == (uintptr_t)_start, "AT_ENTRY is _start");
	if (av.random) {
		/* Reading them faults, and so fails the test, unless the 16 bytes are mapped. */
		const volatile unsigned char *r = (const volatile unsigned char *)av.random;
		for (int i = 0; i < 16; i++)
			(void)r[i];
	}
	check(av.random != 0, "AT_RANDOM 16 readable bytes");
	if (check_status() == 0)
		printf("auxv ok\n");
	return check_status();
}
