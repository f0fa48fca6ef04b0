/*
 * wire_internal.h - shared between the codec's own .c files; not for other modules.
 */
#ifndef SEKISHO_WIRE_INTERNAL_H
#define SEKISHO_WIRE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

/* How the RDATA of a type that embeds names is laid out: @pre fixed bytes, then
 * @names domain names, then exactly @post fixed bytes. @compress: RFC 3597 §4
 * allows compressing these names when sending (NS, CNAME, PTR, MX, SOA only). */
struct wire_rdata_layout {
	uint8_t pre, names, post;
	bool compress;
};

/* Fills @l and returns true when @type carries names in its RDATA. */
bool wire_rdata_layout(uint16_t type, struct wire_rdata_layout *l);

#endif /* SEKISHO_WIRE_INTERNAL_H */
