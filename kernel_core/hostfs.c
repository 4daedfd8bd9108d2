/*
 * The platform's files (the sim's --root directory) where the filesystem has nothing: an
 * absolute path open() does not find is looked up there, read-only, as qemu-x86_64's -L
 * prefix is. A file is read whole when opened and freed with its last descriptor.
 */
#include <kernel/elf.h>
#include <kernel/files.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

struct host_file {
	struct file_ref ref;
	unsigned mode;
};

static int host_getattr(struct thread *t, struct inode *ino, struct vfs_attr *a)
{
	(void)t;
	const struct host_file *h = ino->obj;
	a->ino = ino->ino;
	a->mode = h->mode;
	a->nlink = 1;
	a->size = h->ref.len;
	a->blocks = (h->ref.len + 511) / 512;
	a->blksize = PAGE_SIZE;
	return 0;
}

static void host_release(struct inode *ino)
{
	struct host_file *h = ino->obj;
	file_close(&h->ref);
	kfree(h);
}

static const struct fs_type hostfs_type = {
	.name = "hostfs",
	.getattr = host_getattr,
	.release = host_release,
};

static long host_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	const struct host_file *h = f->ino->obj;
	if (off >= h->ref.len)
		return 0;
	uint64_t n = MIN(len, h->ref.len - off);
	if (copy_out(t->proc->mm, buf, (const char *)h->ref.data + off, n))
		return -EFAULT;
	return (long)n;
}

static const struct file_ops host_ops = {.read = host_read, .seekable = true};

int hostfs_open(const char *path, unsigned flags, struct file **out)
{
	if (path[0] != '/')
		return -ENOENT;
	struct host_file *h = kmalloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	int err = file_open_platform(path, &h->ref);
	if (err) {
		kfree(h);
		return err;
	}
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_DIRECTORY))) {
		file_close(&h->ref);
		kfree(h);
		return flags & O_DIRECTORY ? -ENOTDIR : -EROFS;
	}
	h->mode = S_IFREG | (h->ref.executable ? 0555 : 0444);
	struct inode *ino = inode_new(&hostfs_type, NULL, h->ref.id, h->mode);
	if (!ino) {
		file_close(&h->ref);
		kfree(h);
		return -ENOMEM;
	}
	ino->obj = h;
	*out = file_alloc(ino, &host_ops, flags);
	return *out ? 0 : -ENOMEM;
}

/* A program the platform gave in its own memory (eclipse-sim PROGRAM): a file without a path,
 * for /proc/self/exe, which stays valid while the kernel runs. */
struct mem_file {
	const void *data;
	size_t len;
};

static int mem_getattr(struct thread *t, struct inode *ino, struct vfs_attr *a)
{
	(void)t;
	const struct mem_file *m = ino->obj;
	a->ino = ino->ino;
	a->mode = S_IFREG | 0755;
	a->nlink = 1;
	a->size = m->len;
	a->blocks = (m->len + 511) / 512;
	a->blksize = PAGE_SIZE;
	return 0;
}

static long mem_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	const struct mem_file *m = f->ino->obj;
	if (off >= m->len)
		return 0;
	uint64_t n = MIN(len, m->len - off);
	if (copy_out(t->proc->mm, buf, (const char *)m->data + off, n))
		return -EFAULT;
	return (long)n;
}

static const struct file_ops mem_ops = {.read = mem_read, .seekable = true};

static int mem_open(struct thread *t, struct inode *ino, struct file *f)
{
	(void)t, (void)ino;
	if ((f->flags & O_ACCMODE) != O_RDONLY || (f->flags & O_TRUNC))
		return -EROFS;
	f->ops = &mem_ops;
	return 0;
}

static int mem_load(struct thread *t, struct inode *ino, struct elf_source *src)
{
	(void)t;
	const struct mem_file *m = ino->obj;
	*src = (struct elf_source){.mem = m->data, .len = m->len};
	return 0;
}

static void mem_release(struct inode *ino)
{
	kfree(ino->obj);
}

static const struct fs_type memfs_type = {
	.name = "memfs",
	.getattr = mem_getattr,
	.open = mem_open,
	.load = mem_load,
	.release = mem_release,
};

struct inode *memfs_node(const void *data, size_t len)
{
	static uint64_t next_ino = 1;
	struct mem_file *m = kmalloc(sizeof(*m));
	struct inode *ino = m ? inode_new(&memfs_type, NULL, next_ino++, S_IFREG | 0755) : NULL;
	if (!ino) {
		kfree(m);
		return NULL;
	}
	*m = (struct mem_file){data, len};
	ino->obj = m;
	return ino;
}
