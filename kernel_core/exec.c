/* exec: a fresh memory from an ELF image, the System V initial stack, and a clean CPU state. */
#include <kernel/exec.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/random.h>
#include <kernel/signal.h>
#include <uapi/eclipse.h>

#define AUXV_PAIRS 12

/* One vector (argv or envp) of an exec_args. */
struct vec {
	const char *const *k;
	struct mm *mm;
	uint64_t u;
	size_t n, bytes; /* entries, and bytes of their strings with NULs */
};

/* The user address of string i of v. 0 or -EFAULT. */
static int vec_user_string(const struct vec *v, size_t i, uint64_t *uva)
{
	return copy_in(v->mm, uva, v->u + i * sizeof(uint64_t), sizeof(uint64_t));
}

/* Counts v's strings and their bytes, within the exec limits. 0, -EFAULT or -E2BIG. */
static int vec_measure(struct vec *v, size_t budget)
{
	v->n = v->bytes = 0;
	for (;; v->n++) {
		if (v->n > EXEC_ARGC_MAX)
			return -E2BIG;
		long len;
		if (v->mm) {
			uint64_t uva = 0;
			if (v->u && vec_user_string(v, v->n, &uva))
				return -EFAULT;
			if (!uva)
				return 0;
			len = copy_str_in(v->mm, NULL, uva, budget - v->bytes + 1);
			if (len == -ENAMETOOLONG)
				return -E2BIG;
			if (len < 0)
				return (int)len;
		} else {
			if (!v->k || !v->k[v->n])
				return 0;
			len = (long)kstrlen(v->k[v->n]);
		}
		v->bytes += (size_t)len + 1;
		if (v->bytes > budget)
			return -E2BIG;
	}
}

/* Copies string i of v (len bytes with its NUL) to dst in the new memory. */
static int vec_copy(const struct vec *v, size_t i, struct mm *dst_mm, uint64_t dst, size_t *len)
{
	if (!v->mm) {
		*len = kstrlen(v->k[i]) + 1;
		return mm_poke(dst_mm, dst, v->k[i], *len);
	}
	uint64_t uva;
	if (vec_user_string(v, i, &uva))
		return -EFAULT;
	char buf[256];
	for (size_t done = 0;; done += sizeof(buf) - 1) {
		long n = copy_str_in(v->mm, buf, uva + done, sizeof(buf));
		if (n == -EFAULT)
			return -EFAULT;
		size_t chunk = n >= 0 ? (size_t)n + 1 : sizeof(buf) - 1;
		int err = mm_poke(dst_mm, dst + done, buf, chunk);
		if (err)
			return err;
		if (n >= 0) {
			*len = done + chunk;
			return 0;
		}
	}
}

/* Writes v's strings from *at upward and their addresses from *slot upward, then a NULL. */
static int put_vector(struct mm *mm, const struct vec *v, uint64_t *at, uint64_t *slot)
{
	for (size_t i = 0; i < v->n; i++) {
		size_t len = 0;
		int err = vec_copy(v, i, mm, *at, &len);
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
		       const struct vec *argv, const struct vec *envp, uint64_t *rsp)
{
	size_t path_len = kstrlen(path) + 1;
	size_t bytes = argv->bytes + envp->bytes + path_len;
	int err = mm_map(mm, STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE);
	if (err)
		return err;
	uint64_t random_at = STACK_TOP - 16;
	uint8_t random[16];
	random_bytes(random, sizeof(random));
	uint64_t str_at = (random_at - bytes) & ~15ull;
	size_t words = 1 + argv->n + 1 + envp->n + 1 + 2 * AUXV_PAIRS;
	uint64_t sp = (str_at - words * 8) & ~15ull;
	uint64_t execfn_at = str_at + argv->bytes + envp->bytes;
	uint64_t slot = sp, at = str_at;
	uint64_t argc = argv->n;
	if ((err = mm_poke(mm, random_at, random, sizeof(random))) ||
	    (err = mm_poke(mm, execfn_at, path, path_len)) || (err = mm_poke(mm, slot, &argc, 8)))
		return err;
	slot += 8;
	if ((err = put_vector(mm, argv, &at, &slot)) || (err = put_vector(mm, envp, &at, &slot)))
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

int exec_source(struct proc *p, const char *path, const struct elf_source *src,
		const struct exec_args *args, int *elf_err)
{
	struct elf_info info;
	int perr = elf_parse_source(src, &info);
	if (elf_err)
		*elf_err = perr > 0 ? perr : ELF_OK;
	if (perr < 0)
		return perr;
	if (perr != ELF_OK)
		return -ENOEXEC;
	struct vec argv = {args->kargv, args->mm, args->uargv, 0, 0};
	struct vec envp = {args->kenvp, args->mm, args->uenvp, 0, 0};
	size_t budget = EXEC_ARG_MAX - (kstrlen(path) + 1);
	int err = vec_measure(&argv, budget);
	if (!err)
		err = vec_measure(&envp, budget - argv.bytes);
	if (!err && argv.n + envp.n > EXEC_ARGC_MAX)
		err = -E2BIG;
	if (err)
		return err;
	struct mm fresh;
	if ((err = mm_create(&fresh)))
		return err;
	uint64_t rsp = 0;
	if ((err = elf_load_source(&fresh, src, &info)) ||
	    (err = build_stack(&fresh, &info, path, &argv, &envp, &rsp))) {
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
	signal_exec(p);
	if (kernel_cfg.on_exec)
		kernel_cfg.on_exec(p, path, src);
	return 0;
}

int exec_image(struct proc *p, const char *path, const void *image, size_t len,
	       const char *const *argv, const char *const *envp, int *elf_err)
{
	const struct elf_source src = {.mem = image, .len = len};
	const struct exec_args args = {.kargv = argv, .kenvp = envp};
	return exec_source(p, path, &src, &args, elf_err);
}
