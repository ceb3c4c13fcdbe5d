// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The hygiene checks (check_hygiene.h) on fixture roots: units enabled through .wants/
 * links and autostart entries that start a tool (and those switched off, or of other
 * programs), the account of each tool's unit with its drop-ins, update behaviour per tool,
 * and the extensions and MCP servers listed; each with its passing case.
 */
#include "audit/check_hygiene.h"
#include "audit_fixture.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
			     "ollama:x:998:998::/usr/share/ollama:/bin/false\n"
			     "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
			     "svc:x:1500:1500::/srv:/usr/sbin/nologin\n"
			     "broken\n";

static void test_startup(void)
{
	struct fixture fx;
	const struct audit_finding *f;
	char ev[512];

	fx_init(&fx, "hygiene");
	/* nothing starts a tool: other programs' units and entries only */
	fx_put(&fx, "etc/systemd/system/sshd.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n");
	fx_link(&fx, "/etc/systemd/system/sshd.service",
		"etc/systemd/system/multi-user.target.wants/sshd.service");
	fx_put(&fx, "home/alice/.config/autostart/nm-applet.desktop",
	       "[Desktop Entry]\nExec=nm-applet\n");
	CHECK_INT(check_hygiene_startup(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "hygiene-startup", AUDIT_PASS, NULL, "no enabled systemd unit") != NULL);

	/* Ollama's service enabled, vLLM as a user unit, Jan and an AppImage at login */
	fx_reset(&fx);
	fx_put(&fx, "etc/systemd/system/ollama.service",
	       "[Unit]\nDescription=Ollama\n[Service]\nExecStart=/usr/local/bin/ollama serve\n");
	fx_link(&fx, "/etc/systemd/system/ollama.service",
		"etc/systemd/system/default.target.wants/ollama.service");
	/* a unit whose command is only in a drop-in, read as systemd reads it */
	fx_put(&fx, "etc/systemd/system/llm.service", "[Unit]\nDescription=models\n");
	fx_put(&fx, "etc/systemd/system/llm.service.d/exec.conf",
	       "[Service]\nExecStart=/usr/local/bin/ollama serve\n");
	fx_link(&fx, "/etc/systemd/system/llm.service",
		"etc/systemd/system/multi-user.target.wants/llm.service");
	/* RequiredBy= enables it too */
	fx_put(&fx, "etc/systemd/system/webui.service",
	       "[Service]\nExecStart=/opt/venv/bin/open-webui serve\n");
	fx_link(&fx, "/etc/systemd/system/webui.service",
		"etc/systemd/system/multi-user.target.requires/webui.service");
	fx_put(&fx, "home/alice/.config/systemd/user/llm.service",
	       "[Service]\nExecStart=/usr/bin/env VLLM_NO_USAGE_STATS=1 /usr/bin/python3 -m "
	       "vllm.entrypoints.openai.api_server --model m\n");
	fx_link(&fx, "../llm.service",
		"home/alice/.config/systemd/user/default.target.wants/llm.service");
	fx_put(&fx, "home/alice/.config/autostart/jan.desktop",
	       "[Desktop Entry]\nName=Jan\nExec=\"/opt/Jan/jan\" %U\n");
	fx_put(&fx, "home/alice/.config/autostart/lms.desktop",
	       "[Desktop Entry]\nExec=/home/alice/Apps/LM-Studio-0.3.5-x64.AppImage\n");
	fx_put(&fx, "home/alice/.config/autostart/io.gpt4all.gpt4all.desktop",
	       "[Desktop Entry]\nExec=/usr/bin/flatpak run --branch=stable io.gpt4all.gpt4all\n");
	fx_put(&fx, "etc/xdg/autostart/gpt4all.desktop",
	       "[Desktop Entry]\nExec=/home/alice/gpt4all/bin/chat\nHidden=true\n");
	CHECK_INT(check_hygiene_startup(&fx.c, fx.r), 0);
	snprintf(ev, sizeof(ev),
		 "%s/etc/systemd/system/default.target.wants/ollama.service: ollama.service starts "
		 "ollama at boot",
		 fx.root);
	f = fx_find(&fx, "hygiene-startup", AUDIT_WARN, "ollama.service", ev);
	CHECK(f != NULL);
	if (f) {
		CHECK_STR(f->fix, "systemctl disable ollama.service");
		CHECK_STR(f->tool, "ollama");
		CHECK_INT(f->item, AUDIT_ITEM_HYGIENE);
	}
	f = fx_find(&fx, "hygiene-startup", AUDIT_WARN, "llm.service", "this user's login");
	CHECK(f != NULL && !strcmp(f->tool, "vllm"));
	CHECK(fx_find(&fx, "hygiene-startup", AUDIT_WARN, "jan.desktop",
		      "jan.desktop:3: starts jan") != NULL);
	CHECK(fx_find(&fx, "hygiene-startup", AUDIT_WARN, "lms.desktop", "starts lm-studio") !=
	      NULL);
	CHECK(fx_find(&fx, "hygiene-startup", AUDIT_WARN, "io.gpt4all.gpt4all.desktop",
		      "starts gpt4all") != NULL);
	CHECK(fx_find(&fx, "hygiene-startup", AUDIT_WARN, "webui.service",
		      "multi-user.target.requires/webui.service: webui.service starts open-webui at "
		      "boot") != NULL);
	CHECK(fx_find(&fx, "hygiene-startup", AUDIT_WARN, "llm.service",
		      "multi-user.target.wants/llm.service: llm.service starts ollama at boot") !=
	      NULL);
	CHECK_INT(fx_count(&fx, "hygiene-startup", AUDIT_WARN), 7); /* not the hidden one */
	CHECK_INT(fx_count(&fx, "hygiene-startup", AUDIT_PASS), 0);
	fx_done(&fx);

	/* an enabled unit whose file cannot be read, its name no tool's: a SKIP, and no PASS
	 * "nothing starts a tool" */
	fx_init(&fx, "hygiene");
	fx_put_size(&fx, "etc/systemd/system/models.service", (1 << 20) + 1);
	fx_link(&fx, "/etc/systemd/system/models.service",
		"etc/systemd/system/multi-user.target.wants/models.service");
	CHECK_INT(check_hygiene_startup(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "hygiene-startup", AUDIT_SKIP, "models.service",
		      "multi-user.target.wants/models.service not read (larger than the audit "
		      "reads): whether models.service starts a tool at boot is not known") != NULL);
	CHECK_INT(fx_count(&fx, "hygiene-startup", AUDIT_PASS), 0);
	fx_done(&fx);

	/* a package's static link (only masking stops it), a runtime one, and a unit enabled
	 * in two targets by the package: one finding per unit and fix */
	fx_init(&fx, "hygiene");
	fx_put(&fx, "usr/lib/systemd/system/ollama.service",
	       "[Service]\nExecStart=/usr/bin/ollama serve\n");
	fx_link(&fx, "../ollama.service",
		"usr/lib/systemd/system/multi-user.target.wants/ollama.service");
	fx_put(&fx, "usr/lib/systemd/system/webui.service",
	       "[Service]\nExecStart=/opt/venv/bin/open-webui serve\n");
	fx_link(&fx, "/usr/lib/systemd/system/webui.service",
		"run/systemd/system/multi-user.target.wants/webui.service");
	fx_link(&fx, "/usr/lib/systemd/system/webui.service",
		"usr/lib/systemd/system/graphical.target.wants/webui.service");
	fx_link(&fx, "/usr/lib/systemd/system/webui.service",
		"usr/lib/systemd/system/multi-user.target.wants/webui.service");
	CHECK_INT(check_hygiene_startup(&fx.c, fx.r), 0);
	f = fx_find(&fx, "hygiene-startup", AUDIT_WARN, "ollama.service",
		    "usr/lib/systemd/system/multi-user.target.wants/ollama.service: ollama.service "
		    "starts ollama at boot");
	CHECK(f != NULL && f->fix && strcmp(f->fix, "systemctl mask ollama.service") == 0);
	f = fx_find(&fx, "hygiene-startup", AUDIT_WARN, "webui.service",
		    "run/systemd/system/multi-user.target.wants/webui.service");
	CHECK(f != NULL && f->fix &&
	      strcmp(f->fix, "systemctl disable --runtime webui.service") == 0);
	f = fx_find(&fx, "hygiene-startup", AUDIT_WARN, "webui.service", "usr/lib/systemd/system/");
	CHECK(f != NULL && f->fix && strcmp(f->fix, "systemctl mask webui.service") == 0);
	CHECK_INT(fx_count(&fx, "hygiene-startup", AUDIT_WARN), 3);
	fx_done(&fx);
}

static void test_accounts(void)
{
	struct fixture fx;
	char ev[512];

	fx_init(&fx, "hygiene");
	fx_put(&fx, "etc/passwd", passwd);
	CHECK_INT(check_hygiene_accounts(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_SKIP, NULL, "not the live system") != NULL);

	/* install.sh's unit: the ollama system account */
	fx_reset(&fx);
	fx_put(&fx, "etc/systemd/system/ollama.service",
	       "[Service]\nExecStart=/usr/local/bin/ollama serve\nUser=ollama\nGroup=ollama\n");
	CHECK_INT(check_hygiene_accounts(&fx.c, fx.r), 0);
	snprintf(ev, sizeof(ev),
		 "%s/etc/systemd/system/ollama.service:3: User=ollama: ollama runs as the system "
		 "account ollama (uid 998, no login)",
		 fx.root);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_PASS, "ollama.service", ev) != NULL);

	/* a drop-in moves it to a login account; the later drop-in wins */
	fx_reset(&fx);
	fx_put(&fx, "etc/systemd/system/ollama.service.d/10-user.conf", "[Service]\nUser=svc\n");
	fx_put(&fx, "usr/lib/systemd/system/ollama.service.d/20-user.conf",
	       "[Service]\nUser=alice\n");
	CHECK_INT(check_hygiene_accounts(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_WARN, "ollama.service",
		      "20-user.conf:2: User=alice: ollama runs as the login account alice") !=
	      NULL);

	/* /etc's 20-user.conf hides /usr/lib's of the same name */
	fx_reset(&fx);
	fx_put(&fx, "etc/systemd/system/ollama.service.d/20-user.conf", "[Service]\nUser=ollama\n");
	CHECK_INT(check_hygiene_accounts(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_PASS, "ollama.service",
		      "system/ollama.service.d/20-user.conf:2: User=ollama") != NULL);
	CHECK_INT(fx_count(&fx, "hygiene-accounts", AUDIT_WARN), 0);

	/* no User= is root; a vendor unit found by its ExecStart=; a user unit */
	fx_done(&fx);
	fx_init(&fx, "hygiene");
	fx_put(&fx, "etc/passwd", passwd);
	fx_put(&fx, "usr/lib/systemd/system/webui.service",
	       "[Service]\nExecStart=/opt/venv/bin/open-webui serve\n");
	fx_put(&fx, "lib/systemd/system/kobold.service",
	       "[Service]\nExecStart=/opt/kobold/koboldcpp --model m\nDynamicUser=yes\n");
	fx_put(&fx, "home/alice/.config/systemd/user/lms.service",
	       "[Service]\nExecStart=/home/alice/.lmstudio/bin/lms server start\n");
	fx_put(&fx, "etc/systemd/system/cron.service", "[Service]\nExecStart=/usr/sbin/cron\n");
	CHECK_INT(check_hygiene_accounts(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_WARN, "webui.service",
		      "no User=: open-webui runs as root") != NULL);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_PASS, "kobold.service", "DynamicUser=yes") !=
	      NULL);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_WARN, "lms.service",
		      "a user unit: lm-studio runs as the login account alice (uid 1000)") != NULL);
	CHECK_INT(audit_count(fx.r, AUDIT_PASS) + audit_count(fx.r, AUDIT_WARN), 3);

	/* masked in /etc: the vendor unit below is not used */
	fx_reset(&fx);
	fx_link(&fx, "/dev/null", "etc/systemd/system/webui.service");
	CHECK_INT(check_hygiene_accounts(&fx.c, fx.r), 0);
	CHECK_INT(fx_count(&fx, "hygiene-accounts", AUDIT_WARN), 1); /* lms.service only */
	fx_done(&fx);
}

/*
 * Units as systemd reads them (audit_units_each()): every service's service.d drop-in, a
 * template's instances with User=%i, an empty User= that resets, /etc/systemd/user's units
 * (every user's), and a drop-in that cannot be read.
 */
static void test_accounts_units(void)
{
	struct fixture fx;
	char ev[512];

	fx_init(&fx, "hygiene");
	fx_put(&fx, "etc/passwd", passwd);
	fx_put(&fx, "usr/lib/systemd/system/ollama.service",
	       "[Service]\nExecStart=/usr/local/bin/ollama serve\nUser=ollama\n");
	fx_put(&fx, "etc/systemd/system/service.d/50-all.conf", "[Service]\nUser=alice\n");
	fx_put(&fx, "etc/systemd/system/llama-server@.service",
	       "[Service]\nExecStart=/usr/bin/llama-server --port 8080\n");
	/* after service.d's 50-all.conf, by name */
	fx_put(&fx, "etc/systemd/system/llama-server@.service.d/60-user.conf",
	       "[Service]\nUser=%i\n");
	fx_link(&fx, "../llama-server@.service",
		"etc/systemd/system/multi-user.target.wants/llama-server@ollama.service");
	fx_put(&fx, "etc/systemd/system/vllm.service",
	       "[Service]\nExecStart=/usr/bin/vllm serve m\nUser=svc\n");
	fx_put(&fx, "etc/systemd/system/vllm.service.d/90-root.conf", "[Service]\nUser=\n");
	fx_put(&fx, "etc/systemd/user/open-webui.service",
	       "[Service]\nExecStart=/opt/venv/bin/open-webui serve\n");
	CHECK_INT(check_hygiene_accounts(&fx.c, fx.r), 0);
	snprintf(ev, sizeof(ev),
		 "%s/etc/systemd/system/service.d/50-all.conf:2: User=alice: ollama runs as the "
		 "login account alice",
		 fx.root);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_WARN, "ollama.service", ev) != NULL);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_PASS, "llama-server@ollama.service",
		      "llama-server@.service.d/60-user.conf:2: User=ollama: llama-server runs as "
		      "the system account ollama") != NULL);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_WARN, "vllm.service",
		      "vllm.service.d/90-root.conf:2: User= empty: vllm runs as root") != NULL);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_WARN, "open-webui.service",
		      "etc/systemd/user/open-webui.service: a user unit of every user "
		      "(/etc/systemd/user): open-webui runs as each user whose manager starts it") !=
	      NULL);
	/* the bare template is not read beside its instance */
	CHECK_INT(fx_count(&fx, "hygiene-accounts", AUDIT_PASS) +
			  fx_count(&fx, "hygiene-accounts", AUDIT_WARN) +
			  fx_count(&fx, "hygiene-accounts", AUDIT_SKIP),
		  4);

	/* a drop-in that cannot be read: the account is not known, not "root" */
	fx_put_size(&fx, "etc/systemd/system/ollama.service.d/99-big.conf", (1 << 20) + 1);
	fx_reset(&fx);
	CHECK_INT(check_hygiene_accounts(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_SKIP, "ollama.service",
		      "ollama.service.d/99-big.conf not read (larger than the audit reads (1 MiB)): "
		      "the account ollama runs as is not known") != NULL);
	CHECK_INT(fx_count(&fx, "hygiene-accounts", AUDIT_PASS) +
			  fx_count(&fx, "hygiene-accounts", AUDIT_WARN) +
			  fx_count(&fx, "hygiene-accounts", AUDIT_SKIP),
		  4);
	fx_done(&fx);
}

/* Running tools (a live context over a fixture /proc): one finding per tool and uid. */
static void test_accounts_live(void)
{
	static const char cmd[] = "/usr/local/bin/ollama\0serve\0";
	struct fixture fx;
	char proc_root[128], pw[256], exe[256];
	uid_t me = getuid();

	fx_init(&fx, "hygiene");
	snprintf(proc_root, sizeof(proc_root), "%s/proc", fx.root);
	snprintf(pw, sizeof(pw),
		 "root:x:0:0::/root:/bin/bash\ntooluser:x:%u:%u::/srv:/usr/sbin/nologin\n",
		 (unsigned int)me, (unsigned int)me);
	fx_put(&fx, "etc/passwd", pw);
	snprintf(exe, sizeof(exe), "%s/usr/local/bin/ollama", fx.root);
	fx_put(&fx, "usr/local/bin/ollama", "");
	fx_proc(&fx, 700, "ollama", exe, cmd, sizeof(cmd));
	fx_proc(&fx, 701, "ollama", exe, cmd, sizeof(cmd));
	fx.c.live = true;
	fx.c.proc_root = proc_root;
	CHECK_INT(check_hygiene_accounts(&fx.c, fx.r), 0);
	if (me == 0)
		CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_WARN, "pid 700",
			      "pid 700 (ollama) runs as root") != NULL);
	else
		CHECK(fx_find(&fx, "hygiene-accounts", AUDIT_PASS, "pid 700",
			      "pid 700 (ollama) runs as the system account tooluser") != NULL);
	/* its second process, same account: not said twice */
	CHECK_INT(audit_count(fx.r, AUDIT_PASS) + audit_count(fx.r, AUDIT_WARN), 1);
	fx_done(&fx);
}

static void test_updates(void)
{
	struct fixture fx;

	fx_init(&fx, "hygiene");
	CHECK_INT(check_hygiene_updates(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "hygiene-updates", AUDIT_SKIP, NULL, "no Ollama, GPT4All") != NULL);
	fx_reset(&fx);
	fx_put(&fx, "usr/local/bin/ollama", "");
	fx_put(&fx, "home/alice/gpt4all/maintenancetool", "");
	fx_mkdirs(&fx, "home/alice/.local/share/Jan/data/threads");
	CHECK_INT(check_hygiene_updates(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "hygiene-updates", AUDIT_PASS, "Ollama",
		      "no automatic update on Linux") != NULL);
	CHECK(fx_find(&fx, "hygiene-updates", AUDIT_WARN, "GPT4All", "maintenancetool") != NULL);
	CHECK(fx_find(&fx, "hygiene-updates", AUDIT_SKIP, "Jan", "apps.jan.ai/update-check") !=
	      NULL);
	fx_done(&fx);
}

static void test_extensions(void)
{
	struct fixture fx;
	const struct audit_finding *f;

	fx_init(&fx, "hygiene");
	fx_mkdirs(&fx, "home/alice/.lmstudio/extensions/plugins");
	CHECK_INT(check_hygiene_extensions(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "hygiene-extensions", AUDIT_PASS, "extensions", "no extensions") !=
	      NULL);

	fx_reset(&fx);
	fx_mkdirs(&fx, "home/alice/.lmstudio/extensions/plugins/lmstudio/rag-v1");
	fx_mkdirs(&fx, "home/alice/.lmstudio/extensions/plugins/someone");
	fx_mkdirs(&fx, "home/alice/.local/share/Jan/data/extensions/@janhq");
	fx_put(&fx, "home/alice/.local/share/Jan/data/mcp_config.json",
	       "{\"mcpServers\": {\"fetch\": {\"command\": \"uvx\", \"args\": "
	       "[\"mcp-server-fetch\"], \"active\": true}, \"fs\": {\"command\": \"npx\", "
	       "\"active\": false}}}");
	fx_put(&fx, "home/alice/.lmstudio/mcp.json", "{\"mcpServers\": {}}");
	fx_put(&fx, "app/backend/data/webui.db", "SQLite format 3");
	CHECK_INT(check_hygiene_extensions(&fx.c, fx.r), 0);
	f = fx_find(&fx, "hygiene-extensions", AUDIT_WARN, "plugins", "2: ");
	CHECK(f != NULL && strstr(f->evidence, "lmstudio") && strstr(f->evidence, "someone"));
	CHECK(fx_find(&fx, "hygiene-extensions", AUDIT_PASS, "Jan/data/extensions", "1: @janhq") !=
	      NULL);
	f = fx_find(&fx, "hygiene-extensions", AUDIT_WARN, "mcp_config.json",
		    "2 MCP servers, 1 active: fetch (uvx mcp-server-fetch), fs (npx) inactive");
	CHECK(f != NULL && f->fix);
	CHECK(fx_find(&fx, "hygiene-extensions", AUDIT_SKIP, "webui.db", "SQLite") != NULL);
	/* an empty mcpServers says nothing */
	CHECK_INT(audit_count(fx.r, AUDIT_PASS) + audit_count(fx.r, AUDIT_WARN) +
			  audit_count(fx.r, AUDIT_SKIP),
		  4);
	fx_done(&fx);
}

int main(void)
{
	test_startup();
	test_accounts();
	test_accounts_units();
	test_accounts_live();
	test_updates();
	test_extensions();
	return check_summary("test_check_hygiene");
}
