/* exec: a fresh memory from an ELF image, the System V initial stack, and a clean CPU state. */
#include <kernel/exec.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/random.h>
#include <kernel/signal.h>
#include <kernel/kmalloc.h>
#include <kernel/pci.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

#define AUXV_PAIRS 17

/* One vector (argv or envp) of an exec_args: kernel strings, then a user array's. */
struct vec {
	const char *const *k; /* NULL-terminated, or NULL */
	struct mm *mm;        /* when set, the user array at u, from entry skip on */
	uint64_t u;
	size_t skip;
	size_t nk, n, bytes;  /* kernel entries, all entries, and bytes of their strings with NULs */
};

/* The user address of user entry i of v. 0 or -EFAULT. */
static int vec_user_string(const struct vec *v, size_t i, uint64_t *uva)
{
	return copy_in(v->mm, uva, v->u + (v->skip + i) * sizeof(uint64_t), sizeof(uint64_t));
}

/* Counts v's strings and their bytes, within the exec limits. 0, -EFAULT or -E2BIG. */
static int vec_measure(struct vec *v, size_t budget)
{
	v->nk = v->n = v->bytes = 0;
	while (v->k && v->k[v->nk]) {
		v->bytes += kstrlen(v->k[v->nk++]) + 1;
		if (v->bytes > budget)
			return -E2BIG;
	}
	v->n = v->nk;
	for (;; v->n++) {
		if (v->n > EXEC_ARGC_MAX)
			return -E2BIG;
		uint64_t uva = 0;
		if (!v->mm || !v->u)
			return 0;
		if (vec_user_string(v, v->n - v->nk, &uva))
			return -EFAULT;
		if (!uva)
			return 0;
		long len = copy_str_in(v->mm, NULL, uva, budget - v->bytes + 1);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return (int)len;
		v->bytes += (size_t)len + 1;
		if (v->bytes > budget)
			return -E2BIG;
	}
}

/* Copies string i of v (len bytes with its NUL) to dst in the new memory. */
static int vec_copy(const struct vec *v, size_t i, struct mm *dst_mm, uint64_t dst, size_t *len)
{
	if (i < v->nk) {
		*len = kstrlen(v->k[i]) + 1;
		return mm_poke(dst_mm, dst, v->k[i], *len);
	}
	uint64_t uva;
	if (vec_user_string(v, i - v->nk, &uva))
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

struct stack_layout {
	uint64_t rsp;
	uint64_t arg_start, arg_end, env_start, env_end;
};

/* Lays out argc, argv, envp, auxv and their strings below STACK_TOP. */
static int build_stack(struct mm *mm, const struct elf_info *info, const char *path,
		       const struct vec *argv, const struct vec *envp, struct stack_layout *st)
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
		{AT_PAGESZ, PAGE_SIZE},      {AT_BASE, 0},                {AT_FLAGS, 0},
		{AT_ENTRY, info->entry},     {AT_UID, 0},                 {AT_EUID, 0},
		{AT_GID, 0},                 {AT_EGID, 0},                {AT_SECURE, 0},
		{AT_CLKTCK, 100},            {AT_HWCAP, 0x178bfbff},      {AT_RANDOM, random_at},
		{AT_EXECFN, execfn_at},      {AT_NULL, 0},
	};
	if ((err = mm_poke(mm, slot, auxv, sizeof(auxv))))
		return err;
	st->rsp = sp;
	st->arg_start = str_at;
	st->arg_end = str_at + argv->bytes;
	st->env_start = st->arg_end;
	st->env_end = st->env_start + envp->bytes;
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

/* t becomes its process's only thread, with the process's pid as its id (Linux's de_thread). */
static void exec_single_thread(struct thread *t)
{
	struct proc *p = t->proc;
	while (p->threads != t || t->sibling) {
		struct thread *other = p->threads == t ? t->sibling : p->threads;
		thread_exit(other, 0);
	}
	if (t->tid != p->pid)
		thread_take_id(t, p->pid);
}

int exec_source(struct thread *t, const char *path, const struct elf_source *src,
		const struct exec_args *args, int *elf_err)
{
	struct proc *p = t->proc;
	struct elf_info info;
	int perr = elf_parse_source(src, &info);
	if (elf_err)
		*elf_err = perr > 0 ? perr : ELF_OK;
	if (perr < 0)
		return perr;
	if (perr != ELF_OK)
		return -ENOEXEC;
	struct vec argv = {args->kargv, args->mm, args->uargv, args->uargv_skip, 0, 0, 0};
	struct vec envp = {args->kenvp, args->mm, args->uenvp, 0, 0, 0, 0};
	size_t budget = EXEC_ARG_MAX - (kstrlen(path) + 1);
	int err = vec_measure(&argv, budget);
	if (!err)
		err = vec_measure(&envp, budget - argv.bytes);
	if (!err && argv.n + envp.n > EXEC_ARGC_MAX)
		err = -E2BIG;
	if (err)
		return err;
	const char *exe_path = args->exe ? args->exe : path;
	size_t exe_size = MIN(kstrlen(exe_path) + 1, KMALLOC_MAX);
	char *exe = kmalloc(exe_size);
	struct mm *fresh = exe ? mm_new() : NULL;
	if (!fresh) {
		kfree(exe);
		return -ENOMEM;
	}
	kstrlcpy(exe, exe_path, exe_size);
	struct stack_layout st;
	if ((err = elf_load_source(fresh, src, &info)) ||
	    (err = build_stack(fresh, &info, path, &argv, &envp, &st))) {
		mm_put(fresh);
		kfree(exe);
		return err;
	}
	fresh->brk_start = fresh->brk = PAGE_UP(info.end);
	/* Past the point of no return: the old program goes. */
	int old_tid = t->tid;
	exec_single_thread(t);
	mm_put(p->mm);
	p->mm = fresh;
	t->ctx.root = fresh->as.root;
	reset_cpu(&t->ctx, info.entry, st.rsp);
	plat_uctx_discard(&t->ctx);
	kfree(p->exe);
	p->exe = exe;
	inode_put(p->exe_ino);
	p->exe_ino = args->exe_ino ? inode_get(args->exe_ino) : NULL;
	p->arg_start = st.arg_start;
	p->arg_end = st.arg_end;
	p->env_start = st.env_start;
	p->env_end = st.env_end;
	kstrlcpy(p->name, basename_of(args->name ? args->name : path), sizeof(p->name));
	kstrlcpy(t->name, p->name, sizeof(t->name));
	signal_exec(p);
	t->altstack_sp = t->altstack_size = 0;
	t->clear_child_tid = 0;
	t->robust_list = 0;
	if (p->fds)
		fd_close_on_exec(p->fds);
	pci_proc_exec(p);
	if (p->vfork_parent) {
		wait_complete(p->vfork_parent, p->pid);
		p->vfork_parent = NULL;
	}
	if (kernel_cfg.on_exec) {
		struct core_image img = {src->mem, src->len, src->cache_id};
		kernel_cfg.on_exec(t, path, &img);
	}
	EVENT(.kind = CORE_EVENT_EXEC, .t = t, .exec = {path, old_tid});
	return 0;
}

int exec_image(struct thread *t, const char *path, const void *image, size_t len,
	       const char *const *argv, const char *const *envp, int *elf_err)
{
	const struct elf_source src = {.mem = image, .len = len};
	struct exec_args args = {.kargv = argv, .kenvp = envp, .exe_ino = memfs_node(image, len)};
	int err = exec_source(t, path, &src, &args, elf_err);
	inode_put(args.exe_ino);
	return err;
}

#define SCRIPT_LINE_MAX 256
#define SCRIPT_DEPTH_MAX 4

/* "#!interpreter [arg]" at the start of a file: the interpreter and its one argument. */
static bool script_line(const struct elf_source *src, char *line, char **interp, char **arg)
{
	size_t n = MIN(src->len, SCRIPT_LINE_MAX - 1);
	if (n < 2 || elf_read(src, 0, line, n) || line[0] != '#' || line[1] != '!')
		return false;
	line[n] = 0;
	char *end = line + 2;
	while (*end && *end != '\n')
		end++;
	*end = 0;
	char *s = line + 2;
	while (*s == ' ' || *s == '\t')
		s++;
	*interp = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + kstrlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	*arg = *s ? s : NULL;
	return **interp != 0;
}

/* The program at path, or (through --root) a file of the platform's. */
static int exec_resolve(struct thread *t, int dirfd, const char *path, bool follow,
			struct walk *w, struct elf_source *src, struct file_ref *host)
{
	w->flags = follow ? WALK_FOLLOW : 0;
	w->ino = NULL;
	int err = vfs_walk(t, dirfd, path, w);
	int host_err = err == -ENOENT && path[0] == '/' ? file_open_platform(path, host) : -ENOENT;
	if (host_err != -ENOENT && host_err)
		return host_err; /* the platform has it, but it is no program (a directory) */
	if (!host_err) {
		if (!host->executable) {
			file_close(host);
			return -EACCES;
		}
		*src = (struct elf_source){.mem = host->data, .len = host->len, .cache_id = host->id};
		kstrlcpy(w->path, path, PATH_MAX);
		return 0;
	}
	if (err)
		return err;
	struct vfs_attr a;
	if (!(err = vfs_getattr(t, w->ino, &a, NULL))) {
		if (S_ISDIR(a.mode) || !S_ISREG(a.mode) || !(a.mode & 0111))
			err = -EACCES;
		else
			err = vfs_load(t, w->ino, src);
	}
	if (err) {
		inode_put(w->ino);
		w->ino = NULL;
	}
	return err; /* w->ino stays for the caller: the program's node */
}

int exec_path(struct thread *t, int dirfd, const char *path, uint64_t uargv, uint64_t uenvp,
	      bool follow)
{
	char *canon = kpage_alloc(), *strings = kpage_alloc();
	if (!canon || !strings) {
		kpage_free(canon);
		kpage_free(strings);
		return -ENOMEM;
	}
	/* A script's argv: interpreter, [its argument], the script's path, then argv[1...]; a
	 * script run by a script prepends the same again. */
	const char *kargv[2 * SCRIPT_DEPTH_MAX + 2] = {NULL};
	size_t nk = 0, used = 0;
	struct exec_args args = {.mm = t->proc->mm, .uargv = uargv, .uenvp = uenvp, .exe = canon};
	const char *file = path;
	int err;
	for (int depth = 0;; depth++) {
		struct walk w = {.path = canon};
		struct elf_source src;
		struct file_ref host = {0};
		err = exec_resolve(t, dirfd, file, follow, &w, &src, &host);
		if (err)
			break;
		char head[SCRIPT_LINE_MAX], *interp, *arg;
		if (!script_line(&src, head, &interp, &arg)) {
			args.exe_ino = w.ino;
			err = exec_source(t, file, &src, &args, NULL);
			file_close(&host);
			inode_put(w.ino);
			if (!err)
				trace_sched("exec pid %d %s", t->proc->pid, file);
			break;
		}
		file_close(&host);
		inode_put(w.ino);
		if (depth == SCRIPT_DEPTH_MAX) {
			err = -ELOOP;
			break;
		}
		size_t need = kstrlen(file) + kstrlen(interp) + (arg ? kstrlen(arg) : 0) + 3;
		if (used + need > PAGE_SIZE) {
			err = -E2BIG;
			break;
		}
		char *fp = strings + used, *ip, *ap = NULL;
		used += kstrlcpy(fp, file, PAGE_SIZE - used) + 1;
		ip = strings + used;
		used += kstrlcpy(ip, interp, PAGE_SIZE - used) + 1;
		if (arg) {
			ap = strings + used;
			used += kstrlcpy(ap, arg, PAGE_SIZE - used) + 1;
		}
		size_t add = ap ? 2 : 1;
		if (nk == 0) /* the first level puts the script's own path after the interpreter */
			kargv[nk++] = fp;
		else
			kargv[0] = fp; /* the interpreter that turned out to be a script: its path */
		for (size_t i = nk; i > 0; i--)
			kargv[i - 1 + add] = kargv[i - 1];
		kargv[0] = ip;
		if (ap)
			kargv[1] = ap;
		nk += add;
		kargv[nk] = NULL;
		args.kargv = kargv;
		args.uargv_skip = 1;
		if (!args.name)
			args.name = path;
		file = ip;
		dirfd = AT_FDCWD;
		follow = true;
	}
	kpage_free(canon);
	kpage_free(strings);
	return err;
}
