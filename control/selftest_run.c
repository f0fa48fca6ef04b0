/*
 * selftest_run.c - the `selftest` control command (selftest.h): asks worker 0 the
 * configured questions through ctlq.h, fresh from the authoritative servers, and
 * replies the judges' lines. Control thread only; it waits for the worker (up to
 * SELFTEST_TIMEOUT_MS per question), the worker never waits for it.
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "ctlq.h"
#include "daemon.h"
#include "selftest.h"
#include "ta_refresh.h"
#include "upstream.h"
#include "wire.h"

/* 64 KiB: kept off the control thread's stack. */
static struct ctlq_result res;

static void answer_from(int rc, const struct ctlq_result *r, struct selftest_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->err = rc;
	a->ede = -1;
	if (rc != 0)
		return;
	a->rcode = r->rcode;
	a->ad = r->ad;
	a->ede = r->ede;
	a->udp = (r->via & UPSTREAM_VIA_UDP) != 0;
	a->fragmented = (r->via & UPSTREAM_VIA_FRAGMENTED) != 0;
	a->tcp = (r->via & UPSTREAM_VIA_TCP) != 0;
	a->udp_max = r->udp_max;
	a->size = r->len;
	a->ancount = r->len >= WIRE_HDR_LEN ? wire_get_u16(r->msg + 6) : 0;
}

/* Ask @n fresh (never from the cache: the test is about the path) with @flags. */
static void ask(struct daemon *d, const struct config_selftest_name *n, unsigned flags,
		struct selftest_answer *a)
{
	int rc = -ENOENT;

	if (n->name[0] != '\0')
		rc = ctlq_resolve(d, n->name, n->type, flags | CTLQ_NOCACHE, SELFTEST_TIMEOUT_MS,
				  &res);
	answer_from(rc, &res, a);
}

static void reply(struct ctl_reply *r, struct selftest_tally *t, enum selftest_check c,
		  bool ok, const char *detail)
{
	char line[CTL_LINE_MAX + 1];

	selftest_line(t, c, ok, detail, line, sizeof(line));
	ctl_reply_line(r, "%s", line);
}

int selftest_command(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r)
{
	const struct config_selftest *st = &d->cfg.server.selftest;
	struct selftest_answer a, cd;
	struct selftest_tally t = { 0 };
	char detail[SELFTEST_DETAIL_MAX], line[CTL_LINE_MAX + 1];
	bool ok;

	(void)argc;
	(void)argv;
	ok = selftest_judge_anchor(d->anchors != NULL ? &d->anchors->conf : NULL,
				   d->cfg.server.dnssec.validation != 0,
				   d->ta != NULL ? &d->ta->tp : NULL, detail, sizeof(detail));
	reply(r, &t, SELFTEST_ANCHOR, ok, detail);

	ask(d, &st->large, CTLQ_DO, &a);
	ok = selftest_judge_large(&st->large, d->cfg.server.edns_buffer_size, &a, detail,
				  sizeof(detail));
	reply(r, &t, SELFTEST_LARGE, ok, detail);

	ask(d, &st->tcp, CTLQ_DO, &a);
	ok = selftest_judge_tcp(&st->tcp, &a, detail, sizeof(detail));
	reply(r, &t, SELFTEST_TCP, ok, detail);

	ask(d, &st->good, CTLQ_DO, &a);
	ok = selftest_judge_good(&st->good, &a, detail, sizeof(detail));
	reply(r, &t, SELFTEST_GOOD, ok, detail);

	ask(d, &st->bogus, CTLQ_DO, &a);
	memset(&cd, 0, sizeof(cd));
	cd.err = -ENOENT;
	if (a.err == 0 && a.rcode == WIRE_RCODE_SERVFAIL)
		ask(d, &st->bogus, CTLQ_DO | CTLQ_CD, &cd);
	ok = selftest_judge_bogus(&st->bogus, &a, &cd, detail, sizeof(detail));
	reply(r, &t, SELFTEST_BOGUS, ok, detail);

	selftest_summary(&t, line, sizeof(line));
	ctl_reply_line(r, "%s", line);
	return t.failed == 0 ? 0 : -EIO;
}
