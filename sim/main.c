/* eclipse-sim: runs Eclipse OS, and a static x86_64 ELF program as its first process. */
#include "sim.h"

#include <errno.h>
#include <getopt.h>
#include <kernel/elf.h>
#include <kernel/kernel.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

#define EXIT_USAGE 2
#define EXIT_RUNTIME 1
#define PROGRAM_MAX (1ull << 30)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: eclipse-sim [OPTIONS] PROGRAM [ARGS...]\n"
		"Run the Eclipse OS kernel on an emulated x86_64 CPU, with the static x86_64 ELF\n"
		"PROGRAM as process 1. Its standard output and error are the simulator's; the\n"
		"simulator exits with its exit code, or 128+N when signal N killed it. The\n"
		"simulator's environment is the program's.\n"
		"\n"
		"Options:\n"
		"  --mem=SIZE        guest RAM, with an optional K, M or G suffix (default 256M)\n"
		"  --quantum=BLOCKS  time slice in executed translation blocks (default %llu)\n"
		"  --clock=KIND      'virtual' (default): deterministic time that advances with\n"
		"                    execution; 'host': the host's real time\n"
		"  --trace=LIST      comma-separated: syscall (strace-style lines on stderr),\n"
		"                    sched, all, none\n"
		"  --max-procs=N     process limit (default %d, at most %d)\n"
		"  --root=DIR        execve looks for paths under DIR on the host (like\n"
		"                    qemu-x86_64's -L)\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n",
		(unsigned long long)SIM_QUANTUM_DEFAULT, PROC_LIMIT_DEFAULT, PROC_LIMIT_MAX);
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "eclipse-sim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'eclipse-sim --help' for more information.\n");
	exit(EXIT_USAGE);
}

static bool parse_u64(const char *s, uint64_t *out, bool size_suffix)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	unsigned shift = 0;
	if (size_suffix && *end) {
		const char *suffixes = "KMG";
		const char *at = strchr(suffixes, *end & ~0x20);
		if (!at || end[1])
			return false;
		shift = 10 * (unsigned)(at - suffixes + 1);
		end++;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = v << shift;
	return true;
}

static unsigned parse_trace(const char *list)
{
	unsigned mask = 0;
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		usage_error("%s", "out of memory");
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "syscall"))
			mask |= TRACE_SYSCALL;
		else if (!strcmp(w, "sched"))
			mask |= TRACE_SCHED;
		else if (!strcmp(w, "all"))
			mask |= TRACE_SYSCALL | TRACE_SCHED;
		else if (strcmp(w, "none")) {
			fprintf(stderr, "eclipse-sim: unknown trace category '%s' (expected syscall, sched, all or none)\n", w);
			free(copy);
			exit(EXIT_USAGE);
		}
	}
	free(copy);
	return mask;
}

static int parse_args(int argc, char **argv, struct sim_options *opt)
{
	enum { OPT_MEM = 256, OPT_QUANTUM, OPT_CLOCK, OPT_TRACE, OPT_MAX_PROCS, OPT_ROOT };
	static const struct option longopts[] = {
		{"mem", required_argument, NULL, OPT_MEM},
		{"quantum", required_argument, NULL, OPT_QUANTUM},
		{"clock", required_argument, NULL, OPT_CLOCK},
		{"trace", required_argument, NULL, OPT_TRACE},
		{"max-procs", required_argument, NULL, OPT_MAX_PROCS},
		{"root", required_argument, NULL, OPT_ROOT},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	*opt = (struct sim_options){SIM_MEM_DEFAULT, SIM_QUANTUM_DEFAULT, false, 0, PROC_LIMIT_DEFAULT,
				    NULL};
	opterr = 0;
	int c;
	uint64_t v;
	while ((c = getopt_long(argc, argv, "+:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("eclipse-sim (Eclipse OS) %s\n", ECLIPSE_VERSION);
			exit(0);
		case OPT_MEM:
			if (!parse_u64(optarg, &v, true) || v < SIM_MEM_MIN || v > SIM_MEM_MAX || (v & 4095))
				usage_error("invalid --mem '%s' (expected 4M to 64G, a multiple of 4K)", optarg);
			opt->mem_bytes = v;
			break;
		case OPT_QUANTUM:
			if (!parse_u64(optarg, &v, false) || v == 0 || v > UINT32_MAX)
				usage_error("invalid --quantum '%s' (expected a positive number of blocks)", optarg);
			opt->quantum = v;
			break;
		case OPT_CLOCK:
			if (strcmp(optarg, "virtual") && strcmp(optarg, "host"))
				usage_error("invalid --clock '%s' (expected virtual or host)", optarg);
			opt->host_clock = !strcmp(optarg, "host");
			break;
		case OPT_TRACE:
			opt->trace = parse_trace(optarg);
			break;
		case OPT_ROOT:
			opt->root = optarg;
			break;
		case OPT_MAX_PROCS:
			if (!parse_u64(optarg, &v, false) || v == 0 || v > PROC_LIMIT_MAX)
				usage_error("invalid --max-procs '%s'", optarg);
			opt->max_procs = (unsigned)v;
			break;
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
			break;
		default:
			usage_error("unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("%s", "no PROGRAM given");
	return optind;
}

/* Reads the program file; prints why not and returns NULL on failure. */
static void *read_program(const char *path, size_t *len)
{
	void *data;
	int err = sim_read_file(path, PROGRAM_MAX, &data, len);
	if (err == -EISDIR)
		fprintf(stderr, "eclipse-sim: %s: is a directory\n", path);
	else if (err == -EFBIG || err == -EACCES)
		fprintf(stderr, "eclipse-sim: %s: not a regular file of at most 1 GiB\n", path);
	else if (err)
		fprintf(stderr, "eclipse-sim: %s: %s\n", path, strerror(-err));
	return err ? NULL : data;
}

int main(int argc, char **argv)
{
	struct sim_options opt;
	int first = parse_args(argc, argv, &opt);
	const char *path = argv[first];
	size_t len;
	void *image = read_program(path, &len);
	if (!image)
		return EXIT_RUNTIME;
	signal(SIGPIPE, SIG_IGN);
	int status = -1;
	int err = sim_machine_init(&opt);
	if (err) {
		if (err != -ENOMEM)
			fprintf(stderr, "eclipse-sim: --root %s: %s\n", opt.root, strerror(-err));
		else
			fprintf(stderr, "eclipse-sim: cannot allocate %llu bytes of guest RAM\n",
				(unsigned long long)opt.mem_bytes);
		free(image);
		return EXIT_RUNTIME;
	}
	struct kernel_config cfg = {.trace = opt.trace, .max_procs = opt.max_procs};
	if (sim_cpu_open(&opt) == 0 && kernel_init(&cfg) == 0) {
		int elf_err = ELF_OK;
		int pid = kernel_spawn(path, image, len, (const char *const *)argv + first,
				       (const char *const *)environ, &elf_err);
		if (pid > 0)
			status = kernel_run();
		else if (elf_err != ELF_OK)
			fprintf(stderr, "eclipse-sim: %s: %s [%s]\n", path, elf_strerror(elf_err),
				elf_error_name(elf_err));
		else
			fprintf(stderr, "eclipse-sim: %s: cannot start: %s\n", path, strerror(-pid));
		kernel_fini();
	} else {
		fprintf(stderr, "eclipse-sim: the machine could not be brought up\n");
	}
	sim_cpu_close();
	sim_machine_fini();
	free(image);
	if (status < 0)
		return EXIT_RUNTIME;
	if ((status & 0x7f) == 0)
		return (status >> 8) & 0xff;
	return 128 + (status & 0x7f);
}
