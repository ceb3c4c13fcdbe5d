# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make install / make uninstall: the binary, the systemd unit, the man page, an example
# config and rules.d. Included by the top-level Makefile.
#
#   make install [PREFIX=/usr/local] [SYSCONFDIR=/etc] [DESTDIR=]
#   make uninstall (same variables): removes what install put there, but never the
#                  config or the rules in SYSCONFDIR/llmwatch, which are the admin's
#   make unit      only $(BUILD)/dist/llmwatch.service, with the paths filled in
# An existing SYSCONFDIR/llmwatch/llmwatch.conf or rules.d/local.json is never overwritten.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
MANDIR ?= $(PREFIX)/share/man
# systemd reads units from /usr/local/lib/systemd/system as well as /usr/lib/...
UNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL ?= install

.PHONY: install uninstall unit

# Rebuilt every time: the paths come from the command line's variables.
unit: FORCE
	$(call msg,GEN,$(BUILD)/dist/llmwatch.service)
	$(Q)mkdir -p $(BUILD)/dist
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/llmwatch.service.in >$(BUILD)/dist/llmwatch.service

install: $(BUILD)/llmwatch unit
	$(call msg,INSTALL,$(DESTDIR)$(SBINDIR)/llmwatch)
	$(Q)$(INSTALL) -d -m 755 $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8
	$(Q)$(INSTALL) -m 755 $(BUILD)/llmwatch $(DESTDIR)$(SBINDIR)/llmwatch
	$(Q)$(INSTALL) -m 644 $(BUILD)/dist/llmwatch.service $(DESTDIR)$(UNITDIR)/llmwatch.service
	$(Q)$(INSTALL) -m 644 man/llmwatch.8 $(DESTDIR)$(MANDIR)/man8/llmwatch.8
	$(Q)$(INSTALL) -d -m 755 $(DESTDIR)$(SYSCONFDIR)/llmwatch/rules.d
	$(Q)if [ -e $(DESTDIR)$(SYSCONFDIR)/llmwatch/llmwatch.conf ]; then \
		echo "  KEEP     $(DESTDIR)$(SYSCONFDIR)/llmwatch/llmwatch.conf (exists)"; \
	else \
		sed 's|/etc/llmwatch|$(SYSCONFDIR)/llmwatch|g' dist/llmwatch.conf \
			>$(BUILD)/dist/llmwatch.conf && \
		$(INSTALL) -m 600 $(BUILD)/dist/llmwatch.conf \
			$(DESTDIR)$(SYSCONFDIR)/llmwatch/llmwatch.conf; \
	fi
	$(Q)if [ -e $(DESTDIR)$(SYSCONFDIR)/llmwatch/rules.d/local.json ]; then \
		echo "  KEEP     $(DESTDIR)$(SYSCONFDIR)/llmwatch/rules.d/local.json (exists)"; \
	else \
		$(INSTALL) -m 644 dist/rules.d/local.json \
			$(DESTDIR)$(SYSCONFDIR)/llmwatch/rules.d/local.json; \
	fi

uninstall:
	$(call msg,REMOVE,$(DESTDIR)$(SBINDIR)/llmwatch)
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/llmwatch $(DESTDIR)$(UNITDIR)/llmwatch.service \
		$(DESTDIR)$(MANDIR)/man8/llmwatch.8
	$(Q)if [ -d $(DESTDIR)$(SYSCONFDIR)/llmwatch ]; then \
		echo "  KEEP     $(DESTDIR)$(SYSCONFDIR)/llmwatch (your config and rules)"; fi
