/* exec: a real guest program's System V initial stack, failures that leave the old image, leaks. */
#include "unit.h"

#include <elf.h>
#include <kernel/exec.h>
#include <kernel/frame.h>
#include <kernel/kernel.h>
#include <kernel/kmalloc.h>
#include <stdlib.h>
#include <string.h>

#define RAM (64 * 1024 * 1024)
#define PG 4096ull
#define PATH "/bin/hello"
#define SCRATCH 0x10000000ull /* a user buffer for the tests' own data */

static unsigned char *image;
static size_t image_len;
static struct thread *p; /* the thread of a fresh process that exec loads into */

static void setup(void)
{
	image = unit_load_guest(GUEST_HELLO, &image_len);
	fake_plat_reset(RAM);
	ck_assert_int_eq(kernel_init(&(struct kernel_config){0}), 0);
	int err = -1;
	struct proc *pr = proc_alloc(NULL, &p, &err);
	ck_assert_ptr_nonnull(pr);
	ck_assert_int_eq(err, 0);
	pr->mm = mm_new();
	ck_assert_ptr_nonnull(pr->mm);
	p->ctx.root = pr->mm->as.root;
}

static void teardown(void)
{
	free(image);
	fake_plat_release();
}

static const Elf64_Ehdr *ehdr(void)
{
	return (const Elf64_Ehdr *)image;
}

/* Where the program headers are once loaded, computed from the file. */
static uint64_t expected_phdr(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(image + ehdr()->e_phoff);
	for (int i = 0; i < ehdr()->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset <= ehdr()->e_phoff &&
		    ehdr()->e_phoff + ehdr()->e_phnum * sizeof(*ph) <= ph[i].p_offset + ph[i].p_filesz)
			return ph[i].p_vaddr + ehdr()->e_phoff - ph[i].p_offset;
	ck_abort_msg("the program headers are not in a loaded segment");
	return 0;
}

static uint64_t rd64(uint64_t va)
{
	uint64_t v;
	ck_assert_msg(copy_in(p->proc->mm, &v, va, 8) == 0, "cannot read the stack at %#llx",
		      (unsigned long long)va);
	return v;
}

static void expect_string(uint64_t va, const char *want)
{
	static char got[EXEC_ARG_MAX];
	ck_assert_uint_gt(va, p->ctx.regs.rsp);
	ck_assert_uint_lt(va, STACK_TOP);
	long n = copy_str_in(p->proc->mm, got, va, sizeof(got));
	ck_assert_int_eq(n, (long)strlen(want));
	ck_assert_str_eq(got, want);
}

static int exec(const char *const *argv, const char *const *envp, int *elf_err)
{
	return exec_image(p, PATH, image, image_len, argv, envp, elf_err);
}

struct auxv {
	uint64_t val[64];
	bool has[64];
};

/* Checks argc, argv, envp against the vectors and returns the auxiliary vector. */
static void read_stack(const char *const *argv, const char *const *envp, struct auxv *aux)
{
	uint64_t sp = p->ctx.regs.rsp;
	size_t argc = 0, envc = 0;
	while (argv && argv[argc])
		argc++;
	while (envp && envp[envc])
		envc++;
	ck_assert_uint_eq(rd64(sp), argc);
	for (size_t i = 0; i < argc; i++)
		expect_string(rd64(sp + 8 + 8 * i), argv[i]);
	ck_assert_uint_eq(rd64(sp + 8 + 8 * argc), 0);
	uint64_t env = sp + 8 + 8 * (argc + 1);
	for (size_t i = 0; i < envc; i++)
		expect_string(rd64(env + 8 * i), envp[i]);
	ck_assert_uint_eq(rd64(env + 8 * envc), 0);
	memset(aux, 0, sizeof(*aux));
	for (uint64_t a = env + 8 * (envc + 1);; a += 16) {
		uint64_t type = rd64(a), val = rd64(a + 8);
		if (type == AT_NULL)
			break;
		ck_assert_uint_lt(type, 64);
		ck_assert_msg(!aux->has[type], "auxv type %llu twice", (unsigned long long)type);
		aux->has[type] = true;
		aux->val[type] = val;
	}
}

START_TEST(test_initial_stack)
{
	static const char *const argv[] = {PATH, "one", "two words", "", NULL};
	static const char *const envp[] = {"HOME=/", "TERM=dumb", NULL};
	int elf_err = -1;
	ck_assert_int_eq(exec(argv, envp, &elf_err), 0);
	ck_assert_int_eq(elf_err, ELF_OK);
	ck_assert_uint_eq(p->ctx.regs.rsp % 16, 0);
	ck_assert_uint_eq(p->ctx.regs.rip, ehdr()->e_entry);
	struct auxv aux;
	read_stack(argv, envp, &aux);

	static const int needed[] = {AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM};
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		ck_assert_msg(aux.has[needed[i]], "auxv lacks type %d", needed[i]);
	ck_assert_uint_eq(aux.val[AT_PHDR], expected_phdr());
	ck_assert_uint_eq(aux.val[AT_PHENT], 56);
	ck_assert_uint_eq(aux.val[AT_PHNUM], ehdr()->e_phnum);
	ck_assert_uint_eq(aux.val[AT_PAGESZ], 4096);
	ck_assert_uint_eq(aux.val[AT_ENTRY], ehdr()->e_entry);

	/* The program headers really are where AT_PHDR says. */
	size_t phbytes = ehdr()->e_phnum * sizeof(Elf64_Phdr);
	unsigned char *phdrs = malloc(phbytes);
	ck_assert_int_eq(copy_in(p->proc->mm, phdrs, aux.val[AT_PHDR], phbytes), 0);
	ck_assert_mem_eq(phdrs, image + ehdr()->e_phoff, phbytes);
	free(phdrs);

	unsigned char rnd[16], zero[16] = {0};
	ck_assert_uint_gt(aux.val[AT_RANDOM], p->ctx.regs.rsp);
	ck_assert_uint_le(aux.val[AT_RANDOM] + 16, STACK_TOP);
	ck_assert_int_eq(copy_in(p->proc->mm, rnd, aux.val[AT_RANDOM], 16), 0);
	ck_assert_msg(memcmp(rnd, zero, 16), "AT_RANDOM points at zeros");
	if (aux.has[AT_EXECFN])
		expect_string(aux.val[AT_EXECFN], PATH);
}
END_TEST

START_TEST(test_registers_and_memory_after_exec)
{
	ck_assert_int_eq(exec(NULL, NULL, NULL), 0);
	struct regs want = {0};
	want.rip = ehdr()->e_entry;
	want.rsp = p->ctx.regs.rsp;
	want.rflags = 0x202;
	ck_assert_mem_eq(&p->ctx.regs, &want, sizeof(want));
	ck_assert_uint_eq(p->ctx.root, p->proc->mm->as.root);
	ck_assert_uint_gt(fake_counts.uctx_discards, 0); /* the CPU's copy of the old state is stale */
	ck_assert_str_eq(p->name, "hello");

	struct auxv aux;
	read_stack(NULL, NULL, &aux); /* argc 0, empty vectors */

	struct vma *stack = mm_find(p->proc->mm, p->ctx.regs.rsp);
	ck_assert_ptr_nonnull(stack);
	ck_assert_uint_eq(stack->end, STACK_TOP);
	ck_assert_uint_eq(stack->prot, PROT_READ | PROT_WRITE);
	ck_assert_uint_ge(stack->end - stack->start, 1024 * 1024);

	const Elf64_Phdr *ph = (const Elf64_Phdr *)(image + ehdr()->e_phoff);
	uint64_t end = 0;
	for (int i = 0; i < ehdr()->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > end)
			end = ph[i].p_vaddr + ph[i].p_memsz;
	ck_assert_uint_eq(p->proc->mm->brk_start, (end + PG - 1) & ~(PG - 1));
	ck_assert_uint_eq(p->proc->mm->brk, p->proc->mm->brk_start);
}
END_TEST

/* The observable state of p, to show a failed exec left it alone. */
struct snapshot {
	struct regs regs;
	uint64_t root;
	char name[PROC_NAME_MAX];
	size_t free_frames, live_objects;
	char marker[16];
};

#define MARKER_AT (STACK_TOP - 0x3000)

static void snap(struct snapshot *s)
{
	s->regs = p->ctx.regs;
	s->root = p->ctx.root;
	memcpy(s->name, p->name, sizeof(s->name));
	s->free_frames = frame_free_count();
	s->live_objects = kmalloc_live();
	ck_assert_int_eq(copy_in(p->proc->mm, s->marker, MARKER_AT, sizeof(s->marker)), 0);
}

static void expect_unchanged(const struct snapshot *before)
{
	struct snapshot now;
	snap(&now);
	ck_assert_mem_eq(&now.regs, &before->regs, sizeof(now.regs));
	ck_assert_uint_eq(now.root, before->root);
	ck_assert_str_eq(now.name, before->name);
	ck_assert_uint_eq(now.free_frames, before->free_frames);
	ck_assert_uint_eq(now.live_objects, before->live_objects);
	ck_assert_str_eq(now.marker, "old image");
}

static void exec_first(void)
{
	static const char *const argv[] = {"first", NULL};
	ck_assert_int_eq(exec(argv, NULL, NULL), 0);
	ck_assert_int_eq(copy_out(p->proc->mm, MARKER_AT, "old image", 10), 0);
}

START_TEST(test_rejected_elf_keeps_old_image)
{
	exec_first();
	struct snapshot before;
	snap(&before);
	unsigned char *bad = malloc(image_len);
	memcpy(bad, image, image_len);
	bad[0] = 'X';
	int elf_err = -1;
	ck_assert_int_eq(exec_image(p, "/bad", bad, image_len, NULL, NULL, &elf_err), -ENOEXEC);
	ck_assert_int_eq(elf_err, ELF_ERR_MAGIC);
	expect_unchanged(&before);

	memcpy(bad, image, image_len);
	((Elf64_Ehdr *)bad)->e_machine = EM_AARCH64;
	ck_assert_int_eq(exec_image(p, "/bad", bad, image_len, NULL, NULL, &elf_err), -ENOEXEC);
	ck_assert_int_eq(elf_err, ELF_ERR_MACHINE);
	ck_assert_int_eq(exec_image(p, "/bad", bad, 20, NULL, NULL, &elf_err), -ENOEXEC);
	ck_assert_int_eq(elf_err, ELF_ERR_TRUNCATED);
	expect_unchanged(&before);
	free(bad);
}
END_TEST

START_TEST(test_oversized_arguments_e2big)
{
	exec_first();
	struct snapshot before;
	snap(&before);
	size_t budget = EXEC_ARG_MAX - (strlen(PATH) + 1); /* strings with NULs, and the path */
	char *big = malloc(budget + 1);
	memset(big, 'a', budget);
	big[budget] = 0;
	const char *argv[] = {big, NULL};
	ck_assert_int_eq(exec(argv, NULL, NULL), -E2BIG);
	expect_unchanged(&before);
	const char *envp[] = {"X=1", big + 3, NULL};
	ck_assert_int_eq(exec(NULL, envp, NULL), -E2BIG);
	expect_unchanged(&before);

	const char **many = calloc(EXEC_ARGC_MAX + 2, sizeof(*many));
	for (size_t i = 0; i <= EXEC_ARGC_MAX; i++)
		many[i] = "";
	ck_assert_int_eq(exec(many, NULL, NULL), -E2BIG);
	expect_unchanged(&before);

	/* Right at the limits is fine. */
	big[budget - 1] = 0;
	ck_assert_int_eq(exec(argv, NULL, NULL), 0);
	struct auxv aux;
	read_stack(argv, NULL, &aux);
	many[EXEC_ARGC_MAX] = NULL;
	ck_assert_int_eq(exec(many, NULL, NULL), 0);
	ck_assert_uint_eq(rd64(p->ctx.regs.rsp), EXEC_ARGC_MAX);
	free(many);
	free(big);
}
END_TEST

START_TEST(test_hundred_execs_leak_nothing)
{
	static const char *const argv[] = {PATH, "again", NULL};
	static const char *const envp[] = {"A=B", NULL};
	ck_assert_int_eq(exec(argv, envp, NULL), 0);
	size_t free1 = frame_free_count(), live1 = kmalloc_live();
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(exec(argv, envp, NULL), 0);
		ck_assert_int_eq(copy_out(p->proc->mm, p->ctx.regs.rsp - 5000, "dirty", 5), 0);
		ck_assert_int_eq(copy_out(p->proc->mm, p->proc->mm->brk_start - 8, "x", 1), 0);
	}
	ck_assert_int_eq(exec(argv, envp, NULL), 0);
	ck_assert_uint_eq(frame_free_count(), free1);
	ck_assert_uint_eq(kmalloc_live(), live1);
	struct proc *pr = p->proc;
	proc_exit(pr, 0);
	proc_reap(pr);
	kernel_fini();
	ck_assert_uint_eq(kmalloc_live(), 0);
	ck_assert_uint_eq(frame_free_count(), frame_total_count());
}
END_TEST

/* Puts data at *at in p's scratch buffer and returns its user address. */
static uint64_t put_user(uint64_t *at, const void *data, size_t len)
{
	uint64_t va = *at;
	ck_assert_int_eq(copy_out(p->proc->mm, va, data, len), 0);
	*at += (len + 7) & ~7ull;
	return va;
}

START_TEST(test_exec_from_user_memory)
{
	exec_first();
	ck_assert_int_eq(mm_map(p->proc->mm, SCRATCH, image_len + 2 * PG, PROT_READ | PROT_WRITE), 0);
	uint64_t at = SCRATCH;
	uint64_t img = put_user(&at, image, image_len);
	uint64_t a0 = put_user(&at, "prog", 5), a1 = put_user(&at, "from user", 10);
	uint64_t e0 = put_user(&at, "K=V", 4);
	uint64_t argv_u = put_user(&at, (uint64_t[]){a0, a1, 0}, 24);
	uint64_t envp_u = put_user(&at, (uint64_t[]){e0, 0}, 16);
	uint64_t bad_u = put_user(&at, (uint64_t[]){a0, KERNEL_HALF, 0}, 24);

	/* An image whose ELF header is readable but whose program headers are not. */
	uint64_t cut = SCRATCH + ((image_len + 2 * PG + PG - 1) & ~(PG - 1)) - 64;
	ck_assert_int_eq(copy_out(p->proc->mm, cut, image, 64), 0);

	struct elf_source src = {.mm = p->proc->mm, .uva = img, .len = image_len};
	struct elf_source cut_src = {.mm = p->proc->mm, .uva = cut, .len = image_len};
	struct exec_args bad = {.mm = p->proc->mm, .uargv = bad_u, .uenvp = envp_u};
	struct exec_args args = {.mm = p->proc->mm, .uargv = argv_u, .uenvp = envp_u};
	struct snapshot before;
	snap(&before);
	ck_assert_int_eq(exec_source(p, PATH, &src, &bad, NULL), -EFAULT);
	expect_unchanged(&before);
	ck_assert_int_eq(exec_source(p, PATH, &cut_src, &args, NULL), -EFAULT);
	expect_unchanged(&before);

	int elf_err = -1;
	ck_assert_int_eq(exec_source(p, PATH, &src, &args, &elf_err), 0);
	ck_assert_int_eq(elf_err, ELF_OK);
	static const char *const argv[] = {"prog", "from user", NULL};
	static const char *const envp[] = {"K=V", NULL};
	struct auxv aux;
	read_stack(argv, envp, &aux);
	ck_assert_uint_eq(p->ctx.regs.rip, ehdr()->e_entry);
	ck_assert_ptr_null(mm_find(p->proc->mm, SCRATCH)); /* the old memory is gone */
}
END_TEST

Suite *exec_suite(void)
{
	Suite *s = suite_create("exec");
	TCase *tc = unit_tcase(s, "exec", setup, teardown);
	tcase_add_test(tc, test_initial_stack);
	tcase_add_test(tc, test_registers_and_memory_after_exec);
	tcase_add_test(tc, test_rejected_elf_keeps_old_image);
	tcase_add_test(tc, test_oversized_arguments_e2big);
	tcase_add_test(tc, test_hundred_execs_leak_nothing);
	tcase_add_test(tc, test_exec_from_user_memory);
	return s;
}
