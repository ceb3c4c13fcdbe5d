/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The audit's "exposure" item (issue 17): whether an inference tool's API can be reached from
 * the network. Its sockets (listening beyond loopback), the host settings that put it there
 * (environment, command line, systemd units, settings files), containers of its image with a
 * port published on every address, CORS that lets any web page call it, and whether an API
 * key guards what is exposed.
 */
#ifndef LW_CHECK_EXPOSURE_H
#define LW_CHECK_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/audit.h"

/* How an address a tool binds is reached. */
enum check_exposure_host {
	CHECK_EXPOSURE_LOOPBACK, /* 127.0.0.0/8, ::1, ::ffff:127.x, "localhost" */
	CHECK_EXPOSURE_ALL,	 /* every interface: 0.0.0.0, ::, an empty host (":8080") */
	CHECK_EXPOSURE_OTHER,	 /* one address or name beyond loopback (a LAN address) */
};

/*
 * The host part of a setting's value as the tools take it: "0.0.0.0", "0.0.0.0:11434",
 * "[::1]:8080", "::", ":8080", "http://0.0.0.0:11434" (OLLAMA_HOST's scheme), a name.
 * dflt is what an empty value means to the tool (Ollama: loopback; koboldcpp: all).
 */
enum check_exposure_host check_exposure_host_of(const char *value, enum check_exposure_host dflt);

/* The tools that usually listen on port, "Ollama" or "llama-server, LocalAI, Open WebUI", with
 * the source of the fact in *source; NULL when none does. */
const char *check_exposure_port_owner(unsigned int port, const char **source);

/* exposure-listeners: sockets of inference tools listening beyond loopback (live only). */
int check_exposure_listeners(const struct audit_ctx *c, struct audit_report *r);
/* exposure-settings: host settings in processes, units and settings files. */
int check_exposure_settings(const struct audit_ctx *c, struct audit_report *r);
/* exposure-containers: Docker containers of the tools' images publishing a port on all
 * addresses. */
int check_exposure_containers(const struct audit_ctx *c, struct audit_report *r);
/* exposure-cors: CORS settings that admit any origin (OLLAMA_ORIGINS=*, lms --cors, Jan). */
int check_exposure_cors(const struct audit_ctx *c, struct audit_report *r);
/* exposure-auth: API keys where the tool supports one; a tool exposed without one. */
int check_exposure_auth(const struct audit_ctx *c, struct audit_report *r);

#endif /* LW_CHECK_EXPOSURE_H */
