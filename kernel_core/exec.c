/* exec: a fresh memory from an ELF image, the System V initial stack, and a clean CPU state. */
#include <kernel/elf.h>
#include <kernel/exec.h>
#include <kernel/klib.h>
#include <kernel/random.h>
#include <uapi/eclipse.h>

#define AUXV_PAIRS 12

static size_t count_strings(const char *const *v, size_t *bytes)
{
	size_t n = 0;
	for (; v && v[n]; n++)
		*bytes += kstrlen(v[n]) + 1;
	return n;
}

/* Writes the strings of v from *at upward and their addresses from *slot upward. */
static int put_strings(struct mm *mm, const char *const *v, size_t n, uint64_t *at, uint64_t *slot)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = kstrlen(v[i]) + 1;
		int err = mm_poke(mm, *at, v[i], len);
		if (!err)
			err = mm_poke(mm, *slot, at, sizeof(*at));
		if (err)
			return err;
		*at += len;
		*slot += 8;
	}
	uint64_t zero = 0;
	int err = mm_poke(mm, *slot, &zero, sizeof(zero));
	*slot += 8;
	return err;
}

/* Lays out argc, argv, envp, auxv and their strings below STACK_TOP; returns the new rsp. */
static int build_stack(struct mm *mm, const struct elf_info *info, const char *path,
		       const char *const *argv, const char *const *envp, uint64_t *rsp)
{
	size_t bytes = kstrlen(path) + 1;
	size_t argc = count_strings(argv, &bytes), envc = count_strings(envp, &bytes);
	if (bytes > EXEC_ARG_MAX || argc + envc > EXEC_ARGC_MAX)
		return -E2BIG;
	int err = mm_map(mm, STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE);
	if (err)
		return err;
	uint64_t random_at = STACK_TOP - 16;
	uint8_t random[16];
	random_bytes(random, sizeof(random));
	uint64_t str_at = (random_at - bytes) & ~15ull;
	size_t words = 1 + argc + 1 + envc + 1 + 2 * AUXV_PAIRS;
	uint64_t sp = (str_at - words * 8) & ~15ull;
	uint64_t execfn_at = str_at + bytes - (kstrlen(path) + 1);
	uint64_t slot = sp, at = str_at;
	uint64_t argc64 = argc;
	if ((err = mm_poke(mm, random_at, random, sizeof(random))) ||
	    (err = mm_poke(mm, execfn_at, path, kstrlen(path) + 1)) ||
	    (err = mm_poke(mm, slot, &argc64, 8)))
		return err;
	slot += 8;
	if ((err = put_strings(mm, argv, argc, &at, &slot)) ||
	    (err = put_strings(mm, envp, envc, &at, &slot)))
		return err;
	const uint64_t auxv[AUXV_PAIRS][2] = {
		{AT_PHDR, info->phdr_vaddr}, {AT_PHENT, info->phentsize}, {AT_PHNUM, info->phnum},
		{AT_PAGESZ, PAGE_SIZE},      {AT_ENTRY, info->entry},     {AT_UID, 0},
		{AT_EUID, 0},                {AT_GID, 0},                 {AT_EGID, 0},
		{AT_RANDOM, random_at},      {AT_EXECFN, execfn_at},      {AT_NULL, 0},
	};
	if ((err = mm_poke(mm, slot, auxv, sizeof(auxv))))
		return err;
	*rsp = sp;
	return 0;
}

static void reset_cpu(struct uctx *u, uint64_t entry, uint64_t rsp)
{
	kmemset(&u->regs, 0, sizeof(u->regs));
	kmemset(u->fpu, 0, sizeof(u->fpu));
	u->regs.rip = entry;
	u->regs.rsp = rsp;
	u->regs.rflags = 0x202;
	u->fpu[0] = 0x7f; /* FCW 0x037f: all x87 exceptions masked, extended precision */
	u->fpu[1] = 0x03;
	u->fpu[24] = 0x80; /* MXCSR 0x1f80: all SSE exceptions masked */
	u->fpu[25] = 0x1f;
}

static const char *basename_of(const char *path)
{
	const char *b = path;
	for (const char *s = path; *s; s++)
		if (*s == '/' && s[1])
			b = s + 1;
	return b;
}

int exec_image(struct proc *p, const char *path, const void *image, size_t len,
	       const char *const *argv, const char *const *envp, int *elf_err)
{
	struct elf_info info;
	int perr = elf_parse(image, len, &info);
	if (elf_err)
		*elf_err = perr;
	if (perr != ELF_OK)
		return -ENOEXEC;
	struct mm fresh;
	int err = mm_create(&fresh);
	if (err)
		return err;
	uint64_t rsp = 0;
	if ((err = elf_load(&fresh, image, &info)) ||
	    (err = build_stack(&fresh, &info, path, argv, envp, &rsp))) {
		mm_destroy(&fresh);
		return err;
	}
	fresh.brk_start = fresh.brk = PAGE_UP(info.end);
	mm_destroy(&p->mm);
	p->mm = fresh;
	p->ctx.root = p->mm.as.root;
	reset_cpu(&p->ctx, info.entry, rsp);
	plat_uctx_discard(&p->ctx);
	kstrlcpy(p->name, basename_of(path), sizeof(p->name));
	return 0;
}
