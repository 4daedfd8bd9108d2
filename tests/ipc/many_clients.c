/*
 * Many clients on one server: CLIENTS children each make CALLS calls to a server, another child
 * found through the registry, and check every reply against their call; the server checks every
 * request's sender and counts them. No message is lost or answered to the wrong caller.
 */
#include "ipc_test.h"

#define CLIENTS 20
#define CALLS 50
#define SERVICE "ipc-test-adder"
#define ADD 1
#define TOTAL 2 /* asks the server how many ADDs it answered, and ends it */

/* Answers ADD (client, seq, pid) with (client, seq, pid, client * 1000 + seq), after checking
 * pid against the sender, until TOTAL; exits 0, or 1 after a wrong request. */
static int server(int unused)
{
	(void)unused;
	static struct ipc_msg in, out;
	int bad = ipc_register(SERVICE) != 0;
	for (uint64_t served = 0;;) {
		pid_t from = ipc_receive(0, &in, IPC_FOREVER);
		if (from < 0)
			return 1;
		if (in.type == TOTAL) {
			msg_put(&out, TOTAL, &served, 1);
			return ipc_reply(from, &out) != 0 || bad;
		}
		uint64_t v[4] = {msg_get(&in, 0), msg_get(&in, 1), msg_get(&in, 2), 0};
		bad |= in.type != ADD || in.len != 24 || v[2] != (uint64_t)from;
		v[3] = v[0] * 1000 + v[1];
		msg_put(&out, ADD, v, 4);
		bad |= ipc_reply(from, &out) != 0;
		served++;
	}
}

/* Makes CALLS calls as client number id; exits with the number of wrong replies. */
static int client(int id)
{
	static struct ipc_msg req, rep;
	pid_t srv = ipc_lookup(SERVICE);
	int wrong = 0;
	for (uint64_t seq = 0; seq < CALLS; seq++) {
		uint64_t v[3] = {(uint64_t)id, seq, (uint64_t)getpid()};
		msg_put(&req, ADD, v, 3);
		wrong += ipc_call(srv, &req, &rep, IPC_FOREVER) != 0 || rep.sender != srv ||
			 rep.len != 32 || msg_get(&rep, 0) != v[0] || msg_get(&rep, 1) != seq ||
			 msg_get(&rep, 2) != v[2] || msg_get(&rep, 3) != v[0] * 1000 + seq;
	}
	return wrong;
}

int main(void)
{
	static struct ipc_msg req, rep;
	pid_t srv = spawn(server, 0), clients[CLIENTS];
	for (int polls = 0; ipc_lookup(SERVICE) != srv && polls < 1000; polls++)
		sleep_ms(1);
	check(srv > 0 && ipc_lookup(SERVICE) == srv, "the server registers its name");
	for (int i = 0; i < CLIENTS; i++)
		clients[i] = spawn(client, i);
	int matched = 0;
	for (int i = 0; i < CLIENTS; i++) {
		int status = reap(clients[i]);
		matched += status == 0;
	}
	printf("%d of %d clients got all %d replies right\n", matched, CLIENTS, CALLS);
	check(matched == CLIENTS, "every reply went to its caller");
	msg_put(&req, TOTAL, NULL, 0);
	check(ipc_call(srv, &req, &rep, IPC_FOREVER) == 0 && msg_get(&rep, 0) == CLIENTS * CALLS,
	      "the server answered 20 x 50 calls");
	check_exit(srv, 0, "the server saw every request's sender");
	check_errno(ipc_lookup(SERVICE), ENOENT, "its name is gone with it");
	return check_status();
}
