/*
 * Ping-pong between a parent and its child: ROUNDS calls that the child answers with the number
 * plus one, every reply checked (type, length, sender, value), then ROUNDS exchanges of plain
 * sends, each side receiving from the other by pid.
 */
#include "ipc_test.h"

#define ROUNDS 1000
#define PING 1
#define PONG 2

/* Answers ROUNDS calls, then ROUNDS sends with sends; exits 0, or 1 on a wrong message. */
static int ponger(int unused)
{
	(void)unused;
	static struct ipc_msg in, out;
	pid_t parent = getppid();
	int bad = 0;
	for (uint64_t i = 0; i < ROUNDS; i++) {
		pid_t from = ipc_receive(0, &in, IPC_FOREVER);
		bad |= from != parent || in.sender != parent || in.type != PING || in.len != 8 ||
		       msg_get(&in, 0) != i;
		uint64_t v = msg_get(&in, 0) + 1;
		msg_put(&out, PONG, &v, 1);
		bad |= ipc_reply(from, &out) != 0;
	}
	for (uint64_t i = 0; i < ROUNDS; i++) {
		bad |= ipc_receive(parent, &in, IPC_FOREVER) != parent || msg_get(&in, 0) != 2 * i;
		uint64_t v = 2 * i + 1;
		msg_put(&out, PONG, &v, 1);
		bad |= ipc_send(parent, &out, IPC_FOREVER) != 0;
	}
	return bad;
}

int main(void)
{
	static struct ipc_msg req, rep;
	pid_t child = spawn(ponger, 0);
	check(child > 0, "fork the ponger");

	unsigned good = 0;
	for (uint64_t i = 0; i < ROUNDS; i++) {
		msg_put(&req, PING, &i, 1);
		memset(&rep, 0xee, sizeof rep);
		good += ipc_call(child, &req, &rep, IPC_FOREVER) == 0 && rep.sender == child &&
			rep.type == PONG && rep.len == 8 && rep.flags == 0 && msg_get(&rep, 0) == i + 1;
	}
	printf("%u of %d calls answered with n + 1\n", good, ROUNDS);
	check(good == ROUNDS, "every call answered");

	good = 0;
	for (uint64_t i = 0; i < ROUNDS; i++) {
		uint64_t v = 2 * i;
		msg_put(&req, PING, &v, 1);
		good += ipc_send(child, &req, IPC_FOREVER) == 0 &&
			ipc_receive(child, &rep, IPC_FOREVER) == child && msg_get(&rep, 0) == 2 * i + 1;
	}
	printf("%u of %d send/receive exchanges matched\n", good, ROUNDS);
	check(good == ROUNDS, "every send answered by a send");
	check_exit(child, 0, "the ponger saw every message as sent");
	return check_status();
}
