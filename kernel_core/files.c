/* Looking up programs by path: the boot image (cpio), then the platform's files. */
#include <kernel/cpio.h>
#include <kernel/files.h>
#include <kernel/plat.h>
#include <uapi/linux.h>

int file_open(const char *path, struct file_ref *f)
{
	size_t len;
	const void *image = plat_boot_image(&len);
	struct cpio_entry e;
	*f = (struct file_ref){NULL, 0, false, 0, false};
	if (image && cpio_find(image, len, path, &e) == 0) {
		if ((e.mode & S_IFMT) != S_IFREG)
			return -EACCES;
		/* Boot-image files never change: their place in the image identifies them. */
		*f = (struct file_ref){e.data, e.size, false,
				       (uint64_t)((const char *)e.data - (const char *)image) + 1,
				       (e.mode & 0111) != 0};
		return 0;
	}
	return file_open_platform(path, f);
}

int file_open_platform(const char *path, struct file_ref *f)
{
	*f = (struct file_ref){NULL, 0, false, 0, false};
	unsigned mode = 0;
	int err = plat_file_open(path, &f->data, &f->len, &f->id, &mode);
	if (!err) {
		f->id |= 1ull << 63; /* apart from boot-image ids */
		f->executable = (mode & 0111) != 0;
	}
	f->platform = err == 0;
	return err;
}

void file_close(struct file_ref *f)
{
	if (f->platform)
		plat_file_close(f->data, f->len);
	*f = (struct file_ref){NULL, 0, false, 0, false};
}
