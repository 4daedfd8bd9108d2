/*
 * The boot image as a read-only filesystem: the cpio archive is indexed once at boot (a node
 * per entry, directories made up for paths whose parents the archive does not list), names are
 * found through a hash of their full paths, and file data is read in place.
 */
#include <kernel/cpio.h>
#include <kernel/elf.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

struct bent {
	const char *name; /* the full path without a leading '/', not terminated */
	uint32_t name_len;
	uint32_t parent;  /* index of the directory holding it */
	uint32_t mode;
	uint32_t hnext;   /* next index in the same hash bucket, or NONE */
	const void *data;
	uint64_t size;
	uint32_t mtime;
};

#define PER_CHUNK (PAGE_SIZE / sizeof(struct bent))
#define MAX_CHUNKS 256
#define BUCKETS (PAGE_SIZE / sizeof(uint32_t))
#define NONE 0xffffffffu
#define ROOT 0u

static struct {
	struct bent *chunk[MAX_CHUNKS];
	uint32_t *bucket;
	uint32_t count;
	const void *image; /* the image indexed, and its length */
	size_t len;
} idx;

static struct bent *ent(uint32_t i)
{
	return &idx.chunk[i / PER_CHUNK][i % PER_CHUNK];
}

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h % BUCKETS;
}

/* The index of the entry with the full path name (n bytes), or NONE. */
static uint32_t find(const char *name, size_t n)
{
	if (n == 0)
		return ROOT;
	for (uint32_t i = idx.bucket[hash(name, n)]; i != NONE; i = ent(i)->hnext) {
		struct bent *e = ent(i);
		if (e->name_len == n && !kmemcmp(e->name, name, n))
			return i;
	}
	return NONE;
}

/* A new entry; NONE when memory or the index ran out. */
static uint32_t add(const char *name, size_t n, uint32_t mode, const void *data, uint64_t size,
		    uint32_t mtime)
{
	uint32_t i = idx.count;
	if (i / PER_CHUNK >= MAX_CHUNKS)
		return NONE;
	if (!idx.chunk[i / PER_CHUNK] && !(idx.chunk[i / PER_CHUNK] = kpage_alloc()))
		return NONE;
	idx.count++;
	*ent(i) = (struct bent){name, (uint32_t)n, ROOT, mode, NONE, data, size, mtime};
	if (n) {
		uint32_t b = hash(name, n);
		ent(i)->hnext = idx.bucket[b];
		idx.bucket[b] = i;
	}
	return i;
}

/* The directory entry for name (n bytes), made up (with its parents) when missing. */
static uint32_t dir_of(const char *name, size_t n)
{
	uint32_t i = find(name, n);
	if (i != NONE)
		return i;
	size_t cut = n;
	while (cut > 0 && name[cut - 1] != '/')
		cut--;
	uint32_t parent = dir_of(name, cut ? cut - 1 : 0);
	if (parent == NONE)
		return NONE;
	i = add(name, n, S_IFDIR | 0755, NULL, 0, 0);
	if (i != NONE)
		ent(i)->parent = parent;
	return i;
}

static void index_free(void)
{
	for (unsigned i = 0; i < MAX_CHUNKS; i++)
		kpage_free(idx.chunk[i]);
	kpage_free(idx.bucket);
	kmemset(&idx, 0, sizeof(idx));
}

/* Indexes the platform's boot image, again when it changed (a test gives a new one). */
static int index_image(void)
{
	size_t len;
	const void *image = plat_boot_image(&len);
	if (idx.bucket && image == idx.image && len == idx.len)
		return 0;
	index_free();
	idx.image = image;
	idx.len = len;
	if (!(idx.bucket = kpage_alloc()))
		return -ENOMEM;
	kmemset(idx.bucket, 0xff, PAGE_SIZE);
	if (add("", 0, S_IFDIR | 0755, NULL, 0, 0) == NONE)
		return -ENOMEM;
	size_t off = 0;
	struct cpio_entry e;
	while (image && cpio_next(image, len, &off, &e) == CPIO_ENTRY) {
		size_t n = kstrlen(e.name);
		while (n && e.name[n - 1] == '/')
			n--;
		if (n == 0 || (n == 1 && e.name[0] == '.'))
			continue; /* the root itself */
		unsigned type = e.mode & S_IFMT;
		if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK)
			continue; /* devices and the like are not served from the image */
		uint32_t i = find(e.name, n);
		if (i != NONE && S_ISDIR(ent(i)->mode) && type == S_IFDIR) {
			ent(i)->mode = e.mode; /* a directory made up earlier, now listed */
			ent(i)->mtime = e.mtime;
			continue;
		}
		if (i != NONE)
			continue; /* the first of two entries of the same path wins */
		size_t cut = n;
		while (cut > 0 && e.name[cut - 1] != '/')
			cut--;
		uint32_t parent = dir_of(e.name, cut ? cut - 1 : 0);
		if (parent == NONE || !S_ISDIR(ent(parent)->mode) ||
		    (i = add(e.name, n, e.mode, e.data, e.size, e.mtime)) == NONE)
			continue;
		ent(i)->parent = parent;
	}
	return 0;
}

int bootfs_init(struct inode **root)
{
	kmemset(&idx, 0, sizeof(idx));
	int err = index_image();
	if (err)
		return err;
	return bootfs_root(root);
}

int bootfs_root(struct inode **root)
{
	*root = inode_new(&bootfs_type, NULL, ROOT + 1, S_IFDIR | 0755);
	return *root ? 0 : -ENOMEM;
}

void bootfs_fini(void)
{
	index_free();
}

/* Inode numbers are entry indices + 1. */
static struct bent *of(const struct inode *ino)
{
	return ent((uint32_t)ino->ino - 1);
}

static struct inode *node(struct mount *mnt, uint32_t i)
{
	return inode_new(&bootfs_type, mnt, i + 1ull, ent(i)->mode);
}

static int bootfs_lookup(struct thread *t, struct inode *dir, const char *name, size_t len,
			 struct inode **out)
{
	(void)t;
	if (index_image())
		return -ENOMEM;
	struct bent *d = of(dir);
	if (dir->ino > idx.count)
		return -ENOENT; /* a node of an image that was replaced */
	if (d->name_len + 1 + len >= PATH_MAX)
		return -ENAMETOOLONG;
	char *path = kpage_alloc();
	if (!path)
		return -ENOMEM;
	size_t n = 0;
	if (d->name_len) {
		kmemcpy(path, d->name, d->name_len);
		path[d->name_len] = '/';
		n = d->name_len + 1;
	}
	kmemcpy(path + n, name, len);
	uint32_t i = find(path, n + len);
	kpage_free(path);
	if (i == NONE)
		return -ENOENT;
	*out = node(dir->mnt, i);
	return *out ? 0 : -ENOMEM;
}

static int bootfs_parent(struct thread *t, struct inode *dir, struct inode **out)
{
	(void)t;
	*out = node(dir->mnt, of(dir)->parent);
	return *out ? 0 : -ENOMEM;
}

static int bootfs_getattr(struct thread *t, struct inode *ino, struct vfs_attr *a)
{
	(void)t;
	if (index_image() || ino->ino > idx.count)
		return -ENOENT;
	struct bent *e = of(ino);
	a->ino = ino->ino;
	a->mode = e->mode;
	a->nlink = S_ISDIR(e->mode) ? 2 : 1;
	a->size = S_ISDIR(e->mode) ? 0 : e->size;
	a->blocks = (a->size + 511) / 512;
	a->blksize = PAGE_SIZE;
	a->atime_ns = a->mtime_ns = a->ctime_ns = (long long)e->mtime * 1000000000ll;
	return 0;
}

static long bootfs_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	struct bent *e = of(f->ino);
	if (off >= e->size)
		return 0;
	uint64_t n = MIN(len, e->size - off);
	if (copy_out(t->proc->mm, buf, (const char *)e->data + off, n))
		return -EFAULT;
	return (long)n;
}

/* Directory records: "." and "..", then the entries whose parent is the directory; the offset
 * is the index to look from next (2 and up: entries). In the root directory, while it is "/",
 * the mount points the image has no entry for come last (offset 2 + count + mount slot). */
static long bootfs_readdir(struct thread *t, struct file *f, uint64_t buf, uint64_t len)
{
	if (index_image() || f->ino->ino > idx.count)
		return -ENOENT;
	uint32_t self = (uint32_t)f->ino->ino - 1;
	bool is_root = inode_same(f->ino, vfs_root_mount()->root);
	uint64_t done = 0, end = 2ull + idx.count + (is_root ? MOUNT_MAX : 0);
	while (f->offset < end) {
		uint64_t pos = f->offset;
		if (pos >= 2ull + idx.count) {
			struct mount *m = vfs_mount_point((unsigned)(pos - 2 - idx.count));
			size_t n = m ? kstrlen(m->name) : 0;
			struct inode *shadowed = NULL;
			if (!m || !bootfs_lookup(t, f->ino, m->name, n, &shadowed)) {
				inode_put(shadowed); /* an entry of the image's lists it already */
				f->offset++;
				continue;
			}
			long r = dirent_put(t, buf + done, len - done, m->root->ino, pos + 1,
					    m->root->mode, m->name, n);
			if (r == -EINVAL && done)
				break;
			if (r < 0)
				return r;
			done += (uint64_t)r;
			f->offset++;
			continue;
		}
		uint32_t i = pos < 2 ? (pos == 0 ? self : ent(self)->parent) : (uint32_t)(pos - 2);
		const char *name;
		size_t n;
		if (pos < 2) {
			name = pos == 0 ? "." : "..";
			n = pos + 1;
		} else {
			struct bent *e = ent(i);
			if (i == ROOT || e->parent != self) {
				f->offset++;
				continue;
			}
			size_t cut = e->name_len;
			while (cut > 0 && e->name[cut - 1] != '/')
				cut--;
			name = e->name + cut;
			n = e->name_len - cut;
		}
		long r = dirent_put(t, buf + done, len - done, i + 1ull, pos + 1, ent(i)->mode, name, n);
		if (r == -EINVAL && done)
			break; /* no room for this one: the next call gets it */
		if (r < 0)
			return r;
		done += (uint64_t)r;
		f->offset++;
	}
	return (long)done;
}

static const struct file_ops file_ops = {.read = bootfs_read, .seekable = true};
static const struct file_ops dir_ops = {.readdir = bootfs_readdir, .seekable = true};

static int bootfs_open(struct thread *t, struct inode *ino, struct file *f)
{
	(void)t;
	if ((f->flags & O_ACCMODE) != O_RDONLY || (f->flags & O_TRUNC))
		return -EROFS;
	f->ops = S_ISDIR(ino->mode) ? &dir_ops : &file_ops;
	return 0;
}

static long bootfs_readlink(struct thread *t, struct inode *ino, char *buf, size_t size)
{
	(void)t;
	struct bent *e = of(ino);
	if (!S_ISLNK(e->mode))
		return -EINVAL;
	size_t n = (size_t)MIN(e->size, size);
	kmemcpy(buf, e->data, n);
	return (long)n;
}

static int bootfs_statfs(struct thread *t, struct inode *ino, struct vfs_statfs *s)
{
	(void)t, (void)ino;
	size_t len;
	plat_boot_image(&len);
	*s = (struct vfs_statfs){RAMFS_MAGIC, PAGE_SIZE, (len + PAGE_SIZE - 1) / PAGE_SIZE, 0,
				 idx.count, 0, NAME_MAX};
	return 0;
}

static int bootfs_load(struct thread *t, struct inode *ino, struct elf_source *src)
{
	(void)t;
	struct bent *e = of(ino);
	/* Boot-image files never change: their place in the image identifies them. */
	*src = (struct elf_source){.mem = e->data, .len = e->size,
				   .cache_id = (uint64_t)((const char *)e->data - (const char *)idx.image) + 1};
	return 0;
}

const struct fs_type bootfs_type = {
	.name = "initramfs",
	.magic = RAMFS_MAGIC,
	.lookup = bootfs_lookup,
	.parent = bootfs_parent,
	.getattr = bootfs_getattr,
	.open = bootfs_open,
	.readlink = bootfs_readlink,
	.statfs = bootfs_statfs,
	.load = bootfs_load,
};
