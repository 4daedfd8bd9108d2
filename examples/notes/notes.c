/*
 * notes [LINE...]: appends each LINE to /tmp/notes, lists /tmp, and prints /tmp/notes and
 * /etc/status. Ordinary POSIX file calls: the kernel sends them to the filesystem service, which
 * serves "/" (on a booted system init starts it; for a program run alone, eclipse-sim does).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOTES "/tmp/notes"

/* Writes the file at path to stdout; returns 0, or -1 with errno. */
static int show(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	printf("--- %s\n", path);
	char buf[512];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stdout);
	int err = ferror(f) ? errno : 0;
	fclose(f);
	errno = err;
	return err ? -1 : 0;
}

/* Lists dir: mode, size and name of each entry. */
static int list(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	printf("notes: %s holds:\n", dir);
	for (struct dirent *e; (e = readdir(d));) {
		char path[512];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.' && lstat(path, &st) == 0)
			printf("  %04o %6lld  %s\n", (unsigned)(st.st_mode & 07777), (long long)st.st_size,
			       e->d_name);
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	int fd = open(NOTES, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	for (int i = 1; fd >= 0 && i < argc; i++)
		if (dprintf(fd, "%s\n", argv[i]) < 0)
			break;
	if (fd < 0 || close(fd) < 0) {
		fprintf(stderr, "notes: cannot write %s: %s\n", NOTES, strerror(errno));
		return 1;
	}
	if (list("/tmp") < 0 || show(NOTES) < 0 || show("/etc/status") < 0) {
		fprintf(stderr, "notes: cannot read: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
