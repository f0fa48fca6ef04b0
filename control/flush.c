/*
 * flush.c - the `flush` control command (see flush.h). Control thread only: the
 * cache's flush walks the whole table, a few buckets per hold of a shard's lock, and
 * may wait for the workers' next quiescent state; it never stops them.
 */
#include <errno.h>
#include <string.h>

#include <rte_lcore.h>

#include "cache.h"
#include "daemon.h"
#include "flush.h"
#include "wire_text.h"

enum flush_what {
	FLUSH_WHAT_NAME,
	FLUSH_WHAT_ZONE,
	FLUSH_WHAT_ALL,
};

/* The arguments: what to flush and the name (NULL for --all); -EINVAL for a usage
 * error. An argument that starts with "--" is an option, never a name. */
static int parse_args(int argc, char *const argv[], enum flush_what *what,
		      const char **name)
{
	if (argc == 1 && strcmp(argv[0], "--all") == 0) {
		*what = FLUSH_WHAT_ALL;
		*name = NULL;
		return 0;
	}
	if (argc == 2 && strcmp(argv[0], "--zone") == 0 && strncmp(argv[1], "--", 2) != 0) {
		*what = FLUSH_WHAT_ZONE;
		*name = argv[1];
		return 0;
	}
	if (argc == 1 && strncmp(argv[0], "--", 2) != 0) {
		*what = FLUSH_WHAT_NAME;
		*name = argv[0];
		return 0;
	}
	return -EINVAL;
}

static int flush_named(struct daemon *d, enum flush_what what, const char *text,
		       struct ctl_reply *r)
{
	uint8_t name[WIRE_TEXT_NAME_MAX];
	uint32_t removed = 0;
	unsigned int lcore = rte_lcore_id();
	int len = wire_text_name(text, strlen(text), NULL, name, sizeof(name));
	int rc;

	if (len < 0) {
		ctl_reply_line(r, "bad name '%s': %s", text, wire_text_strerror(len));
		return -EINVAL;
	}
	rc = what == FLUSH_WHAT_ZONE ?
	     cache_flush_zone(d->cache, lcore, name, (size_t)len, &removed) :
	     cache_flush_name(d->cache, lcore, name, (size_t)len, &removed);
	if (rc != 0) {
		ctl_reply_line(r, "flush failed: %s", strerror(-rc));
		return rc;
	}
	ctl_reply_line(r, "removed %u entries: %s%s", removed,
		       what == FLUSH_WHAT_ZONE ? "zone " : "", text);
	return 0;
}

int flush_command(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r)
{
	enum flush_what what;
	const char *name;

	if (parse_args(argc, argv, &what, &name) != 0) {
		ctl_reply_line(r, "usage: flush %s", FLUSH_USAGE);
		return -EINVAL;
	}
	if (d->cache == NULL) {
		ctl_reply_line(r, "no cache: sekishod does not recurse (no root-hints)");
		return -ENOTSUP;
	}
	if (what != FLUSH_WHAT_ALL)
		return flush_named(d, what, name, r);
	ctl_reply_line(r, "removed %u entries: all", cache_flush(d->cache, rte_lcore_id()));
	return 0;
}
