/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which tool something starts, for the audit's checks that find tools outside their own
 * folders: a command line (a unit's ExecStart=, an autostart entry's Exec=), a unit's or
 * desktop file's name, a container's image. One answer for every check, so that a unit is
 * the same tool's in exposure-settings, the telemetry checks and the hygiene checks.
 */
#ifndef LW_WHICH_TOOL_H
#define LW_WHICH_TOOL_H

#include "core/profiles.h"

/*
 * The tool a command line starts, or NULL: its executable by the profiles' patterns (a bare
 * name looked up as /usr/bin/NAME), an interpreter's command line by the profiles', behind
 * systemd's prefixes ("-", "@", ":", "+", "!", "|") and "env [-i] [NAME=VALUE]..."; a
 * Flatpak by its app id; "docker"/"podman" by the first of its words that is a tool's image
 * (audit_image_tool()); an AppImage or desktop name by the product's name. cmd is untrusted.
 */
const char *audit_command_tool(const struct profile_set *set, const char *cmd);

/* The tool a unit's or desktop file's name names ("ollama.service", "ollama@x.service",
 * "Ollama.desktop": a profile's name, case ignored, before the first "." or "@"), or NULL. */
const char *audit_name_tool(const struct profile_set *set, const char *name);

/*
 * The tool an image reference is of ("docker.io/ollama/ollama:0.5",
 * "ghcr.io/open-webui/open-webui:main", "ollama/ollama@sha256:..."): its repository, tag and
 * digest cut off, against the tools' official images; or NULL.
 */
const char *audit_image_tool(const char *image);

#endif /* LW_WHICH_TOOL_H */
