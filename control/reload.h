/*
 * reload.h - control commands that publish a new version of what the workers read
 * (snapshot.h): `reload` (the config file read again) and `nta` (negative trust
 * anchors at run time, RFC 7646). daemon_publish_anchors() (daemon.h) is here too.
 */
#ifndef SEKISHO_CONTROL_RELOAD_H
#define SEKISHO_CONTROL_RELOAD_H

#include "ctl.h"

struct daemon;

/* reload: local data, trust anchors, NTAs and validation settings from the config
 * file; settings that need a restart are named and left as they are. */
int cmd_reload(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r);

/* nta add NAME [SECONDS] | nta del NAME | nta list */
int cmd_nta(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r);

#endif
