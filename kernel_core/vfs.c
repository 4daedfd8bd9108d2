/* Mounts, nodes, open files, filesystem contexts and path resolution. */
#include <kernel/elf.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

static struct mount mounts[MOUNT_MAX];
static struct mount *root_mount;
static int pending_server; /* the thread that will serve "/", while it comes up */
static uint64_t pending_until;
static int pending_key;    /* what waiting paths wait on */

void vfs_root_pending(struct thread *server, uint64_t until)
{
	pending_server = server ? server->tid : 0;
	pending_until = until;
	if (!server)
		wait_wake(WAIT_KEY(&pending_key));
}

void vfs_server_gone(struct thread *server)
{
	if (pending_server == server->tid)
		vfs_root_pending(NULL, 0);
}

/* Paths wait while the root's server comes up: 0 to go on, or -EBLOCKED. */
static int root_wait(struct thread *t)
{
	if (!pending_server)
		return 0;
	struct thread *s = thread_find(pending_server);
	if (!s || s->proc == t->proc || plat_clock_ns() >= pending_until) {
		if (!s || plat_clock_ns() >= pending_until)
			vfs_root_pending(NULL, 0);
		return 0;
	}
	return (int)wait_block(t, WAIT_MOUNT, WAIT_KEY(&pending_key), pending_until, WAIT_RERUN);
}

struct inode *inode_new(const struct fs_type *fs, struct mount *mnt, uint64_t ino, unsigned mode)
{
	struct inode *n = kmalloc(sizeof(*n));
	if (!n)
		return NULL;
	*n = (struct inode){.refs = 1, .fs = fs, .mnt = mnt, .ino = ino, .mode = mode};
	return n;
}

struct inode *inode_get(struct inode *ino)
{
	ino->refs++;
	return ino;
}

void inode_put(struct inode *ino)
{
	if (!ino || --ino->refs)
		return;
	if (ino->fs->release)
		ino->fs->release(ino);
	kfree(ino);
}

bool inode_same(const struct inode *a, const struct inode *b)
{
	return a->mnt == b->mnt && a->ino == b->ino;
}

struct mount *vfs_mount(const char *name, const struct fs_type *fs, struct inode *root)
{
	for (unsigned i = 0; i < MOUNT_MAX; i++) {
		struct mount *m = &mounts[i];
		if (m->used)
			continue;
		*m = (struct mount){.fs = fs, .root = root, .dev = i + 1, .used = true};
		kstrlcpy(m->name, name, sizeof(m->name));
		root->mnt = m;
		if (!*name) {
			if (root_mount)
				root_mount->name[0] = '\x01'; /* replaced: reachable only by old references */
			root_mount = m;
		}
		return m;
	}
	inode_put(root);
	return NULL;
}

struct mount *vfs_mount_at(const char *name, size_t len)
{
	if (len == 0 || len >= sizeof(mounts[0].name))
		return NULL;
	for (unsigned i = 0; i < MOUNT_MAX; i++) {
		struct mount *m = &mounts[i];
		if (m->used && m != root_mount && !kstrncmp(m->name, name, len) && !m->name[len])
			return m;
	}
	return NULL;
}

struct mount *vfs_mount_next(unsigned *cursor)
{
	while (*cursor < MOUNT_MAX) {
		struct mount *m = &mounts[(*cursor)++];
		if (m->used && (m == root_mount || m->name[0] != '\x01'))
			return m;
	}
	return NULL;
}

struct mount *vfs_mount_point(unsigned i)
{
	struct mount *m = i < MOUNT_MAX ? &mounts[i] : NULL;
	return m && m->used && m != root_mount && m->name[0] && m->name[0] != '\x01' ? m : NULL;
}

struct inode *vfs_root(void)
{
	return inode_get(root_mount->root);
}

struct mount *vfs_root_mount(void)
{
	return root_mount;
}

void vfs_root_changed(void)
{
	vfs_root_pending(NULL, 0);
	unsigned cursor = 0;
	for (struct proc *p; (p = proc_next(&cursor));) {
		struct fs_ctx *fs = p->fs;
		if (!fs || !fs->cwd->mnt || fs->cwd->mnt == root_mount ||
		    !inode_same(fs->cwd, fs->cwd->mnt->root) || fs->cwd->mnt->name[0] != '\x01')
			continue;
		inode_put(fs->cwd);
		fs->cwd = vfs_root();
	}
}

int vfs_init(void)
{
	kmemset(mounts, 0, sizeof(mounts));
	root_mount = NULL;
	pending_server = 0;
	struct inode *root;
	int err = bootfs_init(&root);
	if (err)
		return err;
	if (!vfs_mount("", &bootfs_type, root))
		return -ENOMEM;
	/* The boot image is "/" until a file server takes it, and "/boot" always: a restarted
	 * root server (and init restarting it) reaches its files there while "/" has no server. */
	static const struct {
		const char *name;
		const struct fs_type *fs;
		int (*init)(struct inode **);
	} kernel_fs[] = {{"dev", &devfs_type, devfs_init},
			 {"proc", &procfs_type, procfs_init},
			 {"boot", &bootfs_type, bootfs_root}};
	for (size_t i = 0; i < ARRAY_SIZE(kernel_fs); i++) {
		if ((err = kernel_fs[i].init(&root)))
			return err;
		if (!vfs_mount(kernel_fs[i].name, kernel_fs[i].fs, root))
			return -ENOMEM;
	}
	return 0;
}

void vfs_fini(void)
{
	for (unsigned i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].used)
			inode_put(mounts[i].root);
	kmemset(mounts, 0, sizeof(mounts));
	root_mount = NULL;
	bootfs_fini();
}

struct file *file_alloc(struct inode *ino, const struct file_ops *ops, unsigned flags)
{
	struct file *f = kmalloc(sizeof(*f));
	if (!f) {
		inode_put(ino);
		return NULL;
	}
	*f = (struct file){.refs = 1, .ino = ino, .ops = ops, .flags = flags};
	return f;
}

int file_open_inode(struct thread *t, struct inode *ino, unsigned flags, struct file **out)
{
	struct file *f = file_alloc(inode_get(ino), NULL, flags);
	if (!f)
		return -ENOMEM;
	int err = ino->fs->open ? ino->fs->open(t, ino, f) : -ENXIO;
	if (err) {
		f->ops = NULL;
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

struct file *file_get(struct file *f)
{
	f->refs++;
	return f;
}

void file_put(struct file *f)
{
	if (--f->refs)
		return;
	if (f->ops && f->ops->release)
		f->ops->release(f);
	inode_put(f->ino);
	kfree(f->path);
	kfree(f);
}

struct fs_ctx *vfs_fs_new(struct inode *cwd)
{
	struct fs_ctx *fs = kmalloc(sizeof(*fs));
	char *path = kpage_alloc();
	if (!fs || !path) {
		kfree(fs);
		kpage_free(path);
		inode_put(cwd);
		return NULL;
	}
	*fs = (struct fs_ctx){.refs = 1, .cwd = cwd, .cwd_path = path, .umask = 022};
	path[0] = '/';
	return fs;
}

struct fs_ctx *vfs_fs_copy(const struct fs_ctx *src)
{
	struct fs_ctx *fs = vfs_fs_new(inode_get(src->cwd));
	if (fs) {
		kstrlcpy(fs->cwd_path, src->cwd_path, PATH_MAX);
		fs->umask = src->umask;
	}
	return fs;
}

struct fs_ctx *vfs_fs_get(struct fs_ctx *fs)
{
	fs->refs++;
	return fs;
}

void vfs_fs_put(struct fs_ctx *fs)
{
	if (!fs || --fs->refs)
		return;
	inode_put(fs->cwd);
	kpage_free(fs->cwd_path);
	kfree(fs);
}

int vfs_getattr(struct thread *t, struct inode *ino, struct vfs_attr *a, unsigned *dev)
{
	kmemset(a, 0, sizeof(*a));
	int err = ino->fs->getattr(t, ino, a);
	if (err)
		return err;
	ino->mode = a->mode;
	if (dev)
		*dev = ino->mnt ? ino->mnt->dev : 0;
	return 0;
}

int vfs_load(struct thread *t, struct inode *ino, struct elf_source *src)
{
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode) || !ino->fs->load)
		return -EACCES;
	return ino->fs->load(t, ino, src);
}

int vfs_path_in(struct thread *t, uint64_t upath, char *buf, bool empty_ok)
{
	long n = copy_str_in(t->proc->mm, buf, upath, PATH_MAX);
	if (n < 0)
		return (int)n;
	return n == 0 && !empty_ok ? -ENOENT : 0;
}

/* Appends component name (len bytes) to the absolute path p (PATH_MAX bytes), or removes
 * its last component for "..". */
/* Sets path (a page) to link's text when it is an absolute path: true then, else unchanged. */
static bool path_from_link(struct thread *t, struct inode *link, char *path)
{
	char *text = kpage_alloc();
	long n = text && link->fs->readlink ? link->fs->readlink(t, link, text, PATH_MAX - 1) : -1;
	bool absolute = n > 0 && text[0] == '/';
	if (absolute) {
		text[n] = 0;
		kstrlcpy(path, text, PATH_MAX);
	}
	kpage_free(text);
	return absolute;
}

static void path_step(char *p, const char *name, size_t len)
{
	size_t n = kstrlen(p);
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		while (n > 1 && p[n - 1] != '/')
			n--;
		if (n > 1)
			n--;
		p[n] = 0;
		return;
	}
	if (n + len + 2 > PATH_MAX)
		return; /* keeps the longest prefix that fits; the path stays a hint */
	if (n > 1)
		p[n++] = '/';
	kmemcpy(p + n, name, len);
	p[n + len] = 0;
}

/* The parent directory of dir: across a mount's root to the root directory. */
static int parent_of(struct thread *t, struct inode *dir, struct inode **out)
{
	if (inode_same(dir, root_mount->root) ||
	    (dir->mnt && inode_same(dir, dir->mnt->root) && dir->mnt != root_mount)) {
		*out = vfs_root();
		return 0;
	}
	if (!dir->fs->parent)
		return -ENOENT;
	return dir->fs->parent(t, dir, out);
}

/* Entry name of directory dir, mounts on the root directory first. */
static int lookup(struct thread *t, struct inode *dir, const char *name, size_t len,
		  struct inode **out)
{
	if (inode_same(dir, root_mount->root)) {
		struct mount *m = vfs_mount_at(name, len);
		if (m) {
			*out = inode_get(m->root);
			return 0;
		}
	}
	if (!dir->fs->lookup)
		return -ENOENT;
	return dir->fs->lookup(t, dir, name, len, out);
}

/* Where a walk starts: the root for an absolute path, else dirfd's directory. */
static int walk_start(struct thread *t, int dirfd, const char *path, struct walk *w,
		      struct inode **start)
{
	if (path[0] == '/') {
		*start = vfs_root();
		if (w->path)
			kstrlcpy(w->path, "/", PATH_MAX);
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		*start = inode_get(t->proc->fs->cwd);
		if (w->path)
			kstrlcpy(w->path, t->proc->fs->cwd_path, PATH_MAX);
		return 0;
	}
	struct file *f = fd_get(t->proc->fds, dirfd);
	if (!f)
		return -EBADF;
	if (path[0] && !S_ISDIR(f->ino->mode))
		return -ENOTDIR;
	*start = inode_get(f->ino);
	if (w->path)
		kstrlcpy(w->path, f->path ? f->path : "/", PATH_MAX);
	return 0;
}

int vfs_walk(struct thread *t, int dirfd, const char *path, struct walk *w)
{
	if (!path[0] && !(w->flags & WALK_EMPTY))
		return -ENOENT;
	int waiting = root_wait(t);
	if (waiting)
		return waiting;
	char *buf = kpage_alloc();
	if (!buf)
		return -ENOMEM;
	kstrlcpy(buf, path, PATH_MAX);
	struct inode *cur;
	int err = walk_start(t, dirfd, buf, w, &cur);
	if (err) {
		kpage_free(buf);
		return err;
	}
	unsigned links = 0;
	size_t pos = 0, len = kstrlen(buf);
	w->name[0] = 0;
	w->trailing = false;
	while (!err) {
		while (buf[pos] == '/')
			pos++;
		if (pos >= len)
			break;
		size_t start = pos;
		while (pos < len && buf[pos] != '/')
			pos++;
		size_t clen = pos - start, next = pos;
		while (buf[next] == '/')
			next++;
		bool last = next >= len, slash = last && pos < len;
		const char *comp = buf + start;
		if (clen > NAME_MAX) {
			err = -ENAMETOOLONG;
			break;
		}
		if (last && (w->flags & WALK_PARENT)) {
			if (!S_ISDIR(cur->mode)) {
				err = -ENOTDIR;
				break;
			}
			kmemcpy(w->name, comp, clen);
			w->name[clen] = 0;
			w->trailing = slash;
			break;
		}
		if (clen == 1 && comp[0] == '.') {
			if (!S_ISDIR(cur->mode))
				err = -ENOTDIR;
			continue;
		}
		if (!S_ISDIR(cur->mode)) {
			err = -ENOTDIR;
			break;
		}
		struct inode *child;
		bool dotdot = clen == 2 && comp[0] == '.' && comp[1] == '.';
		err = dotdot ? parent_of(t, cur, &child) : lookup(t, cur, comp, clen, &child);
		if (err)
			break;
		bool follow = !last || (w->flags & WALK_FOLLOW) || slash;
		struct inode *target;
		bool jumped = false;
		if (S_ISLNK(child->mode) && follow && child->fs->follow &&
		    child->fs->follow(t, child, &target) == 0) {
			/* A node behind a magic link (/proc/PID/exe): where it is, the path goes on
			 * from the link's text when that is an absolute path, as Linux's d_path. */
			if (w->path)
				jumped = path_from_link(t, child, w->path);
			inode_put(child);
			child = target;
		} else if (S_ISLNK(child->mode) && follow) {
			if (++links > SYMLINK_MAX_FOLLOW) {
				inode_put(child);
				err = -ELOOP;
				break;
			}
			/* The rest of the path goes after the link's target, in a second page. */
			char *next_buf = kpage_alloc();
			long n = next_buf ? child->fs->readlink(t, child, next_buf, PATH_MAX) : -ENOMEM;
			inode_put(child);
			size_t rest = len - pos;
			if (n >= 0 && (size_t)n + rest + 1 > PATH_MAX)
				n = -ENAMETOOLONG;
			if (n == 0)
				n = -ENOENT;
			if (n < 0) {
				kpage_free(next_buf);
				err = (int)n;
				break;
			}
			kmemcpy(next_buf + n, buf + pos, rest);
			next_buf[n + rest] = 0;
			kpage_free(buf);
			buf = next_buf;
			len = (size_t)n + rest;
			pos = 0;
			if (buf[0] == '/') {
				inode_put(cur);
				cur = vfs_root();
				if (w->path)
					kstrlcpy(w->path, "/", PATH_MAX);
			}
			continue;
		}
		if (w->path && !jumped)
			path_step(w->path, comp, clen);
		inode_put(cur);
		cur = child;
	}
	kpage_free(buf);
	if (!err && (w->flags & WALK_DIR) && !(w->flags & WALK_PARENT) && !S_ISDIR(cur->mode))
		err = -ENOTDIR;
	if (!err && pos > 0 && !(w->flags & WALK_PARENT) && path[kstrlen(path) - 1] == '/' &&
	    !S_ISDIR(cur->mode))
		err = -ENOTDIR;
	if (err) {
		inode_put(cur);
		return err;
	}
	w->ino = cur;
	return 0;
}

int vfs_walk_user(struct thread *t, int dirfd, uint64_t upath, struct walk *w)
{
	char *path = kpage_alloc();
	if (!path)
		return -ENOMEM;
	int err = vfs_path_in(t, upath, path, w->flags & WALK_EMPTY);
	if (!err)
		err = vfs_walk(t, dirfd, path, w);
	kpage_free(path);
	return err;
}

long dirent_put(struct thread *t, uint64_t buf, uint64_t room, uint64_t ino, uint64_t off,
		unsigned mode, const char *name, size_t len)
{
	/* struct linux_dirent64: d_ino, d_off, d_reclen, d_type, then the name and its NUL. */
	enum { NAME_AT = __builtin_offsetof(struct linux_dirent64, d_name) };
	unsigned char rec[NAME_AT + NAME_MAX + 1 + 8];
	size_t reclen = (NAME_AT + len + 1 + 7) & ~(size_t)7;
	if (reclen > room)
		return -EINVAL;
	static const unsigned char types[16] = {
		[S_IFIFO >> 12] = DT_FIFO, [S_IFCHR >> 12] = DT_CHR, [S_IFDIR >> 12] = DT_DIR,
		[S_IFBLK >> 12] = DT_BLK,  [S_IFREG >> 12] = DT_REG, [S_IFLNK >> 12] = DT_LNK,
		[S_IFSOCK >> 12] = DT_SOCK};
	long long d_off = (long long)off;
	unsigned short d_reclen = (unsigned short)reclen;
	kmemset(rec, 0, reclen);
	kmemcpy(rec + __builtin_offsetof(struct linux_dirent64, d_ino), &ino, sizeof(ino));
	kmemcpy(rec + __builtin_offsetof(struct linux_dirent64, d_off), &d_off, sizeof(d_off));
	kmemcpy(rec + __builtin_offsetof(struct linux_dirent64, d_reclen), &d_reclen,
		sizeof(d_reclen));
	rec[__builtin_offsetof(struct linux_dirent64, d_type)] = types[(mode & S_IFMT) >> 12];
	kmemcpy(rec + NAME_AT, name, len);
	if (copy_out(t->proc->mm, buf, rec, reclen))
		return -EFAULT;
	return (long)reclen;
}
