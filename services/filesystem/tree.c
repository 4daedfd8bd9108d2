/* The in-memory tree: a table of nodes; directories hold arrays of (name, node) entries. */
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define NODES_MAX 65536
#define NS 1000000000ll

struct entry {
	char *name;
	uint64_t node;
};

struct node {
	bool used;
	uint32_t gen;
	unsigned mode, uid, gid, nlink, opens;
	long long atime, mtime, ctime;
	uint64_t parent;       /* directories: the one holding them (the root: itself) */
	unsigned char *data;   /* a file's bytes, a link's target */
	size_t size, cap;
	struct entry *entries; /* a directory's */
	size_t nentries, entries_cap;
};

static struct {
	struct node *nodes; /* nodes[0] unused: node numbers start at 1 */
	size_t count, cap, used;
	size_t bytes, bytes_max;
	uint32_t next_gen;
} t;

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

static struct node *at(uint64_t n)
{
	return &t.nodes[n];
}

static bool is_dir(uint64_t n)
{
	return S_ISDIR(at(n)->mode);
}

/* A fresh node of mode: its number, or 0 when the table is full. */
static uint64_t node_new(unsigned mode)
{
	uint64_t n = 0;
	for (size_t i = 1; i < t.count; i++)
		if (!t.nodes[i].used) {
			n = i;
			break;
		}
	if (!n) {
		if (t.count >= NODES_MAX)
			return 0;
		if (t.count >= t.cap) {
			size_t cap = t.cap ? 2 * t.cap : 256;
			struct node *grown = realloc(t.nodes, cap * sizeof(*grown));
			if (!grown)
				return 0;
			t.nodes = grown;
			t.cap = cap;
		}
		n = t.count++;
	}
	long long now = now_ns();
	t.nodes[n] = (struct node){.used = true, .gen = ++t.next_gen, .mode = mode, .nlink = 1,
				   .atime = now, .mtime = now, .ctime = now};
	t.used++;
	return n;
}

static void node_free(uint64_t n)
{
	struct node *x = at(n);
	t.bytes -= x->cap;
	free(x->data);
	for (size_t i = 0; i < x->nentries; i++)
		free(x->entries[i].name);
	free(x->entries);
	*x = (struct node){.gen = x->gen};
	t.used--;
}

/* A node lost a name or a reference: it goes when it has neither. */
static void maybe_free(uint64_t n)
{
	struct node *x = at(n);
	bool linked = S_ISDIR(x->mode) ? x->nlink > 0 : x->nlink > 0;
	if (!linked && !x->opens)
		node_free(n);
}

int tree_init(size_t bytes_max)
{
	for (size_t i = 1; i < t.count; i++)
		if (t.nodes[i].used)
			node_free(i);
	free(t.nodes);
	memset(&t, 0, sizeof(t));
	t.bytes_max = bytes_max;
	t.count = 1;
	uint64_t root = node_new(S_IFDIR | 0755);
	if (root != VFS_ROOT_NODE)
		return -ENOMEM;
	at(root)->nlink = 2;
	at(root)->parent = root;
	return 0;
}

int tree_check(uint64_t node, uint64_t gen)
{
	if (node == 0 || node >= t.count || !t.nodes[node].used)
		return -ESTALE;
	/* The root is node 1 for every kernel, whatever its generation. */
	if (node != VFS_ROOT_NODE && gen != t.nodes[node].gen)
		return -ESTALE;
	return 0;
}

void tree_attr(uint64_t node, struct vfs_attr *a)
{
	const struct node *x = at(node);
	*a = (struct vfs_attr){
		.ino = node, .gen = x->gen, .size = S_ISDIR(x->mode) ? 4096 : x->size,
		.blocks = (x->cap + 511) / 512, .atime_ns = x->atime, .mtime_ns = x->mtime,
		.ctime_ns = x->ctime, .mode = x->mode, .nlink = x->nlink, .uid = x->uid,
		.gid = x->gid, .blksize = 4096};
}

static struct entry *find(uint64_t dir, const char *name, size_t *index)
{
	struct node *d = at(dir);
	for (size_t i = 0; i < d->nentries; i++)
		if (!strcmp(d->entries[i].name, name)) {
			if (index)
				*index = i;
			return &d->entries[i];
		}
	return NULL;
}

long tree_lookup(uint64_t dir, const char *name, uint64_t *node)
{
	if (!is_dir(dir))
		return -ENOTDIR;
	if (!strcmp(name, ".")) {
		*node = dir;
		return 0;
	}
	if (!strcmp(name, "..")) {
		*node = at(dir)->parent;
		return 0;
	}
	struct entry *e = find(dir, name, NULL);
	if (!e)
		return -ENOENT;
	*node = e->node;
	return 0;
}

static void touch(uint64_t n, bool modified)
{
	long long now = now_ns();
	at(n)->ctime = now;
	if (modified)
		at(n)->mtime = now;
}

static long add_entry(uint64_t dir, const char *name, uint64_t node)
{
	struct node *d = at(dir);
	if (strlen(name) > 255)
		return -ENAMETOOLONG;
	if (d->nentries == d->entries_cap) {
		size_t cap = d->entries_cap ? 2 * d->entries_cap : 8;
		struct entry *grown = realloc(d->entries, cap * sizeof(*grown));
		if (!grown)
			return -ENOSPC;
		d->entries = grown;
		d->entries_cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return -ENOSPC;
	d->entries[d->nentries++] = (struct entry){copy, node};
	if (is_dir(node)) {
		d->nlink++;
		at(node)->parent = dir;
	}
	touch(dir, true);
	return 0;
}

static void remove_entry(uint64_t dir, size_t index)
{
	struct node *d = at(dir);
	uint64_t node = d->entries[index].node;
	free(d->entries[index].name);
	d->entries[index] = d->entries[--d->nentries];
	if (is_dir(node))
		d->nlink--;
	touch(dir, true);
}

long tree_create(uint64_t dir, const char *name, unsigned mode, const char *target, uint64_t *node)
{
	if (!is_dir(dir))
		return -ENOTDIR;
	if (find(dir, name, NULL))
		return -EEXIST;
	size_t tlen = target ? strlen(target) : 0;
	if (t.bytes + tlen + 1 > t.bytes_max)
		return -ENOSPC;
	uint64_t n = node_new(mode);
	if (!n)
		return -ENOSPC;
	if (S_ISDIR(mode))
		at(n)->nlink = 2;
	if (target) {
		at(n)->data = (unsigned char *)strdup(target);
		if (!at(n)->data) {
			node_free(n);
			return -ENOSPC;
		}
		at(n)->size = tlen;
		at(n)->cap = tlen + 1;
		t.bytes += tlen + 1;
	}
	long err = add_entry(dir, name, n);
	if (err) {
		node_free(n);
		return err;
	}
	*node = n;
	return 0;
}

long tree_link(uint64_t dir, const char *name, uint64_t node)
{
	if (!is_dir(dir))
		return -ENOTDIR;
	if (is_dir(node))
		return -EPERM;
	if (find(dir, name, NULL))
		return -EEXIST;
	long err = add_entry(dir, name, node);
	if (!err) {
		at(node)->nlink++;
		touch(node, false);
	}
	return err;
}

long tree_unlink(uint64_t dir, const char *name, bool want_dir)
{
	if (!is_dir(dir))
		return -ENOTDIR;
	size_t i;
	struct entry *e = find(dir, name, &i);
	if (!e)
		return -ENOENT;
	uint64_t n = e->node;
	if (want_dir && !is_dir(n))
		return -ENOTDIR;
	if (!want_dir && is_dir(n))
		return -EISDIR;
	if (want_dir && at(n)->nentries)
		return -ENOTEMPTY;
	remove_entry(dir, i);
	at(n)->nlink = want_dir ? 0 : at(n)->nlink - 1;
	touch(n, false);
	maybe_free(n);
	return 0;
}

/* Is a inside the tree of directory b (or b itself)? */
static bool within(uint64_t a, uint64_t b)
{
	for (uint64_t n = a;; n = at(n)->parent) {
		if (n == b)
			return true;
		if (n == VFS_ROOT_NODE)
			return false;
	}
}

long tree_rename(uint64_t dir, const char *name, uint64_t dir2, const char *name2, unsigned flags)
{
	if (!is_dir(dir) || !is_dir(dir2))
		return -ENOTDIR;
	size_t si = 0, di = 0;
	struct entry *src = find(dir, name, &si), *dst = find(dir2, name2, &di);
	if (!src)
		return -ENOENT;
	uint64_t s = src->node;
	if ((flags & VFS_RENAME_EXCHANGE) && !dst)
		return -ENOENT;
	if (dst && (flags & VFS_RENAME_NOREPLACE))
		return -EEXIST;
	if (is_dir(s) && within(dir2, s))
		return -EINVAL; /* into its own tree */
	if (dst && (flags & VFS_RENAME_EXCHANGE)) {
		uint64_t d = dst->node;
		if (is_dir(d) && within(dir, d))
			return -EINVAL;
		src->node = d;
		dst->node = s;
		if (is_dir(s) != is_dir(d)) {
			at(dir)->nlink += is_dir(d) ? 1 : -1;
			at(dir2)->nlink += is_dir(s) ? 1 : -1;
		}
		if (is_dir(d))
			at(d)->parent = dir;
		if (is_dir(s))
			at(s)->parent = dir2;
		touch(dir, true);
		touch(dir2, true);
		return 0;
	}
	if (dst) {
		uint64_t d = dst->node;
		if (d == s)
			return 0; /* two names of one file: nothing to do */
		if (is_dir(s) && !is_dir(d))
			return -ENOTDIR;
		if (!is_dir(s) && is_dir(d))
			return -EISDIR;
		if (is_dir(d) && at(d)->nentries)
			return -ENOTEMPTY;
	}
	char *copy = strdup(name2);
	if (!copy)
		return -ENOSPC;
	if (dst) {
		uint64_t d = dst->node;
		remove_entry(dir2, di);
		at(d)->nlink = is_dir(d) ? 0 : at(d)->nlink - 1;
		maybe_free(d);
		if (dir == dir2 && si == at(dir)->nentries)
			si = di; /* remove_entry moved the last entry, ours, into the hole */
	}
	remove_entry(dir, si);
	long err = add_entry(dir2, copy, s);
	free(copy);
	touch(s, false);
	return err;
}

long tree_setattr(uint64_t node, unsigned what, const struct vfs_attr *a)
{
	struct node *x = at(node);
	if (what & VFS_SET_SIZE) {
		if (!S_ISREG(x->mode))
			return is_dir(node) ? -EISDIR : -EINVAL;
		if (a->size > x->cap) {
			if (t.bytes - x->cap + a->size > t.bytes_max)
				return -EFBIG;
			unsigned char *grown = realloc(x->data, a->size);
			if (!grown)
				return -ENOSPC;
			t.bytes += a->size - x->cap;
			x->data = grown;
			x->cap = a->size;
		}
		if (a->size > x->size)
			memset(x->data + x->size, 0, a->size - x->size);
		x->size = a->size;
		touch(node, true);
	}
	if (what & VFS_SET_MODE)
		x->mode = (x->mode & S_IFMT) | (a->mode & 07777);
	if (what & VFS_SET_UID)
		x->uid = a->uid;
	if (what & VFS_SET_GID)
		x->gid = a->gid;
	if (what & VFS_SET_ATIME)
		x->atime = a->atime_ns;
	if (what & VFS_SET_MTIME)
		x->mtime = a->mtime_ns;
	if (what)
		x->ctime = now_ns();
	return 0;
}

size_t tree_read(uint64_t node, uint64_t off, uint64_t len, const unsigned char **data)
{
	struct node *x = at(node);
	x->atime = now_ns();
	if (off >= x->size)
		return 0;
	*data = x->data + off;
	return len < x->size - off ? len : x->size - off;
}

long tree_write_room(uint64_t node, uint64_t off, uint64_t len, bool append, unsigned char **dst,
		     uint64_t *where)
{
	struct node *x = at(node);
	if (!S_ISREG(x->mode))
		return -EINVAL;
	if (append)
		off = x->size;
	if (off + len < off)
		return -EFBIG;
	uint64_t end = off + len;
	if (end > x->cap) {
		size_t cap = x->cap ? x->cap : 64;
		while (cap < end)
			cap *= 2;
		if (t.bytes - x->cap + cap > t.bytes_max) {
			cap = end; /* no slack when space is short */
			if (t.bytes - x->cap + cap > t.bytes_max)
				return -ENOSPC;
		}
		unsigned char *grown = realloc(x->data, cap);
		if (!grown)
			return -ENOSPC;
		t.bytes += cap - x->cap;
		x->data = grown;
		x->cap = cap;
	}
	if (off > x->size)
		memset(x->data + x->size, 0, off - x->size); /* a hole reads as zeros */
	*dst = x->data + off;
	*where = off;
	return 0;
}

void tree_written(uint64_t node, uint64_t where, uint64_t len)
{
	struct node *x = at(node);
	if (where + len > x->size)
		x->size = where + len;
	touch(node, true);
}

const char *tree_target(uint64_t node)
{
	struct node *x = at(node);
	return S_ISLNK(x->mode) && x->data ? (const char *)x->data : NULL;
}

uint64_t tree_list(uint64_t dir, uint64_t cookie,
		   bool (*put)(const char *name, uint64_t node, unsigned mode, uint64_t next, void *arg),
		   void *arg)
{
	struct node *d = at(dir);
	d->atime = now_ns();
	/* Cookies: 0 ".", 1 "..", 2 + i the i-th entry. */
	while (cookie < 2 + d->nentries) {
		const char *name = cookie == 0 ? "." : cookie == 1 ? ".." : d->entries[cookie - 2].name;
		uint64_t n = cookie == 0 ? dir : cookie == 1 ? d->parent : d->entries[cookie - 2].node;
		if (!put(name, n, at(n)->mode, cookie + 1, arg))
			break;
		cookie++;
	}
	return cookie;
}

void tree_open(uint64_t node)
{
	at(node)->opens++;
}

void tree_close(uint64_t node)
{
	struct node *x = at(node);
	if (x->opens)
		x->opens--;
	maybe_free(node);
}

void tree_usage(size_t *nodes, size_t *nodes_max, size_t *bytes, size_t *bytes_max)
{
	*nodes = t.used;
	*nodes_max = NODES_MAX;
	*bytes = t.bytes;
	*bytes_max = t.bytes_max;
}
