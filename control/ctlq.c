/*
 * ctlq.c - the control thread's own queries (ctlq.h): one message object to worker
 * 0's ring in, its answer back on the control ring. The control thread waits (it
 * never blocks a worker); an answer that comes after its wait ended is found on the
 * ring by a later call and returned to the pool.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "ctlq.h"
#include "daemon.h"
#include "wire.h"
#include "wire_text.h"

/* The query: RD, CD as asked, one question, an OPT (payload 4096, DO as asked). */
static int build_query(uint8_t *buf, size_t cap, uint16_t id, const char *name,
		       uint16_t qtype, unsigned flags)
{
	uint8_t qname[WIRE_TEXT_NAME_MAX];
	int n = wire_text_name(name, strlen(name), NULL, qname, sizeof(qname));
	size_t len;

	if (n < 1 || name[0] == '\0')
		return -EINVAL;
	len = WIRE_HDR_LEN + (size_t)n + 4 + 11;
	if (len > cap)
		return -ENOSPC;
	memset(buf, 0, WIRE_HDR_LEN);
	wire_put_u16(buf, id);
	wire_put_u16(buf + 2, WIRE_FLAG_RD | ((flags & CTLQ_CD) ? WIRE_FLAG_CD : 0));
	wire_put_u16(buf + 4, 1);
	wire_put_u16(buf + 10, 1);
	memcpy(buf + WIRE_HDR_LEN, qname, (size_t)n);
	wire_put_u16(buf + WIRE_HDR_LEN + n, qtype);
	wire_put_u16(buf + WIRE_HDR_LEN + n + 2, WIRE_CLASS_IN);
	uint8_t *opt = buf + WIRE_HDR_LEN + n + 4;
	opt[0] = 0;                                       /* root owner */
	wire_put_u16(opt + 1, WIRE_TYPE_OPT);
	wire_put_u16(opt + 3, 4096);                      /* payload size */
	wire_put_u32(opt + 5, (flags & CTLQ_DO) ? 0x8000 : 0);
	wire_put_u16(opt + 9, 0);                         /* no options */
	return (int)len;
}

/* rcode, AD and EDE of the answer in @res. */
static void read_answer(struct ctlq_result *res)
{
	struct wire_rr_ref rr[256];
	struct wire_msg m = { .rr = rr, .rr_cap = RTE_DIM(rr) };

	res->ede = -1;
	if (res->len < WIRE_HDR_LEN) {
		res->rcode = WIRE_RCODE_SERVFAIL;
		return;
	}
	res->rcode = WIRE_RCODE(wire_get_u16(res->msg + 2));
	res->ad = (wire_get_u16(res->msg + 2) & WIRE_FLAG_AD) != 0;
	if (wire_parse_msg(res->msg, res->len, &m) == WIRE_OK && m.edns.has_ede)
		res->ede = m.edns.ede_code;
}

/* Wait for message @want on the control ring; others (late answers) go back to the
 * pool. */
static struct upstream_msg *wait_answer(struct upstream_shared *sh, struct upstream_msg *want,
					unsigned timeout_ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * timeout_ms;
	struct timespec nap = { .tv_sec = 0, .tv_nsec = 1000 * 1000 };
	void *m;

	do {
		while (rte_ring_dequeue(sh->ctl_out, &m) == 0) {
			if (m == want)
				return want;
			rte_mempool_put(sh->msg_pool, m);
		}
		nanosleep(&nap, NULL);
	} while (rte_get_timer_cycles() < end);
	return NULL;
}

int ctlq_resolve(struct daemon *d, const char *name, uint16_t qtype, unsigned flags,
		 unsigned timeout_ms, struct ctlq_result *res)
{
	struct upstream_shared *sh = d->up_shared;
	static uint16_t next_id;
	struct upstream_msg *msg;
	void *obj;
	int len;

	if (sh == NULL || sh->msg_pool == NULL || sh->ctl_out == NULL || d->n_workers == 0)
		return -ENOTSUP;
	if (rte_mempool_get(sh->msg_pool, &obj) != 0)
		return -ENOMEM;
	msg = obj;
	len = build_query(msg->data, sizeof(msg->data), ++next_id, name, qtype, flags);
	if (len < 0) {
		rte_mempool_put(sh->msg_pool, msg);
		return len;
	}
	msg->kind = UPSTREAM_MSG_CONTROL;
	msg->worker = 0;
	msg->len = (uint16_t)len;
	msg->ctl_flags = (flags & CTLQ_NOCACHE) ? UPSTREAM_CTL_NOCACHE : 0;
	if (rte_ring_enqueue(sh->tcp_in[0], msg) != 0) {
		rte_mempool_put(sh->msg_pool, msg);
		return -ENOMEM;
	}
	/* after a timeout the worker still owns msg: a later call frees it */
	if (wait_answer(sh, msg, timeout_ms) == NULL)
		return -ETIMEDOUT;
	res->via = msg->via;
	res->udp_max = msg->udp_max;
	res->len = msg->len;
	memcpy(res->msg, msg->data, msg->len);
	rte_mempool_put(sh->msg_pool, msg);
	read_answer(res);
	return 0;
}
