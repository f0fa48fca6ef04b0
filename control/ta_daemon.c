/*
 * ta_daemon.c - RFC 5011 in sekishod: start-up, refresh through a worker, publication,
 * the trust-anchors command. See ta_daemon.h. Control thread only.
 */
#include "ta_daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ctlq.h"
#include "daemon.h"
#include "ta_refresh.h"
#include "wire.h"

#define TYPE_DS 43

static const uint8_t root_name[] = { 0 };

/* ---- Start-up ------------------------------------------------------------------------- */

/* The directory the state file goes in exists, or is made (one level, like
 * /var/lib/sekisho on a fresh system). Returns 0 or -1 with the reason printed. */
static int state_dir_ready(const struct config *cfg, const char *path, bool check_only)
{
	const struct config_dnssec *dc = &cfg->server.dnssec;
	const char *slash = strrchr(path, '/');
	char dir[CONFIG_PATH_MAX];
	struct stat st;

	if (slash == NULL || slash == path)
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (check_only) {
		printf("sekishod: %s:%u: trust-anchor-state-file: directory %s will be made at "
		       "start\n", cfg->source, dc->state_file_line, dir);
		return 0;
	}
	if (mkdir(dir, 0755) == 0)
		return 0;
	fprintf(stderr, "sekishod: %s:%u: trust-anchor-state-file '%s': cannot make directory "
		"%s: %s\n", cfg->source, dc->state_file_line, path, dir, strerror(errno));
	return -1;
}

/* --check-config: the state file is read and checked, nothing is written. */
static int check_state_file(const struct config *cfg, const char *path)
{
	static struct rfc5011_point tp;
	char err[512];
	int rc = rfc5011_load(&tp, path, err, sizeof(err));

	if (rc == -ENOENT) {
		printf("sekishod: %s: no RFC 5011 state yet: it starts from the root anchors\n",
		       path);
		return 0;
	}
	if (rc != 0) {
		fprintf(stderr, "sekishod: %s (trust-anchor-state-file, %s:%u)\n", err,
			cfg->source, cfg->server.dnssec.state_file_line);
		return -1;
	}
	printf("sekishod: %s: RFC 5011 state of %u key(s), %u initial DS\n", path, tp.n_keys,
	       tp.n_ds);
	return 0;
}

static void rfc5011_settings(const struct daemon *d, struct rfc5011_config *rc)
{
	const struct config_dnssec *dc = &d->cfg.server.dnssec;

	rfc5011_config_default(rc);
	rc->add_hold_down = dc->rfc5011_add_holddown;
	rc->remove_hold_down = dc->rfc5011_remove_holddown;
	rc->query_min = dc->rfc5011_query_min;
	rc->retry_min = dc->rfc5011_retry_min;
	rc->policy = d->anchors->conf.policy;
}

/* The root anchors of the config (the trust point's initial anchors). */
static unsigned config_root_anchors(const struct validate_chain_conf *c,
				    struct validate_anchor *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->n_anchors; i++)
		if (wire_name_equal(c->anchors[i].owner, c->anchors[i].owner_len, root_name, 1))
			out[n++] = c->anchors[i];
	return n;
}

/* @a (the validator's conf from the config) with the root's anchors the trust point's:
 * a copy that owns their RDATA, in place of @a. */
static int own_root_anchors(const struct ta_refresh *ta, struct anchors **a)
{
	struct anchors *next = calloc(1, sizeof(*next));

	if (next == NULL || anchors_set_zone(next, *a, root_name, sizeof(root_name),
					     ta->anchors, ta->n_anchors) != 0) {
		free(next);
		return -1;
	}
	free(*a);
	*a = next;
	return 0;
}

int ta_daemon_root_anchors(const struct daemon *d, struct anchors **a)
{
	if (d->ta == NULL || *a == NULL)
		return 0;
	return own_root_anchors(d->ta, a);
}

int ta_daemon_start(struct daemon *d, const char *conf_path)
{
	struct config_dnssec *dc = &d->cfg.server.dnssec;
	bool check_only = d->check_only;
	struct validate_anchor initial[VALIDATE_CHAIN_ANCHORS_MAX];
	struct rfc5011_config rc;
	char err[600];
	unsigned n;
	uint64_t now = (uint64_t)time(NULL);

	if (dc->state_file[0] == '\0')
		return 0;
	daemon_relative_path(conf_path, dc->state_file, sizeof(dc->state_file));
	if (d->anchors == NULL)
		return 0;
	if (state_dir_ready(&d->cfg, dc->state_file, check_only) != 0)
		return -1;
	if (check_only)
		return check_state_file(&d->cfg, dc->state_file);
	d->ta = calloc(1, sizeof(*d->ta));
	rfc5011_settings(d, &rc);
	if (d->ta == NULL ||
	    ta_refresh_init(d->ta, dc->state_file, &rc, d->anchors->conf.skew) != 0) {
		fprintf(stderr, "sekishod: trust-anchor-state-file: out of memory\n");
		return -1;
	}
	n = config_root_anchors(&d->anchors->conf, initial);
	if (ta_refresh_start(d->ta, initial, n, now, err, sizeof(err)) != 0) {
		fprintf(stderr, "sekishod: %s (trust-anchor-state-file, %s:%u)\n", err,
			d->cfg.source, dc->state_file_line);
		return -1;
	}
	if (own_root_anchors(d->ta, &d->anchors) != 0) {
		fprintf(stderr, "sekishod: %s:%u: too many trust anchors with RFC 5011's\n",
			d->cfg.source, dc->state_file_line);
		return -1;
	}
	printf("sekishod: RFC 5011 on for the root: %u anchor(s) trusted, state %s, next "
	       "refresh in %lld s\n", d->ta->n_anchors, dc->state_file,
	       (long long)(d->ta->tp.next_refresh - now));
	return 0;
}

void ta_daemon_free(struct daemon *d)
{
	if (d->ta == NULL)
		return;
	ta_refresh_free(d->ta);
	free(d->ta);
	d->ta = NULL;
}

/* ---- Refresh -------------------------------------------------------------------------- */

static void print_log(const struct ta_refresh *ta)
{
	const char *s = ta->log;

	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		int n = nl != NULL ? (int)(nl - s) : (int)strlen(s);

		printf("sekishod: RFC 5011: %.*s\n", n, s);
		s += n + (nl != NULL);
	}
}

static const char *ctlq_reason(int rc)
{
	switch (rc) {
	case -ETIMEDOUT:
		return "no answer in time";
	case -ENOTSUP:
		return "no recursion or no exception path";
	case -ENOMEM:
		return "no message object free";
	default:
		return "query failed";
	}
}

/* The new trusted set to the workers. */
static void publish(struct daemon *d, const struct ta_refresh *ta)
{
	int rc;

	if (ta->n_anchors == 0) {
		printf("sekishod: RFC 5011: every root key is revoked; the workers keep the "
		       "last anchors\n");
		return;
	}
	rc = daemon_publish_anchors(d, root_name, sizeof(root_name), ta->anchors,
				    ta->n_anchors);
	if (rc != 0)
		printf("sekishod: RFC 5011: publishing %u root anchor(s) failed: %s\n",
		       ta->n_anchors, strerror(-rc));
	else
		printf("sekishod: RFC 5011: the workers trust %u root anchor(s) now\n",
		       ta->n_anchors);
}

void ta_daemon_tick(struct daemon *d)
{
	static struct ctlq_result res; /* 64 KiB: not on the control thread's stack */
	enum ta_refresh_result r;
	int rc;

	if (d->ta == NULL || !ta_refresh_due(d->ta, (uint64_t)time(NULL)))
		return;
	rc = ctlq_resolve(d, ".", WIRE_TYPE_DNSKEY, CTLQ_DO | CTLQ_NOCACHE,
			  TA_DAEMON_QUERY_TIMEOUT_MS, &res);
	if (rc != 0)
		r = ta_refresh_no_answer(d->ta, ctlq_reason(rc), (uint64_t)time(NULL));
	else
		r = ta_refresh_answer(d->ta, res.msg, res.len, res.ad, (uint64_t)time(NULL));
	print_log(d->ta);
	if (r == TA_REFRESH_ANCHORS_CHANGED)
		publish(d, d->ta);
}

/* ---- trust-anchors --------------------------------------------------------------------- */

static void reply_text(void *arg, const char *text)
{
	ctl_reply_line(arg, "%s", text);
}

/* Without RFC 5011: the anchors the validator was started with. */
static void report_static(const struct daemon *d, struct ctl_reply *r)
{
	const struct validate_chain_conf *c = &d->anchors->conf;

	for (unsigned i = 0; i < c->n_anchors; i++) {
		const struct validate_anchor *a = &c->anchors[i];
		char owner[WIRE_NAME_TEXT_MAX];

		if (wire_name_to_text(a->owner, a->owner_len, owner, sizeof(owner)) < 0 ||
		    a->rdlen < 4)
			continue;
		if (a->type == TYPE_DS)
			ctl_reply_line(r, "anchor %s DS %u %u %u", owner, wire_get_u16(a->rdata),
				       a->rdata[2], a->rdata[3]);
		else
			ctl_reply_line(r, "anchor %s DNSKEY %u %u flags=%u", owner,
				       validate_key_tag(a->rdata, a->rdlen), a->rdata[3],
				       wire_get_u16(a->rdata));
	}
}

int ta_daemon_cmd_trust_anchors(struct daemon *d, int argc, char *const argv[],
				struct ctl_reply *r)
{
	(void)argc;
	(void)argv;
	if (d->anchors == NULL) {
		ctl_reply_line(r, "validation off");
		return 0;
	}
	if (d->ta == NULL) {
		ctl_reply_line(r, "rfc5011 off");
		report_static(d, r);
		return 0;
	}
	ctl_reply_line(r, "rfc5011 on");
	ta_refresh_report(d->ta, reply_text, r);
	ctl_reply_line(r, "refreshes %llu failures %llu save-errors %llu",
		       (unsigned long long)d->ta->refreshes,
		       (unsigned long long)d->ta->failures,
		       (unsigned long long)d->ta->save_errors);
	return 0;
}
