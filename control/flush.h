/*
 * flush.h - the `flush` control command (sekishoctl flush): removes cached data from
 * the shared cache on the operator's word.
 *
 *   flush NAME          every entry of NAME: responses to questions for it (every type,
 *                       DO/CD variants, negative answers), the RRsets it owns
 *   flush --zone ZONE   the same for ZONE and every name below it
 *   flush --all         everything
 *
 * A name or zone flush also drops the RFC 8198 denial records (validated NSEC/NSEC3)
 * of the zones above, which could otherwise go on answering NXDOMAIN for the flushed
 * names without asking (dataplane/cache/cache.h, "Flushing"). The reply says how many
 * entries went; the cache counts flushes (cache_flushes, cache_flushed). Runs on the
 * control thread; the workers go on answering meanwhile.
 */
#ifndef SEKISHO_CONTROL_FLUSH_H
#define SEKISHO_CONTROL_FLUSH_H

struct daemon;
struct ctl_reply;

#define FLUSH_USAGE "NAME | --zone ZONE | --all"

/*
 * flush_command - a command of control/commands.c (1 or 2 arguments). Returns 0,
 * -EINVAL (usage or a bad name: the reply says which) or -ENOTSUP (no cache: the
 * daemon does not recurse).
 */
int flush_command(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r);

#endif
