/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reaching the UDP sockets a process holds, through copies of its descriptors: to mark
 * those it already holds when it starts being watched, so the egress program counts their
 * datagrams as it does for sockets cgroup/sock_create marked; to read the flows their
 * storage counts when llmwatch stops; and to unmark those of a process found not to be a
 * tool.
 */
#ifndef LW_SOCK_MARKS_H
#define LW_SOCK_MARKS_H

#include <stdint.h>

/*
 * Marks each UDP socket (IPv4 or IPv6) among pid's descriptors (read from
 * PROC_ROOT/PID/fd): a copy of it is taken with pidfd_getfd(2), and through that copy its
 * entries in the socket-storage maps flows_fd (struct lw_sock_flows: pid and tool as
 * owner, no flows yet) and marks_fd (conn_marks: a struct lw_sock_conn, LW_MARK_FLOWS) are
 * made; a socket that has either already keeps it (the kernel's is newer). Returns how many
 * sockets are marked, or -errno when the process's descriptors cannot be read (-ESRCH gone,
 * -EPERM); *failed (if not NULL) gets how many UDP sockets could not be marked. A
 * descriptor closed meanwhile is skipped.
 */
int sock_marks_apply(int marks_fd, int flows_fd, const char *proc_root, uint32_t pid, uint16_t tool,
		     unsigned int *failed);

/*
 * Takes the marks off each UDP socket among pid's descriptors whose owner (struct
 * lw_sock_flows) is pid: its entries in marks_fd and flows_fd are deleted, so the egress
 * program counts nothing more of it and its storage keeps no flow. Returns how many, or
 * -errno as sock_marks_apply().
 */
int sock_marks_forget(int marks_fd, int flows_fd, const char *proc_root, uint32_t pid);

struct lw_conn;

/* Given the cookie and the storage flow of one socket (see sock_flows_read). */
typedef void (*sock_flow_fn)(void *arg, uint64_t cookie, const struct lw_conn *conn);

/*
 * The flows kept in the storage of pid's UDP sockets (LW_SK_FLOW_READY in marks_fd,
 * conn_marks): each socket's is read through a copy taken with pidfd_getfd(2), as above,
 * and handed to fn. Returns how many, or -errno as sock_marks_apply().
 */
int sock_flows_read(int marks_fd, const char *proc_root, uint32_t pid, sock_flow_fn fn, void *arg);

#endif /* LW_SOCK_MARKS_H */
