/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The hygiene checks (issue 17): inference tools that start at boot or login, automatic
 * updates, the account each tool runs as, and the extensions, plugins and MCP servers the
 * tools are configured with.
 */
#ifndef LW_CHECK_HYGIENE_H
#define LW_CHECK_HYGIENE_H

#include "audit/audit.h"

/* Enabled systemd units (system and user) and XDG autostart entries that start a tool. */
int check_hygiene_startup(const struct audit_ctx *c, struct audit_report *r);
/* Each installed tool's update behaviour, from its source (no tool updates itself silently). */
int check_hygiene_updates(const struct audit_ctx *c, struct audit_report *r);
/* The account each tool's unit (User=) and running process uses: root or a login account WARN. */
int check_hygiene_accounts(const struct audit_ctx *c, struct audit_report *r);
/* Extensions, plugins and MCP servers in the tools' folders, listed. */
int check_hygiene_extensions(const struct audit_ctx *c, struct audit_report *r);

#endif /* LW_CHECK_HYGIENE_H */
