/*
 * The errors of message passing, each of which changes nothing: payload limits, bad pointers,
 * names (unknown, empty, too long, taken), calls to oneself, no such process, a reply nobody
 * waits for, timeout 0 without a partner, and timeouts that expire. A receiver child counts what
 * actually arrives, and a sleeping child checks that a send that timed out left nothing queued.
 */
#include <sys/mman.h>

#include "ipc_test.h"

#define SERVICE "ipc-test-errors"
#define DATA 1  /* a payload to check: byte i is (i * 7) & 0xff */
#define COUNT 2 /* call: how many DATA arrived, all of them right, and the late reply's errno */
#define SLOW 3  /* call: answered 50 ms later */
#define QUIT 4

static struct ipc_msg req, rep, big;

/* Receives until QUIT; answers as the message types above say. */
static int receiver(int unused)
{
	(void)unused;
	static struct ipc_msg in, out;
	uint64_t counts[3] = {0, 0, 0}; /* DATA messages, of which right, late reply's errno */
	for (;;) {
		pid_t from = ipc_receive(0, &in, IPC_FOREVER);
		if (from < 0 || in.type == QUIT)
			return from < 0;
		if (in.type == DATA) {
			int right = 1;
			for (unsigned i = 0; i < in.len; i++)
				right &= in.data[i] == ((i * 7) & 0xff);
			counts[0]++;
			counts[1] += right;
		} else if (in.type == SLOW) {
			sleep_ms(50);
			counts[2] = ipc_reply(from, &out) < 0 ? (uint64_t)errno : 0;
		} else if (in.type == COUNT) {
			msg_put(&out, COUNT, counts, 3);
			ipc_reply(from, &out);
		}
	}
}

/* Sleeps 100 ms without receiving, then exits 0 if no message is queued for it. */
static int sleeper(int unused)
{
	(void)unused;
	static struct ipc_msg in;
	sleep_ms(100);
	return ipc_receive(0, &in, 0) < 0 && errno == EAGAIN ? 0 : 1;
}

/* Tries to take the name the parent holds; exits with the errno it got. */
static int name_thief(int unused)
{
	(void)unused;
	return ipc_register(SERVICE) < 0 ? errno : 0;
}

static void names(void)
{
	check_errno(ipc_lookup("no-such-service"), ENOENT, "lookup of an unknown name: ENOENT");
	check_errno(ipc_register(""), EINVAL, "register an empty name: EINVAL");
	check_errno(ipc_register("a-name-of-thirty-two-characters!"), ENAMETOOLONG,
		    "register a 32-character name: ENAMETOOLONG");
	check_errno(ipc_lookup((const char *)8), EFAULT, "lookup with a bad pointer: EFAULT");
	check(ipc_register("a-name-of-thirty-one-characters") == 0, "register a 31-character name");
	check(ipc_register(SERVICE) == 0, "register a second name");
	check(ipc_register(SERVICE) == 0, "register it again from the same process: 0");
	check(ipc_lookup(SERVICE) == getpid(), "lookup finds us");
	pid_t thief = spawn(name_thief, 0);
	check_exit(thief, EEXIST, "another process registers the same name: EEXIST");
	check(ipc_lookup(SERVICE) == getpid(), "the name is still ours");
}

static void partners(void)
{
	pid_t self = getpid();
	msg_put(&req, DATA, NULL, 0);
	check_errno(ipc_call(self, &req, &rep, IPC_FOREVER), EDEADLK, "call to oneself: EDEADLK");
	check_errno(ipc_send(self, &req, IPC_FOREVER), EDEADLK, "send to oneself: EDEADLK");
	check_errno(ipc_receive(self, &rep, IPC_FOREVER), EDEADLK, "receive from oneself: EDEADLK");
	check_errno(ipc_send(999999, &req, 0), ESRCH, "send to no such process: ESRCH");
	check_errno(ipc_send(0, &req, 0), ESRCH, "send to pid 0: ESRCH");
	check_errno(ipc_call(-1, &req, &rep, 0), ESRCH, "call to pid -1: ESRCH");
	check_errno(ipc_receive(999999, &rep, 0), ESRCH, "receive from no such process: ESRCH");
	check_errno(ipc_reply(999999, &req), ESRCH, "reply to no such process: ESRCH");
}

/* Limits and bad pointers towards the receiver rx: only the good message arrives. */
static void limits(pid_t rx)
{
	big.type = DATA;
	for (unsigned i = 0; i < IPC_PAYLOAD_MAX; i++)
		big.data[i] = (unsigned char)((i * 7) & 0xff);
	big.len = IPC_PAYLOAD_MAX + 1;
	check_errno(ipc_send(rx, &big, IPC_FOREVER), EINVAL, "send of len 4097: EINVAL");
	check_errno(ipc_call(rx, &big, &rep, IPC_FOREVER), EINVAL, "call of len 4097: EINVAL");
	big.len = IPC_PAYLOAD_MAX;
	check(ipc_send(rx, &big, IPC_FOREVER) == 0, "send of len 4096");
	check_errno(ipc_reply(rx, &big), ESRCH, "reply to a process that is not calling us: ESRCH");

	check_errno(ipc_send(rx, (const struct ipc_msg *)16, IPC_FOREVER), EFAULT,
		    "send from a bad pointer: EFAULT");
	/* A header on a page whose successor is unmapped, with a payload that runs into it. */
	char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(pages != MAP_FAILED && munmap(pages + 4096, 4096) == 0, "map a page, unmap the next");
	struct ipc_msg *edge = (struct ipc_msg *)(pages + 4096 - IPC_HEADER_SIZE - 64);
	edge->type = DATA;
	edge->len = 65;
	check_errno(ipc_send(rx, edge, IPC_FOREVER), EFAULT, "send of a payload that runs off the map: EFAULT");
	edge->len = 64;
	check_errno(ipc_call(rx, edge, edge, IPC_FOREVER), EFAULT,
		    "call with a reply buffer that runs off the map: EFAULT");
	static const struct ipc_msg read_only = {0, DATA, 0, 0, {0}};
	check_errno(ipc_call(rx, &big, (struct ipc_msg *)&read_only, IPC_FOREVER), EFAULT,
		    "call with a read-only reply buffer: EFAULT");
	check_errno(ipc_receive(0, (struct ipc_msg *)&read_only, 0), EFAULT,
		    "receive into a read-only buffer: EFAULT");

	msg_put(&req, COUNT, NULL, 0);
	check(ipc_call(rx, &req, &rep, IPC_FOREVER) == 0 && rep.len == 24, "ask the receiver what came");
	check(msg_get(&rep, 0) == 1 && msg_get(&rep, 1) == 1,
	      "exactly one message arrived, the 4096-byte one, intact");
}

/* Timeouts: 0 never blocks, a span expires; neither leaves anything behind. */
static void timeouts(pid_t rx)
{
	pid_t sleeping = spawn(sleeper, 0);
	msg_put(&req, DATA, NULL, 0);
	check_errno(ipc_send(sleeping, &req, 0), EAGAIN, "send, timeout 0, to a process not receiving: EAGAIN");
	check_errno(ipc_call(sleeping, &req, &rep, 0), EAGAIN, "call, timeout 0, same: EAGAIN");
	check_errno(ipc_receive(0, &rep, 0), EAGAIN, "receive, timeout 0, nothing queued: EAGAIN");

	long long start = monotonic_ms();
	check_errno(ipc_receive(0, &rep, 20 * MS), ETIMEDOUT, "receive with nothing coming, 20 ms: ETIMEDOUT");
	long long waited = monotonic_ms() - start;
	check(waited >= 20 && waited < 40, "it waited 20 ms");
	check_errno(ipc_send(sleeping, &req, 20 * MS), ETIMEDOUT, "send to a process not receiving, 20 ms: ETIMEDOUT");
	check_exit(sleeping, 0, "the send that timed out left nothing queued");

	msg_put(&req, SLOW, NULL, 0);
	check_errno(ipc_call(rx, &req, &rep, 20 * MS), ETIMEDOUT, "call answered after 50 ms, 20 ms: ETIMEDOUT");
	sleep_ms(60);
	msg_put(&req, COUNT, NULL, 0);
	check(ipc_call(rx, &req, &rep, IPC_FOREVER) == 0 && msg_get(&rep, 2) == ESRCH,
	      "the late reply: ESRCH");
	msg_put(&req, SLOW, NULL, 0);
	check(ipc_call(rx, &req, &rep, 200 * MS) == 0, "the same call with 200 ms: answered");
}

int main(void)
{
	names();
	partners();
	pid_t rx = spawn(receiver, 0);
	limits(rx);
	timeouts(rx);
	msg_put(&req, QUIT, NULL, 0);
	check(ipc_send(rx, &req, IPC_FOREVER) == 0, "tell the receiver to quit");
	check_exit(rx, 0, "the receiver exits normally");
	return check_status();
}
