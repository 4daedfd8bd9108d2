/* eclipse-sim: runs Eclipse OS, and a static x86_64 ELF program as its first process. */
#include "sim.h"

#include "audio.h"
#include "debug.h"
#include "gdbstub.h"
#include "symbols.h"
#include "devices.h"
#include "keys.h"
#include "record.h"
#include "travel.h"
#include "screen.h"
#include "timeline.h"
#include "window.h"
#include "virtio.h"

#include <ecl/duration.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <kernel/core.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#define EXIT_USAGE 2
#define EXIT_RUNTIME 1
#define PROGRAM_MAX (1ull << 30)
#define FS_SERVER_PATH "/sbin/filesystem"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: eclipse-sim [OPTIONS] [PROGRAM [ARGS...]]\n"
		"Run the Eclipse OS kernel on an emulated x86_64 CPU. Without PROGRAM, boot the\n"
		"boot image: /sbin/init from it runs as process 1. With PROGRAM, a static x86_64\n"
		"ELF file, run it as process 1, as qemu-x86_64 would: its standard output and\n"
		"error are the simulator's, the simulator's environment is its environment. The\n"
		"simulator exits with process 1's exit code, or 128+N when signal N killed it.\n"
		"Ctrl-C (or SIGTERM) asks process 1 to shut down; a second one stops at once.\n"
		"\n"
		"Options:\n"
		"  --image=FILE      the boot image, a cpio newc archive (default: boot.cpio\n"
		"                    next to eclipse-sim)\n"
		"  --max-time=TIME   send SIGTERM to process 1 after TIME of virtual (or, with\n"
		"                    --clock=host, real) time: 1.5s, 500ms, 2m, 1h\n"
		"  --shell           boot to a shell on the console: init starts the services,\n"
		"                    then a login shell (busybox sh) in place of their output,\n"
		"                    which goes to the kernel log (dmesg); 'exit' starts another,\n"
		"                    'poweroff' ends the run; Ctrl-A x stops it at once\n"
		"  --quiet           no messages about a stop that was asked for (the time\n"
		"                    limit, Ctrl-C); errors are still reported\n"
		"  --mem=SIZE        guest RAM, with an optional K, M or G suffix (default 256M)\n"
		"  --disk=FILE       a virtio-blk disk at PCI 00:02.0 over FILE, a raw image (as\n"
		"                    QEMU's -drive file=FILE,if=virtio,format=raw); FILE,readonly\n"
		"                    for a read-only disk; the file is locked while the machine\n"
		"                    runs; writes are durable once the guest flushes\n"
		"  --net=NETWORK     'none' (default): no network card; 'user[,RULE]...': a\n"
		"                    virtio-net card at PCI 00:03.0 on QEMU's user-mode network\n"
		"                    (slirp: the guest 10.0.2.15, the gateway 10.0.2.2),\n"
		"                    restricted: the guest reaches only what a rule forwards.\n"
		"                    Rules: hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT\n"
		"                    listens on the host (HOSTADDR 127.0.0.1 unless given) and\n"
		"                    forwards into the guest; guestfwd=tcp:GUESTADDR:GUESTPORT-\n"
		"                    tcp:HOSTADDR:HOSTPORT connects a guest's connections to\n"
		"                    GUESTADDR to the host's server; restrict=off opens the\n"
		"                    guest to whatever the host reaches\n"
		"  --screenshot=FILE[@TIME]\n"
		"                    write the screen (the display adapter at PCI 00:04.0) to\n"
		"                    FILE, a PNG, at TIME of virtual time after boot, or at the\n"
		"                    end of the run without @TIME; may be given 16 times\n"
		"  --display=KIND    'none' (default): the screen is seen only in --screenshot;\n"
		"                    'sdl': a window shows it and takes the keyboard and mouse\n"
		"                    (a click grabs the mouse, Ctrl-Alt lets it go; closing the\n"
		"                    window asks the system to shut down, as Ctrl-C)\n"
		"  --audio=KIND      the sound card (QEMU's AC97 at PCI 00:05.0) plays into:\n"
		"                    'none' (default) nothing; 'wav:FILE' FILE, a 48 kHz\n"
		"                    16-bit stereo WAV on the virtual clock (silence where the\n"
		"                    card is quiet); 'sdl' the host's sound device, the run\n"
		"                    keeping pace with what it plays\n"
		"  --keys=FILE       type keys and move the mouse (the PS/2 keyboard and mouse)\n"
		"                    at points on the virtual clock, as FILE's lines say:\n"
		"                    'TIME type TEXT', 'TIME key CHORD' (ctrl+c, up, f1),\n"
		"                    'TIME mouse DX DY [left] [right] [middle]'\n"
		"  --quantum=BLOCKS  time slice in executed translation blocks (default %llu)\n"
		"  --switch=HOW      how a syscall that blocks or yields hands the CPU on:\n"
		"                    'direct' (default) to the next thread in the syscall hook\n"
		"                    when nothing else is due, 'loop' always through the\n"
		"                    kernel's trap loop (the same run, slower)\n"
		"  --clock=KIND      'virtual' (default): deterministic time that advances with\n"
		"                    execution and jumps when every process sleeps; 'host': the\n"
		"                    host's real time\n"
		"  --pace=WHEN       whether the virtual clock's jumps wait as long in real time:\n"
		"                    'auto' (default) when stdin or stdout is a terminal and no\n"
		"                    --max-time is given, 'real' always, 'none' never; the virtual\n"
		"                    times and the output are the same either way\n"
		"  --trace=LIST      comma-separated: syscall (each call as strace prints it),\n"
		"                    stack (syscall, with the code that made each call below\n"
		"                    it, as strace -k), sched (process events), dev (device\n"
		"                    requests, resets, refused DMA, interrupt lines), all\n"
		"                    (syscall, sched and dev), pos (each line starts with the\n"
		"                    position, @RUN.BLOCK, as gdb's 'monitor when' says it),\n"
		"                    none; on stderr unless --trace-file\n"
		"  --trace-file=FILE\n"
		"                    write the trace to FILE instead of stderr (as strace -o);\n"
		"                    without --trace, trace syscalls\n"
		"  --timeline=FILE   write the run to FILE as a timeline on the clock (syscalls,\n"
		"                    faults, signals, IPC messages, which thread runs) in\n"
		"                    Chrome's JSON trace format, for ui.perfetto.dev and\n"
		"                    chrome://tracing\n"
		"  --max-procs=N     process limit (default %d, at most %d)\n"
		"  --root=DIR        execve looks for paths under DIR on the host (like\n"
		"                    qemu-x86_64's -L)\n"
		"  --fs=KIND         with PROGRAM: 'auto' (default) starts the boot image's\n"
		"                    /sbin/filesystem to serve a writable / holding the image's\n"
		"                    files; 'none' leaves / the read-only boot image\n"
		"  --gdb=PORT        serve the GDB remote protocol on localhost:PORT (0: any\n"
		"                    free port, printed on stderr); every process is a thread\n"
		"  --gdb-wait        with --gdb: stop before the first instruction of process 1\n"
		"  --gdb-stop-at-exec=NAME\n"
		"                    with --gdb: stop a process before the first instruction of\n"
		"                    a program named NAME (its file name) that it execs\n"
		"  --record=FILE     write every input from outside the machine (console, Ctrl-C,\n"
		"                    real time where the run reads it, network frames, the\n"
		"                    window's keys and mouse) to FILE with the point where the\n"
		"                    machine took it, and the disk's old contents\n"
		"  --replay=FILE     run a recording again, the same options given: the same\n"
		"                    output and traces, byte for byte, with no input read; a run\n"
		"                    that leaves the recording's path stops, saying where\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n",
		(unsigned long long)SIM_QUANTUM_DEFAULT, CORE_THREADS_DEFAULT, CORE_THREADS_MAX);
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "eclipse-sim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'eclipse-sim --help' for more information.\n");
	exit(EXIT_USAGE);
}

/* How slirp runs this program to relay a guestfwd connection: "'PATH' --net-relay=", or NULL
 * when its path is unknown (or needs quoting beyond single quotes). */
static const char *relay_command(void)
{
	static char cmd[PATH_MAX + 32];
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = 0;
	if (strchr(self, '\''))
		return NULL;
	snprintf(cmd, sizeof(cmd), "'%s' --net-relay=", self);
	return cmd;
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

/* The TRACE_* mask of a --trace list; *stack set for "stack", *pos for "pos". */
static unsigned parse_trace(const char *list, bool *stack, bool *pos)
{
	unsigned mask = 0;
	*stack = *pos = false;
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		usage_error("%s", "out of memory");
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "syscall")) {
			mask |= TRACE_SYSCALL;
		} else if (!strcmp(w, "sched")) {
			mask |= TRACE_SCHED;
		} else if (!strcmp(w, "stack")) {
			mask |= TRACE_SYSCALL;
			*stack = true;
		} else if (!strcmp(w, "dev")) {
			mask |= TRACE_DEVICE;
		} else if (!strcmp(w, "pos")) {
			*pos = true;
		} else if (!strcmp(w, "all")) {
			mask |= TRACE_SYSCALL | TRACE_SCHED | TRACE_DEVICE;
		} else if (strcmp(w, "none")) {
			fprintf(stderr, "eclipse-sim: unknown trace category '%s' (expected syscall, "
					"stack, sched, dev, all, pos or none)\n", w);
			free(copy);
			exit(EXIT_USAGE);
		}
	}
	free(copy);
	return mask;
}

/* --disk=FILE[,readonly]: the image, opened and locked now, so that a bad one is a usage error
 * before anything starts. */
static struct sim_disk *open_disk(const char *arg)
{
	static const char suffix[] = ",readonly";
	size_t len = strlen(arg), slen = sizeof(suffix) - 1;
	bool readonly = len > slen && !strcmp(arg + len - slen, suffix);
	char *path = strndup(arg, readonly ? len - slen : len);
	if (!path || !*path)
		usage_error("invalid --disk '%s' (expected FILE or FILE,readonly)", arg);
	struct sim_disk *disk = NULL;
	int err = sim_disk_open(path, readonly, &disk);
	if (err == -EROFS)
		fprintf(stderr, "eclipse-sim: --disk %s: the file is read-only (use --disk=%s,readonly)\n",
			path, path);
	else if (err == -EBUSY)
		fprintf(stderr, "eclipse-sim: --disk %s: in use: another process holds its lock\n", path);
	else if (err == -EINVAL)
		fprintf(stderr, "eclipse-sim: --disk %s: not a regular file or block device\n", path);
	else if (err)
		fprintf(stderr, "eclipse-sim: --disk %s: %s\n", path, strerror(-err));
	free(path);
	if (err)
		exit(EXIT_USAGE);
	return disk;
}

/* --audio=KIND: none, wav:FILE or sdl. */
static void parse_audio(const char *arg, struct sim_options *opt)
{
	opt->audio_wav = NULL;
	opt->audio_sdl = !strcmp(arg, "sdl");
	if (!strncmp(arg, "wav:", 4) && arg[4])
		opt->audio_wav = arg + 4;
	else if (!opt->audio_sdl && strcmp(arg, "none"))
		usage_error("invalid --audio '%s' (expected none, wav:FILE or sdl)", arg);
}

/* Opens --audio's outlet: one that cannot be opened is said, and the run goes on without it. */
static void audio_open(const struct sim_options *opt)
{
	int err = opt->audio_wav ? sim_audio_wav_open(opt->audio_wav) : 0;
	if (err)
		fprintf(stderr, "eclipse-sim: --audio=wav:%s: %s; no sound is written\n",
			opt->audio_wav, strerror(-err));
	char why[300];
	if (opt->audio_sdl && sim_audio_sdl_open(why, sizeof(why)))
		fprintf(stderr, "eclipse-sim: --audio=sdl: no sound device: %s; the sound goes "
				"nowhere\n", why);
}

/* --screenshot=FILE[@TIME]: TIME a duration of virtual time from boot; none: at the end. */
static void parse_shot(char *arg, struct sim_options *opt)
{
	char *at = strrchr(arg, '@');
	size_t len = at ? (size_t)(at - arg) : strlen(arg);
	uint64_t when = UINT64_MAX;
	if (!len || (at && (duration_parse_ns(at + 1, strlen(at + 1), &when) || !when)))
		usage_error("invalid --screenshot '%s' (expected FILE.png or FILE.png@TIME, TIME a "
			    "positive duration: 1.5s, 500ms)", arg);
	if (opt->nshots == SIM_SHOTS_MAX)
		usage_error("more than 16 --screenshot (at '%s')", arg);
	if (at)
		*at = '\0'; /* the path ends there: argv's strings are the program's */
	opt->shots[opt->nshots++] = (struct sim_shot){arg, when};
}

/* A screenshot's event, or one at the end: says on stderr when it could not be written. */
static void take_shot(void *arg)
{
	const struct sim_shot *shot = arg;
	if (travel_quiet())
		return; /* a time travel runner: the run that went there first took it */
	int err = sim_screenshot(shot->path);
	if (err)
		fprintf(stderr, "eclipse-sim: --screenshot %s: %s\n", shot->path,
			err == -ENODEV ? "the machine has no display adapter" : strerror(-err));
}

static int parse_args(int argc, char **argv, struct sim_options *opt)
{
	enum { OPT_MEM = 256, OPT_QUANTUM, OPT_CLOCK, OPT_PACE, OPT_TRACE, OPT_TRACE_FILE,
	       OPT_TIMELINE, OPT_MAX_PROCS, OPT_ROOT,
	       OPT_FS, OPT_IMAGE, OPT_MAX_TIME, OPT_QUIET, OPT_SHELL, OPT_GDB, OPT_GDB_WAIT,
	       OPT_GDB_STOP_AT_EXEC, OPT_DISK, OPT_NET, OPT_SCREENSHOT, OPT_KEYS, OPT_DISPLAY,
	       OPT_AUDIO, OPT_SWITCH, OPT_RECORD, OPT_REPLAY };
	enum { PACE_AUTO, PACE_REAL, PACE_NONE } pace = PACE_AUTO;
	static const struct option longopts[] = {
		{"mem", required_argument, NULL, OPT_MEM},
		{"quantum", required_argument, NULL, OPT_QUANTUM},
		{"switch", required_argument, NULL, OPT_SWITCH},
		{"clock", required_argument, NULL, OPT_CLOCK},
		{"pace", required_argument, NULL, OPT_PACE},
		{"trace", required_argument, NULL, OPT_TRACE},
		{"trace-file", required_argument, NULL, OPT_TRACE_FILE},
		{"timeline", required_argument, NULL, OPT_TIMELINE},
		{"max-procs", required_argument, NULL, OPT_MAX_PROCS},
		{"root", required_argument, NULL, OPT_ROOT},
		{"fs", required_argument, NULL, OPT_FS},
		{"image", required_argument, NULL, OPT_IMAGE},
		{"max-time", required_argument, NULL, OPT_MAX_TIME},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"shell", no_argument, NULL, OPT_SHELL},
		{"gdb", required_argument, NULL, OPT_GDB},
		{"gdb-wait", no_argument, NULL, OPT_GDB_WAIT},
		{"gdb-stop-at-exec", required_argument, NULL, OPT_GDB_STOP_AT_EXEC},
		{"disk", required_argument, NULL, OPT_DISK},
		{"net", required_argument, NULL, OPT_NET},
		{"screenshot", required_argument, NULL, OPT_SCREENSHOT},
		{"keys", required_argument, NULL, OPT_KEYS},
		{"display", required_argument, NULL, OPT_DISPLAY},
		{"audio", required_argument, NULL, OPT_AUDIO},
		{"record", required_argument, NULL, OPT_RECORD},
		{"replay", required_argument, NULL, OPT_REPLAY},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	*opt = (struct sim_options){.mem_bytes = SIM_MEM_DEFAULT, .quantum = SIM_QUANTUM_DEFAULT,
				    .max_procs = CORE_THREADS_DEFAULT, .gdb_port = -1, .fs_server = true};
	opterr = 0;
	int c;
	uint64_t v;
	bool traced = false;
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
		case OPT_SWITCH:
			if (strcmp(optarg, "direct") && strcmp(optarg, "loop"))
				usage_error("invalid --switch '%s' (expected direct or loop)", optarg);
			opt->switch_loop = !strcmp(optarg, "loop");
			break;
		case OPT_CLOCK:
			if (strcmp(optarg, "virtual") && strcmp(optarg, "host"))
				usage_error("invalid --clock '%s' (expected virtual or host)", optarg);
			opt->host_clock = !strcmp(optarg, "host");
			break;
		case OPT_PACE:
			if (!strcmp(optarg, "auto"))
				pace = PACE_AUTO;
			else if (!strcmp(optarg, "real"))
				pace = PACE_REAL;
			else if (!strcmp(optarg, "none"))
				pace = PACE_NONE;
			else
				usage_error("invalid --pace '%s' (expected auto, real or none)", optarg);
			break;
		case OPT_TRACE:
			opt->trace = parse_trace(optarg, &opt->trace_stack, &opt->trace_pos);
			if (opt->trace_pos && !opt->trace)
				opt->trace = TRACE_SYSCALL; /* positions of what: the calls */
			traced = true;
			break;
		case OPT_TRACE_FILE:
			if (!*optarg)
				usage_error("%s", "--trace-file needs a file name");
			opt->trace_file = optarg;
			break;
		case OPT_TIMELINE:
			if (!*optarg)
				usage_error("%s", "--timeline needs a file name");
			opt->timeline = optarg;
			break;
		case OPT_ROOT:
			opt->root = optarg;
			break;
		case OPT_FS:
			if (strcmp(optarg, "auto") && strcmp(optarg, "none"))
				usage_error("invalid --fs '%s' (expected auto or none)", optarg);
			opt->fs_server = !strcmp(optarg, "auto");
			break;
		case OPT_IMAGE:
			opt->image = optarg;
			break;
		case OPT_MAX_TIME:
			if (duration_parse_ns(optarg, strlen(optarg), &opt->max_time_ns) || !opt->max_time_ns)
				usage_error("invalid --max-time '%s' (expected a positive duration with a "
					    "unit, such as 1.5s, 500ms, 2m)", optarg);
			break;
		case OPT_QUIET:
			opt->quiet = true;
			break;
		case OPT_SHELL:
			opt->shell = true;
			break;
		case OPT_MAX_PROCS:
			if (!parse_u64(optarg, &v, false) || v == 0 || v > CORE_THREADS_MAX)
				usage_error("invalid --max-procs '%s'", optarg);
			opt->max_procs = (unsigned)v;
			break;
		case OPT_GDB:
			if (!parse_u64(optarg, &v, false) || v > 65535)
				usage_error("invalid --gdb '%s' (expected a TCP port, 0 for any)", optarg);
			opt->gdb_port = (int)v;
			break;
		case OPT_GDB_WAIT:
			opt->gdb_wait = true;
			break;
		case OPT_GDB_STOP_AT_EXEC:
			if (!*optarg || strchr(optarg, '/'))
				usage_error("invalid --gdb-stop-at-exec '%s' (expected a program's file name)", optarg);
			opt->gdb_stop_at_exec = optarg;
			break;
		case OPT_DISK:
			if (opt->disk)
				usage_error("%s", "only one --disk is modelled");
			opt->disk = open_disk(optarg);
			break;
		case OPT_NET: {
			char why[300];
			int r = sim_net_parse(optarg, &opt->net_opt, why, sizeof(why));
			if (r < 0) {
				fprintf(stderr, "eclipse-sim: invalid --net '%s': %s\n"
					"Try 'eclipse-sim --help' for more information.\n", optarg, why);
				exit(EXIT_USAGE);
			}
			opt->net = r > 0;
			opt->net_opt.relay = relay_command();
			break;
		}
		case OPT_SCREENSHOT:
			parse_shot(optarg, opt);
			break;
		case OPT_DISPLAY:
			if (strcmp(optarg, "sdl") && strcmp(optarg, "none"))
				usage_error("invalid --display '%s' (expected sdl or none)", optarg);
			opt->window = !strcmp(optarg, "sdl");
			break;
		case OPT_AUDIO:
			parse_audio(optarg, opt);
			break;
		case OPT_RECORD:
			opt->record = optarg;
			break;
		case OPT_REPLAY:
			opt->replay = optarg;
			break;
		case OPT_KEYS: {
			char why[300];
			if (opt->keys)
				usage_error("%s", "only one --keys");
			if (sim_keys_load(optarg, why, sizeof(why))) {
				fprintf(stderr, "eclipse-sim: --keys %s: %s\n", optarg, why);
				exit(EXIT_USAGE);
			}
			opt->keys = true;
			opt->keys_path = optarg;
			break;
		}
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
			break;
		default:
			usage_error("unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (opt->trace_file && !traced) /* as strace -o: a trace file is asked for to be filled */
		opt->trace = TRACE_SYSCALL;
	if (opt->shell && optind < argc)
		usage_error("--shell boots the image; it takes no PROGRAM (got '%s')", argv[optind]);
	if (opt->record && opt->replay)
		usage_error("%s", "--record and --replay exclude each other");
	if (opt->record || opt->replay)
		opt->switch_loop = true; /* the input points must be the same in both */
	if (opt->gdb_port < 0 && (opt->gdb_wait || opt->gdb_stop_at_exec))
		usage_error("%s needs --gdb=PORT", opt->gdb_wait ? "--gdb-wait" : "--gdb-stop-at-exec");
	/* A person watches a terminal, and a run without a time limit is one to watch: jumping
	 * over idle time there would print hours of heartbeats a second. A run with a limit, or
	 * with neither end on a terminal (a test, a pipeline), wants its result soon. */
	opt->paced = pace == PACE_REAL ||
		     (pace == PACE_AUTO && !opt->max_time_ns && (isatty(0) || isatty(1) || opt->window));
	return optind;
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const uint8_t *b = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}
#define FNV_START 0xcbf29ce484222325ull

/*
 * What a recording must be replayed on: every option that changes what the machine does (not
 * those that only watch it: traces, the debugger, screenshots, pace), the boot image's, the
 * program's and the --keys script's contents as checksums, and the program's arguments.
 */
static char *describe_machine(const struct sim_options *opt, const void *image, size_t image_len,
			      const void *program, size_t len, char **args)
{
	uint64_t argh = FNV_START, keys = 0;
	size_t nargs = 0;
	for (; args && args[nargs]; nargs++)
		argh = fnv(argh, args[nargs], strlen(args[nargs]) + 1);
	void *script;
	size_t script_len;
	if (opt->keys_path && sim_read_file(opt->keys_path, 1ull << 30, &script, &script_len) == 0) {
		keys = fnv(FNV_START, script, script_len);
		free(script);
	}
	char *desc = NULL;
	if (asprintf(&desc,
		     "eclipse-sim %s mem=%llu quantum=%llu clock=%s max-time=%llu max-procs=%u "
		     "shell=%d fs=%d root=%s image=%zu:%016llx program=%zu:%016llx args=%zu:%016llx "
		     "disk=%llu%s keys=%016llx net=%d window=%d",
		     ECLIPSE_VERSION, (unsigned long long)opt->mem_bytes,
		     (unsigned long long)opt->quantum, opt->host_clock ? "host" : "virtual",
		     (unsigned long long)opt->max_time_ns, opt->max_procs, opt->shell, opt->fs_server,
		     opt->root ? opt->root : "-", image_len,
		     (unsigned long long)(image ? fnv(FNV_START, image, image_len) : 0), len,
		     (unsigned long long)(program ? fnv(FNV_START, program, len) : 0), nargs,
		     (unsigned long long)argh,
		     (unsigned long long)(opt->disk ? sim_disk_sectors(opt->disk) : 0),
		     opt->disk && sim_disk_readonly(opt->disk) ? ",readonly" : "",
		     (unsigned long long)keys, opt->net, opt->window) < 0)
		return NULL;
	return desc;
}

static void overlay_chunk(uint64_t chunk, const void *data, void *disk)
{
	if (sim_disk_overlay_put(disk, chunk, data))
		fprintf(stderr, "eclipse-sim: --replay: out of memory for the disk's saved contents\n");
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

/* After kernel_fini every frame and kernel object must be free again, whatever the guests did:
 * a check each run makes, not a hope. */
static bool leak_free(void)
{
	size_t frames = core_frames_used() - sim_cpu_own_frames();
	size_t objects = core_objects_live();
	if (frames || objects)
		fprintf(stderr, "eclipse-sim: internal error: the kernel leaked %zu frames and %zu objects\n",
			frames, objects);
	return !frames && !objects;
}

/* The device models' trace lines, into the kernel's trace. */
static void trace_device_line(const char *line)
{
	trace_device("%s", line);
}

/* The kernel's exec observer: program symbols for --trace=stack, exec stops for the debugger. */
static const char *root_dir; /* --root, for debug_symbol_file */

static bool regular_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool debug_symbol_file(const char *path, char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (root_dir && (size_t)snprintf(out, size, "%s%s", root_dir, path) < size && regular_file(out))
		return true;
	if (slash && (size_t)snprintf(out, size, "%s/guest/%s", self, base) < size && regular_file(out))
		return true;
	return path[0] == '/' && (size_t)snprintf(out, size, "%s", path) < size && regular_file(out);
}

static void on_fork(struct thread *parent, struct thread *child)
{
	if (kernel_cfg.trace_stack)
		symbols_fork(parent, child);
	if (debug_enabled)
		debug_fork(parent, child);
}

static void on_exec(struct thread *t, const char *path, const struct core_image *src)
{
	if (kernel_cfg.trace_stack)
		symbols_exec(t, path, src);
	if (debug_enabled)
		debug_exec(t, path);
}

/* --trace-file's descriptor. */
static int trace_fd = -1;

/* --trace=pos: each trace line starts with the position, "@RUN.BLOCK " (docs/debugging.md). */
static size_t trace_position(char *buf, size_t size)
{
	int n = snprintf(buf, size, "@%llu.%llu ", (unsigned long long)sim_runs(),
			 (unsigned long long)sim_blocks());
	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

/* The kernel's trace lines, to --trace-file. */
static void trace_to_file(const char *buf, size_t len)
{
	if (travel_quiet())
		return; /* a runner: the run that went there first wrote it */
	while (len) {
		ssize_t n = write(trace_fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the disk filled up: the trace ends there, the run goes on */
		buf += n;
		len -= (size_t)n;
	}
}

/* The kernel's fault observer: a debugger sees each fault first. */
static int on_fault(struct thread *t, int sig, uint64_t addr)
{
	return debug_fault(t, sig, addr);
}

/* The default boot image: boot.cpio next to the eclipse-sim executable. */
static char *default_image(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	char *path = NULL;
	if (slash && asprintf(&path, "%.*s/boot.cpio", (int)(slash - exe), exe) < 0)
		path = NULL;
	return path;
}

/* The boot image is mapped (sim_map_file): a file cut short under the running simulator would
 * make reading its lost pages a bus error. Say so rather than dump core. */
static void on_sigbus(int sig)
{
	(void)sig;
	static const char msg[] = "eclipse-sim: bus error: a file the simulator has mapped (the boot "
				  "image) was cut short while in use\n";
	ssize_t n = write(2, msg, sizeof(msg) - 1);
	(void)n;
	_exit(EXIT_RUNTIME);
}

/* Reads the boot image: --image, else the default one, which only booting requires (a PROGRAM
 * may still execve the image's programs when it is there). 0, or 1 after an error. */
static int load_image(const struct sim_options *opt, bool needed, void **image, size_t *len)
{
	*image = NULL;
	*len = 0;
	char *fallback = opt->image ? NULL : default_image();
	const char *path = opt->image ? opt->image : fallback;
	int err = path ? sim_map_file(path, PROGRAM_MAX, image, len) : -ENOENT;
	if (err && !needed && !opt->image)
		err = 0;
	else if (err)
		fprintf(stderr, "eclipse-sim: boot image %s: %s\n", path ? path : "boot.cpio",
			strerror(-err));
	free(fallback);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strncmp(argv[1], "--net-relay=", 12))
		return sim_net_relay(argv[1] + 12); /* slirp runs this for a guestfwd connection */
	struct sim_options opt;
	int first = parse_args(argc, argv, &opt);
	root_dir = opt.root;
	int err = opt.timeline ? sim_timeline_open(opt.timeline) : 0;
	if (err) { /* a usage error, found once the options are all read */
		fprintf(stderr, "eclipse-sim: --timeline: %s: %s\n", opt.timeline, strerror(-err));
		sim_disk_close(opt.disk);
		return EXIT_USAGE;
	}
	if (opt.trace_file &&
	    (trace_fd = open(opt.trace_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
		fprintf(stderr, "eclipse-sim: --trace-file %s: %s\n", opt.trace_file, strerror(errno));
		sim_disk_close(opt.disk);
		return EXIT_RUNTIME;
	}
	bool boot = first >= argc;
	const char *path = boot ? "/sbin/init" : argv[first];
	const char *const init_argv[] = {"/sbin/init", opt.shell ? "shell" : NULL, NULL};
	/* The terminal's type for full-screen programs (vi, top), as a kernel passes TERM on. */
	static char term[64];
	const char *host_term = getenv("TERM");
	snprintf(term, sizeof(term), "TERM=%s", host_term && *host_term ? host_term : "vt100");
	const char *const init_envp[] = {"PATH=/sbin:/bin", "HOME=/", term, NULL};
	size_t len = 0, image_len;
	void *program = NULL, *image;
	if ((!boot && !(program = read_program(path, &len))) ||
	    load_image(&opt, boot, &image, &image_len)) {
		free(program);
		sim_disk_close(opt.disk);
		return EXIT_RUNTIME;
	}
	/* A recording and its replay: the same machine, the same environment. */
	char **replay_env = NULL;
	if (opt.record || opt.replay) {
		char *desc = describe_machine(&opt, image, image_len, program, len,
					      boot ? NULL : argv + first);
		int rerr = !desc ? -1
			   : opt.record ? rec_open_record(opt.record, desc, sim_console_is_terminal(),
							  boot ? init_envp : (const char *const *)environ)
					: rec_open_replay(opt.replay, desc, &opt.replay_terminal, &replay_env);
		free(desc);
		if (rerr) {
			free(program);
			sim_disk_close(opt.disk);
			sim_unmap_file(image, image_len);
			return EXIT_RUNTIME;
		}
		if (opt.replay && opt.disk) {
			sim_disk_overlay(opt.disk);
			rec_disk_chunks(overlay_chunk, opt.disk);
		}
		if (opt.record && opt.disk)
			sim_disk_first_write = rec_disk_save;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGBUS, on_sigbus);
	sim_catch_stop_signals();
	sim_set_boot_image(image, image_len);
	int status = -1;
	err = opt.gdb_port >= 0 ? gdbstub_open(opt.gdb_port) : 0;
	if (!err && opt.gdb_port >= 0)
		debug_open(&opt, &gdbstub_frontend);
	if (err) {
		fprintf(stderr, "eclipse-sim: --gdb %d: %s\n", opt.gdb_port, strerror(-err));
		sim_disk_close(opt.disk);
		free(program);
		sim_unmap_file(image, image_len);
		return EXIT_RUNTIME;
	}
	/* Debugging a recorded or replayed run: it can go back in time. */
	if (debug_enabled && (opt.record || opt.replay) && (err = travel_open())) {
		fprintf(stderr, "eclipse-sim: time travel: %s\n", strerror(-err));
		debug_close();
		sim_disk_close(opt.disk);
		free(program);
		sim_unmap_file(image, image_len);
		return EXIT_RUNTIME;
	}
	/* Its checkpoints hold the disk as it was: the writes stay in memory until the end. */
	if (travel_enabled && opt.record && opt.disk)
		sim_disk_overlay(opt.disk);
	char why[300];
	if (opt.window && sim_window_open(sim_request_stop, why, sizeof(why))) {
		fprintf(stderr, "eclipse-sim: --display=sdl: cannot open a window: %s\n", why);
		sim_disk_close(opt.disk);
		debug_close();
		free(program);
		sim_unmap_file(image, image_len);
		return EXIT_RUNTIME;
	}
	err = sim_machine_init(&opt); /* the disk is the machine's from now on */
	if (err) {
		if (err == -ENETDOWN)
			; /* --net: said already */
		else if (err != -ENOMEM)
			fprintf(stderr, "eclipse-sim: --root %s: %s\n", opt.root, strerror(-err));
		else
			fprintf(stderr, "eclipse-sim: cannot allocate %llu bytes of guest RAM\n",
				(unsigned long long)opt.mem_bytes);
		debug_close();
		if (opt.window)
			sim_window_close();
		free(program);
		sim_unmap_file(image, image_len);
		return EXIT_RUNTIME;
	}
	audio_open(&opt);
	bool stack = opt.trace_stack;
	/* A program run alone gets the image's filesystem service, quiet, as its writable root. */
	static const char *const fs_argv[] = {FS_SERVER_PATH, "--quiet", NULL};
	bool fs_server = !boot && opt.fs_server && image &&
			 core_image_has(image, image_len, FS_SERVER_PATH);
	struct kernel_config cfg = {
		.root_server = fs_server ? FS_SERVER_PATH : NULL,
		.root_server_argv = fs_argv,
		.trace = opt.trace, .max_procs = opt.max_procs, .max_time_ns = opt.max_time_ns,
		.quiet = opt.quiet, .no_direct_switch = opt.switch_loop,
		.on_exec = stack || debug_enabled ? on_exec : NULL,
		.on_fork = stack || debug_enabled ? on_fork : NULL,
		.on_fault = debug_enabled ? on_fault : NULL,
		.trace_stack = stack ? symbols_trace_stack : NULL,
		.trace_write = trace_fd >= 0 ? trace_to_file : NULL,
		.trace_position = opt.trace_pos ? trace_position : NULL,
		.on_user_write = debug_enabled ? debug_kernel_wrote : NULL,
		.on_exit = debug_enabled ? debug_process_ended : NULL,
		.on_event = opt.timeline ? sim_timeline_event : NULL};
	if (opt.trace & TRACE_DEVICE)
		sim_dev_trace_line = trace_device_line;
	int cpu_err = sim_cpu_open(&opt);
	if (!cpu_err)
		sim_cpu_observe(debug_enabled ? &debug_observer : NULL);
	if (!cpu_err && kernel_init(&cfg) == 0) {
		int elf_err = 0;
		/* /proc/self/exe names the program by its absolute path, as Linux does (glibc's
		 * startup checks). */
		char *exe = boot ? NULL : realpath(path, NULL);
		const char *const *envp = replay_env ? (const char *const *)replay_env
					   : boot ? init_envp : (const char *const *)environ;
		int pid = boot ? kernel_spawn_file(path, init_argv, envp, &elf_err)
			       : kernel_spawn(exe ? exe : path, program, len,
					      (const char *const *)argv + first, envp, &elf_err);
		free(exe);
		if (pid > 0 && (sim_keys_start() || (opt.window && sim_window_start())))
			pid = -ENOMEM;
		for (unsigned i = 0; pid > 0 && i < opt.nshots; i++)
			if (opt.shots[i].at_ns != UINT64_MAX &&
			    !sim_event_at(opt.shots[i].at_ns, take_shot, &opt.shots[i]))
				pid = -ENOMEM;
		if (pid > 0) {
			status = kernel_run();
			for (unsigned i = 0; i < opt.nshots; i++)
				if (opt.shots[i].at_ns == UINT64_MAX)
					take_shot(&opt.shots[i]);
			if (travel_enabled)
				travel_machine_ended(); /* a runner does not get here */
			if (debug_enabled)
				debug_machine_ended(status);
		} else if (elf_err) {
			fprintf(stderr, "eclipse-sim: %s: %s [%s]\n", path, core_elf_strerror(elf_err),
				core_elf_error_name(elf_err));
		} else {
			fprintf(stderr, "eclipse-sim: %s: cannot start: %s\n", path, strerror(-pid));
		}
		kernel_fini();
		if (!leak_free())
			status = -EIO;
	} else {
		fprintf(stderr, "eclipse-sim: the machine could not be brought up\n");
	}
	bool killed = debug_enabled && debug_killed();
	bool diverged = rec_diverged();
	if (rec_mode != REC_OFF)
		rec_close(status);
	travel_close();
	if (opt.record && opt.disk && sim_disk_write_back(opt.disk))
		fprintf(stderr, "eclipse-sim: --disk: writing the session's changes back failed\n");
	free(replay_env);
	debug_close();
	symbols_fini();
	sim_cpu_close();
	sim_machine_fini(); /* the sound card hands the line out what it played */
	sim_audio_close(plat_clock_ns());
	sim_audio_sdl_close();
	sim_keys_fini();
	if (opt.window)
		sim_window_close();
	free(program);
	sim_unmap_file(image, image_len);
	if (trace_fd >= 0)
		close(trace_fd);
	if (killed)
		return 128 + SIGKILL;
	if (diverged)
		return EXIT_RUNTIME;
	if (status == -EINTR)
		return 128 + SIGINT;
	if (status < 0)
		return EXIT_RUNTIME;
	if ((status & 0x7f) == 0)
		return (status >> 8) & 0xff;
	return 128 + (status & 0x7f);
}
