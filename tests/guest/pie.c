/*
 * A static PIE: an ELF of type ET_DYN without an interpreter, loaded by the kernel alone at an
 * address of its choosing (Eclipse's is fixed, Linux's random), where musl's start code applies
 * the program's own relocations. Every pointer the linker could not know must then lead where
 * it should: in data, in a table of functions, in the auxiliary vector, in thread-local storage
 * of two threads. Nothing printed depends on the address.
 */
#include <elf.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "check.h"

/* The ELF header, where the linker says it is mapped; its address is the load base. */
extern const Elf64_Ehdr __ehdr_start;
void _start(void);

/* External, so that the compiler must read them rather than fold in their initializers. */
const char greeting[] = "relocated";
const char *pointer_in_data = greeting;
int twice(int x);
int thrice(int x);
int (*function_table[])(int) = {twice, thrice};

int twice(int x)
{
	return 2 * x;
}

int thrice(int x)
{
	return 3 * x;
}

static _Thread_local int per_thread = 7;

static void *add_in_thread(void *arg)
{
	per_thread += *(const int *)arg;
	return (void *)(intptr_t)per_thread;
}

/* Whether the program headers have an entry of type. */
static int has_segment(const Elf64_Phdr *ph, size_t n, uint32_t type)
{
	for (size_t i = 0; i < n; i++)
		if (ph[i].p_type == type)
			return 1;
	return 0;
}

int main(void)
{
	uintptr_t base = (uintptr_t)&__ehdr_start;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	size_t phnum = getauxval(AT_PHNUM);

	check(__ehdr_start.e_type == ET_DYN, "an ELF of type ET_DYN");
	check(!has_segment(ph, phnum, PT_INTERP) && has_segment(ph, phnum, PT_DYNAMIC),
	      "no interpreter, its own dynamic section");
	check(base != 0 && base % 4096 == 0, "loaded at a page boundary above 0");
	check((uintptr_t)ph == base + __ehdr_start.e_phoff, "AT_PHDR: the program headers as loaded");
	check(getauxval(AT_ENTRY) == (uintptr_t)_start && (uintptr_t)_start == base + __ehdr_start.e_entry,
	      "AT_ENTRY: _start as loaded");

	const char *volatile in_data = pointer_in_data;
	check(in_data == greeting && strcmp(in_data, "relocated") == 0, "a pointer in data");
	check(function_table[0](5) + function_table[1](5) == 25, "a table of functions");

	char *copy = malloc(64);
	check(copy && strcpy(copy, greeting) && strlen(copy) == 9, "malloc");
	free(copy);

	pthread_t thread;
	int add = 5;
	void *in_thread = NULL;
	check(pthread_create(&thread, NULL, add_in_thread, &add) == 0 &&
		      pthread_join(thread, &in_thread) == 0,
	      "a thread");
	check((intptr_t)in_thread == 12 && per_thread == 7,
	      "thread-local storage: the thread's copy and ours");
	return check_status();
}
