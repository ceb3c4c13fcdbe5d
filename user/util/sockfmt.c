// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text forms of socket addresses and call results (see sockfmt.h). */
#include "util/sockfmt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

const char *sockfmt_addr(const struct lw_sockaddr *a, char buf[SOCKFMT_ADDR_LEN])
{
	buf[0] = '\0';
	if (a->family == AF_INET)
		inet_ntop(AF_INET, a->addr, buf, SOCKFMT_ADDR_LEN);
	else if (a->family == AF_INET6)
		inet_ntop(AF_INET6, a->addr, buf, SOCKFMT_ADDR_LEN);
	return buf;
}

const char *sockfmt_family(uint16_t family, char buf[16])
{
	switch (family) {
	case AF_INET:
		return "ipv4";
	case AF_INET6:
		return "ipv6";
	case AF_UNIX:
		return "unix";
	case 0:
		return "none";
	}
	snprintf(buf, 16, "family-%u", family);
	return buf;
}

const char *sockfmt_close_reason(uint32_t reason)
{
	static const char *const names[] = {
		[LW_CLOSE_TCP] = "tcp_close",	[LW_CLOSE_EXIT] = "exit",
		[LW_CLOSE_END] = "end",		[LW_CLOSE_RELEASE] = "socket_closed",
		[LW_CLOSE_INTERIM] = "interim",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "";
}

const char *sockfmt_socktype(uint32_t type, char buf[16])
{
	switch (type) {
	case 0:
		return "";
	case SOCK_STREAM:
		return "stream";
	case SOCK_DGRAM:
		return "dgram";
	case SOCK_RAW:
		return "raw";
	case SOCK_SEQPACKET:
		return "seqpacket";
	}
	snprintf(buf, 16, "type-%u", type);
	return buf;
}

const char *sockfmt_errno_name(int64_t ret)
{
	if (ret >= 0)
		return NULL;
	/* errno values stop at 4095; and -INT64_MIN would overflow */
	if (ret < -4095)
		return "E?";
	/* the common results of the calls we trace; others print as their number */
	switch (-ret) {
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case EEXIST:
		return "EEXIST";
	case EINTR:
		return "EINTR";
	case EBADF:
		return "EBADF";
	case EAGAIN:
		return "EAGAIN";
	case EFAULT:
		return "EFAULT";
	case EINVAL:
		return "EINVAL";
	case EISDIR:
		return "EISDIR";
	case ENOTDIR:
		return "ENOTDIR";
	case EMFILE:
		return "EMFILE";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
	case ELOOP:
		return "ELOOP";
	case EROFS:
		return "EROFS";
	case ENOTSOCK:
		return "ENOTSOCK";
	case EDESTADDRREQ:
		return "EDESTADDRREQ";
	case EMSGSIZE:
		return "EMSGSIZE";
	case EAFNOSUPPORT:
		return "EAFNOSUPPORT";
	case EADDRINUSE:
		return "EADDRINUSE";
	case EADDRNOTAVAIL:
		return "EADDRNOTAVAIL";
	case ENETUNREACH:
		return "ENETUNREACH";
	case ECONNRESET:
		return "ECONNRESET";
	case EISCONN:
		return "EISCONN";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case EHOSTUNREACH:
		return "EHOSTUNREACH";
	case EALREADY:
		return "EALREADY";
	case EINPROGRESS:
		return "EINPROGRESS";
	}
	return "E?";
}
