/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * DNS response parser: from a response captured on the wire (a UDP payload, or a TCP
 * payload with its 2-byte length prefix) it extracts the question name and every A/AAAA
 * answer that belongs to it, following CNAME chains, so that the cache can say which name
 * a process asked for when it later connects to one of the addresses.
 *
 * The input is hostile: compression pointers are followed only backwards, every length is
 * checked against the message, names over 255 octets or labels over 63 are refused, and
 * nothing is ever read outside [buf, buf + len).
 */
#ifndef LW_DNS_PARSE_H
#define LW_DNS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "names/hostname.h"

#define DNS_MAX_ANSWERS 32 /* addresses kept per response; more are counted, not kept */
#define DNS_MAX_CNAMES 16  /* CNAME records kept per response */
#define DNS_MAX_CHAIN 8	   /* CNAME hops followed from the question name */

#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1

#define DNS_RCODE_NXDOMAIN 3

/* One address answer, named by the question it answers. */
struct dns_answer {
	uint16_t family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16];	  /* IPv4 in the first 4 bytes, as in struct lw_sockaddr */
	uint32_t ttl;		  /* seconds: the smallest TTL along the chain to it */
	uint8_t chain_len;	  /* CNAME hops from the question: chain[0..chain_len) */
	char owner[HOSTNAME_BUF]; /* the record's own name (the chain's end) */
};

/* One CNAME link: from is an alias of to. */
struct dns_cname {
	uint32_t ttl;
	char from[HOSTNAME_BUF];
	char to[HOSTNAME_BUF];
};

struct dns_response {
	uint16_t id;
	uint8_t rcode;		  /* 0 = NOERROR; anything else means no answers */
	uint8_t truncated;	  /* the TC bit: the server cut the answer itself */
	uint16_t qtype;		  /* 0 when the response carries no question */
	char qname[HOSTNAME_BUF]; /* the question, lower case; "" when none */

	/*
	 * Addresses reachable from qname through chain[]: every one of them is an address
	 * of qname. Without a question, addresses are kept under their own owner names.
	 */
	unsigned int n_answers;
	struct dns_answer answers[DNS_MAX_ANSWERS];

	/* The CNAME chain from qname, in order: chain[0].from == qname. */
	unsigned int chain_len;
	struct dns_cname chain[DNS_MAX_CHAIN];

	/*
	 * Answer records not kept: beyond DNS_MAX_ANSWERS, other types or classes, names that
	 * are not host names, or addresses not reachable from the question (a resolver would
	 * not believe those either).
	 */
	unsigned int n_skipped;
};

/*
 * Parses a DNS response held in a UDP payload. Returns 0 with *out filled (n_answers may
 * be 0: NXDOMAIN, NODATA, no A/AAAA); -EINVAL if it is not a standard query response
 * (QR bit clear, opcode not QUERY) or is malformed (bad pointer, label > 63, name > 255
 * octets, bad record length); -EMSGSIZE if the bytes end before the answer section does
 * (a cut capture, or counts that promise more records than there are). The authority and
 * additional sections are never read, so a cut there is not an error. On -EMSGSIZE *out
 * still holds, consistently, every answer that was complete before the end, so a cut
 * capture is not wasted. On -EINVAL *out holds no answers.
 */
int dns_parse_udp(const void *buf, size_t len, struct dns_response *out);

/*
 * The same for DNS over TCP: buf starts with the 2-byte message length. Only the first
 * message is parsed, over the bytes present (at most the announced length). Returns as
 * dns_parse_udp(); -EMSGSIZE also when not even the prefix is there, -EINVAL when the
 * prefix announces less than a DNS header.
 */
int dns_parse_tcp(const void *buf, size_t len, struct dns_response *out);

#endif /* LW_DNS_PARSE_H */
