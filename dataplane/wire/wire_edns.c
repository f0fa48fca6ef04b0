/*
 * wire_edns.c - decoding the EDNS(0) OPT record (RFC 6891) and its options.
 *
 * Options are {code u16, length u16, data} tiles that must exactly fill the RDATA:
 * an option whose length runs past the RDATA makes the whole message FORMERR
 * rather than being silently cut, so a client cannot smuggle bytes past us.
 * Never allocates; pointers handed back point into the caller's packet.
 */
#include <string.h>

#include "wire.h"

static int parse_cookie(const uint8_t *data, uint16_t len, struct wire_edns *e)
{
	bool client_only = len == WIRE_COOKIE_CLIENT_LEN;
	bool with_server = len >= WIRE_COOKIE_CLIENT_LEN + WIRE_COOKIE_SERVER_MIN &&
			   len <= WIRE_COOKIE_CLIENT_LEN + WIRE_COOKIE_SERVER_MAX;

	if (!client_only && !with_server)
		return WIRE_EOPT_OPTION;
	memcpy(e->client_cookie, data, WIRE_COOKIE_CLIENT_LEN);
	e->server_cookie_len = (uint8_t)(len - WIRE_COOKIE_CLIENT_LEN);
	memcpy(e->server_cookie, data + WIRE_COOKIE_CLIENT_LEN, e->server_cookie_len);
	e->has_cookie = true;
	return WIRE_OK;
}

static int parse_ede(const uint8_t *data, uint16_t len, struct wire_edns *e)
{
	if (len < 2)
		return WIRE_EOPT_OPTION;
	if (e->has_ede)
		return WIRE_OK; /* several EDEs are allowed; the first one is kept */
	e->has_ede = true;
	e->ede_code = wire_get_u16(data);
	e->ede_text = len > 2 ? data + 2 : NULL;
	e->ede_text_len = (uint16_t)(len - 2);
	return WIRE_OK;
}

static int parse_option(uint16_t code, const uint8_t *data, uint16_t len, struct wire_edns *e)
{
	switch (code) {
	case WIRE_EDNS_OPT_COOKIE:
		return parse_cookie(data, len, e);
	case WIRE_EDNS_OPT_EDE:
		return parse_ede(data, len, e);
	case WIRE_EDNS_OPT_NSID:
		e->has_nsid = true;
		return WIRE_OK;
	default:
		return WIRE_OK;
	}
}

int wire_edns_parse(uint16_t class, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen,
		    struct wire_edns *e)
{
	memset(e, 0, sizeof(*e));
	e->options_len = rdlen;
	e->present = true;
	e->udp_size = class;
	e->ext_rcode = (uint8_t)(ttl >> 24);
	e->version = (uint8_t)(ttl >> 16);
	e->flags = (uint16_t)ttl;
	e->do_bit = (e->flags & WIRE_EDNS_FLAG_DO) != 0;

	size_t pos = 0;
	while (pos < rdlen) {
		if (rdlen - pos < 4)
			return WIRE_EOPT_OPTION;
		uint16_t code = wire_get_u16(rdata + pos);
		uint16_t len = wire_get_u16(rdata + pos + 2);
		pos += 4;
		if (len > rdlen - pos)
			return WIRE_EOPT_OPTION;
		int rc = parse_option(code, rdata + pos, len, e);
		if (rc != WIRE_OK)
			return rc;
		pos += len;
	}
	return WIRE_OK;
}

int wire_edns_check(const struct wire_edns *e)
{
	if (e->present && e->version > WIRE_EDNS_VERSION)
		return WIRE_EBADVERS;
	return WIRE_OK;
}
