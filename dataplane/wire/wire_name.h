/*
 * wire_name.h - domain names in wire format (RFC 1035 §3.1, §4.1.4; RFC 4034 §6).
 *
 * Include "wire.h", which includes this file. A name here is always its wire form:
 * length-prefixed labels ending with the zero-length root label, at most 255 bytes.
 * Functions that take an "uncompressed name" expect one already checked by
 * wire_name_unpack() or wire_name_length(); they still never read past the length
 * they are given.
 */
#ifndef SEKISHO_WIRE_NAME_H
#define SEKISHO_WIRE_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_NAME_MAX 255
#define WIRE_LABEL_MAX 63
#define WIRE_LABELS_MAX 128 /* 127 one-byte labels plus the root */
/* Room for wire_name_to_text(): every byte could become \DDD, plus NUL. */
#define WIRE_NAME_TEXT_MAX 1024

/*
 * wire_name_unpack - read a possibly compressed name from a DNS message.
 *
 * @pkt, @pktlen: the whole message (compression pointers are offsets into it).
 * @off: where the name starts.
 * @out: receives the uncompressed name, letter case kept; may be NULL to only check.
 * @outlen: its length including the root label (may be NULL).
 * @next_off: offset just after the name where it sits (after the first pointer,
 *            or after the root label); may be NULL.
 *
 * A pointer must point strictly before the start of the label run it ends (the
 * name's start, or the previous pointer's target) and not into the 12-byte
 * header. Targets therefore strictly decrease, which rules out self pointers,
 * forward pointers and loops without counting jumps.
 * Returns WIRE_OK; WIRE_ESHORT (runs off the end), WIRE_EPTR, WIRE_ELABEL (label
 * over 63, label types 0x40/0x80), WIRE_ENAME (over 255 bytes).
 */
int wire_name_unpack(const uint8_t *pkt, size_t pktlen, size_t off,
		     uint8_t *out, size_t *outlen, size_t *next_off);

/*
 * wire_name_skip - check the name at @off like wire_name_unpack() without copying it,
 * and give the offset after it in @next_off.
 * Returns the same codes as wire_name_unpack().
 */
int wire_name_skip(const uint8_t *pkt, size_t pktlen, size_t off, size_t *next_off);

/*
 * wire_name_length - length of the uncompressed name at the start of @buf.
 * Pointers are not allowed here (WIRE_EPTR).
 * Returns the length (1..255, root label included) or a negative wire_err.
 */
int wire_name_length(const uint8_t *buf, size_t len);

/* wire_name_to_lower - ASCII-lowercase the label bytes of @name in place. */
void wire_name_to_lower(uint8_t *name, size_t len);

/* wire_name_equal - true when both names are the same, ignoring ASCII case. */
bool wire_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/*
 * wire_name_canonical_cmp - RFC 4034 §6.1 canonical order.
 * Labels are compared from the rightmost, lowercased, as unsigned octet strings;
 * when one label is a prefix of the other the shorter sorts first, and a name
 * that runs out of labels first sorts first.
 * Returns <0, 0 or >0 like memcmp. Invalid names compare as if cut where they
 * stop being valid.
 */
int wire_name_canonical_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* wire_name_is_subdomain - true when @name is @zone or lies below it (case-insensitive). */
bool wire_name_is_subdomain(const uint8_t *name, size_t nlen, const uint8_t *zone, size_t zlen);

/*
 * wire_name_label_count - the RRSIG "Labels" value of RFC 4034 §3.1.3: labels not
 * counting the root, nor a leading "*" label. Returns it, or a negative wire_err.
 */
int wire_name_label_count(const uint8_t *name, size_t len);

/*
 * wire_name_to_text - presentation form for logs: "www.example.", "." for the root.
 * Bytes outside 0x21..0x7e become \DDD; '.' and '\' inside a label become "\." and "\\".
 * @out, @cap: destination, always NUL-terminated when cap > 0.
 * Returns the number of characters written (without the NUL) or WIRE_ENOSPC.
 */
int wire_name_to_text(const uint8_t *name, size_t len, char *out, size_t cap);

#endif /* SEKISHO_WIRE_NAME_H */
