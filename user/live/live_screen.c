// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live view's terminal: every curses call of llmwatch is in this file (see
 * live_screen.h). The layout, top to bottom: the tab bar of panes, the pane's column
 * titles, its rows with a selection bar, the status line (live_panel_status, always shown)
 * and the line of keys, where the filter is typed.
 */
#include "live/live_screen.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live/live_panels.h"
#include "util/escape.h"

/* Rows of a pane frozen by `p`: enough to scroll through, bounded (a row is ~1 KiB). */
#define SNAP_MAX 4096
#define FILTER_MAX 128
#define NOTE_MAX 64
#define WHEEL_ROWS 3
/* What the layout takes besides the rows: tab bar, titles, status line, keys line. */
#define CHROME_LINES 4
#define MIN_LINES (CHROME_LINES + 2)
#define MIN_COLS 20

enum {
	PAIR_HEADER = 1,
	PAIR_INFO,
	PAIR_WARN,
	PAIR_ALERT,
	PAIR_CRITICAL,
	PAIR_EXPOSED,
	PAIR_LOSS,
	PAIR_SELECT,
	PAIR_BAR, /* tab bar and status line */
	PAIR_TAB, /* the current tab */
};

/* Where the selection is in one pane. */
struct pane_pos {
	size_t sel, top;  /* row selected, first row shown */
	uint32_t sel_pid; /* the process selected: followed when the rows reorder; 0: none */
	bool follow;	  /* the log: the selection stays on the newest event */
};

/* The rows of a pane as they were when `p` froze them, and what they were asked with. */
struct snapshot {
	bool valid;
	enum live_pane pane;
	unsigned sort;
	uint32_t pid;
	size_t width;
	char filter[FILTER_MAX];
	struct live_row *rows; /* SNAP_MAX of them, allocated at the first pause */
	size_t n, total;
};

struct live_screen {
	const struct live_model *m;
	SCREEN *scr;
	bool colour, mouse, keys;
	bool frozen;
	char note[NOTE_MAX];

	enum live_pane pane; /* LIVE_PANE_LOG when drilled in */
	enum live_pane back; /* where Esc goes from the log */
	uint32_t log_pid;
	unsigned sort[LIVE_PANES];
	struct pane_pos pos[LIVE_PANES];
	/* each pane's (escaped), "" for none: the log opens unfiltered */
	char filter[LIVE_PANES][FILTER_MAX];
	char edit[FILTER_MAX]; /* being typed after `/` (raw, printable bytes only) */
	size_t edit_len;
	bool editing, paused, help;

	struct live_row *rows; /* the rows on screen, rows_cap of them */
	size_t rows_cap;
	struct snapshot snap;
	int tab_x[LIVE_PANES + 1]; /* where each tab starts on the bar; the end after */
	int rows_y, rows_h;	   /* where the rows are, for the mouse */
	uint64_t now_ns;
};

/* The screen whose terminal is taken, given back by the atexit() handler if still taken. */
static struct live_screen *taken;

/*
 * SIGWINCH: curses' own handler (chained) turns it into KEY_RESIZE at the next getch(),
 * which comes only when a key does; the flag lets the caller's loop ask for it at once.
 */
static struct sigaction curses_winch;
static volatile sig_atomic_t winched;

static void on_winch(int sig)
{
	winched = 1;
	if (curses_winch.sa_handler != SIG_DFL && curses_winch.sa_handler != SIG_IGN &&
	    !(curses_winch.sa_flags & SA_SIGINFO))
		curses_winch.sa_handler(sig);
}

static void give_back_at_exit(void)
{
	if (taken && !isendwin())
		endwin();
}

/* ---- attributes -------------------------------------------------------------------- */

/* A row attribute as curses draws it: colours, or under NO_COLOR only bold/underline/dim. */
static attr_t attr_of(const struct live_screen *s, unsigned a)
{
	if (!s->colour) {
		switch (a) {
		case LIVE_ATTR_HEADER:
			return A_BOLD | A_UNDERLINE;
		case LIVE_ATTR_DIM:
			return A_DIM;
		case LIVE_ATTR_WARN:
		case LIVE_ATTR_ALERT:
			return A_BOLD;
		case LIVE_ATTR_CRITICAL:
		case LIVE_ATTR_EXPOSED:
			return A_BOLD | A_UNDERLINE;
		case LIVE_ATTR_LOSS:
			return A_REVERSE | A_BOLD | A_UNDERLINE;
		default:
			return A_NORMAL;
		}
	}
	switch (a) {
	case LIVE_ATTR_HEADER:
		return COLOR_PAIR(PAIR_HEADER);
	case LIVE_ATTR_DIM:
		return A_DIM;
	case LIVE_ATTR_INFO:
		return COLOR_PAIR(PAIR_INFO);
	case LIVE_ATTR_WARN:
		return COLOR_PAIR(PAIR_WARN);
	case LIVE_ATTR_ALERT:
		return COLOR_PAIR(PAIR_ALERT) | A_BOLD;
	case LIVE_ATTR_CRITICAL:
		return COLOR_PAIR(PAIR_CRITICAL) | A_BOLD;
	case LIVE_ATTR_EXPOSED:
		return COLOR_PAIR(PAIR_EXPOSED) | A_BOLD;
	case LIVE_ATTR_LOSS:
		return COLOR_PAIR(PAIR_LOSS) | A_BOLD;
	default:
		return A_NORMAL;
	}
}

static attr_t select_attr(const struct live_screen *s, unsigned a)
{
	/* the selection bar keeps a row's weight, not its colour (it would not show) */
	attr_t keep = attr_of(s, a) & (A_BOLD | A_DIM | A_UNDERLINE);

	return (s->colour ? COLOR_PAIR(PAIR_SELECT) : A_REVERSE) | (keep & ~A_REVERSE);
}

static attr_t bar_attr(const struct live_screen *s)
{
	return s->colour ? COLOR_PAIR(PAIR_BAR) : A_REVERSE;
}

static void init_colours(void)
{
	/* -1: the terminal's own background, so the view looks like the rest of it */
	use_default_colors();
	init_pair(PAIR_HEADER, COLOR_BLACK, COLOR_GREEN);
	init_pair(PAIR_INFO, COLOR_CYAN, -1);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_ALERT, COLOR_RED, -1);
	init_pair(PAIR_CRITICAL, COLOR_WHITE, COLOR_RED);
	init_pair(PAIR_EXPOSED, COLOR_MAGENTA, -1);
	init_pair(PAIR_LOSS, COLOR_WHITE, COLOR_RED);
	init_pair(PAIR_SELECT, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_TAB, COLOR_BLACK, COLOR_YELLOW);
}

/* ---- drawing helpers ---------------------------------------------------------------- */

/* text (escaped UTF-8, at most cols columns) at row y in attr, the rest of the line too. */
static void put_line(int y, const char *text, attr_t attr, int cols)
{
	int x;

	move(y, 0);
	attrset(attr);
	addstr(text);
	x = getcurx(stdscr);
	/* a line cut at the last column leaves the cursor there: nothing more to pad */
	for (; y == getcury(stdscr) && x < cols; x++)
		addch(' ');
	attrset(A_NORMAL);
}

/* ---- the rows: from the model, or frozen -------------------------------------------- */

static struct live_query query_of(const struct live_screen *s, size_t width)
{
	return (struct live_query){
		.pane = s->pane,
		.width = width,
		.filter = s->filter[s->pane],
		.sort = s->sort[s->pane],
		.pid = s->log_pid,
	};
}

static bool snap_matches(const struct snapshot *sn, const struct live_query *q)
{
	return sn->valid && sn->pane == q->pane && sn->sort == q->sort && sn->pid == q->pid &&
	       sn->width == q->width && strcmp(sn->filter, q->filter) == 0;
}

/*
 * Freezes q's rows (at most SNAP_MAX) as they are now. A pane, filter, sort or size
 * changed while paused takes that pane's rows as they are then: there is nothing older.
 */
static void snap_take(struct live_screen *s, const struct live_query *q)
{
	struct snapshot *sn = &s->snap;

	if (!sn->rows && !(sn->rows = calloc(SNAP_MAX, sizeof(*sn->rows)))) {
		sn->valid = false;
		return;
	}
	sn->n = live_panel_rows(s->m, q, 0, sn->rows, SNAP_MAX, &sn->total);
	if (sn->total > sn->n)
		sn->total = sn->n;
	sn->pane = q->pane;
	sn->sort = q->sort;
	sn->pid = q->pid;
	sn->width = q->width;
	snprintf(sn->filter, sizeof(sn->filter), "%s", q->filter);
	sn->valid = true;
}

/*
 * Rows first..first+max of q's pane into s->rows, from the snapshot when paused; returns
 * how many, the pane's total in *total.
 */
static size_t fetch(struct live_screen *s, const struct live_query *q, size_t first, size_t max,
		    size_t *total)
{
	size_t n;

	if (s->paused && !s->frozen) {
		if (!snap_matches(&s->snap, q))
			snap_take(s, q);
		if (s->snap.valid) {
			*total = s->snap.total;
			n = first < s->snap.n ? s->snap.n - first : 0;
			n = n < max ? n : max;
			memcpy(s->rows, s->snap.rows + first, n * sizeof(*s->rows));
			return n;
		}
		/* no memory to freeze them: shown live, the status line still says PAUSED */
	}
	return live_panel_rows(s->m, q, first, s->rows, max, total);
}

static int ensure_rows(struct live_screen *s, size_t h)
{
	struct live_row *r;

	if (h <= s->rows_cap)
		return 0;
	r = realloc(s->rows, h * sizeof(*r));
	if (!r)
		return -ENOMEM;
	s->rows = r;
	s->rows_cap = h;
	return 0;
}

/* ---- the parts of the screen ------------------------------------------------------- */

static void draw_tabs(struct live_screen *s, int cols)
{
	char label[NOTE_MAX + 32];
	int x = 0;

	attrset(bar_attr(s));
	move(0, 0);
	for (int i = 0; i < cols; i++)
		addch(' ');
	for (int p = 0; p < LIVE_PANES; p++) {
		int len;

		s->tab_x[p] = x;
		if (p == LIVE_PANE_LOG && s->pane != LIVE_PANE_LOG)
			continue;
		if (p == LIVE_PANE_LOG)
			len = snprintf(label, sizeof(label), " %s %u ", live_panel_title(p),
				       s->log_pid);
		else
			len = snprintf(label, sizeof(label), " %d %s ", p + 1, live_panel_title(p));
		if (len <= 0 || x + len > cols)
			break;
		if ((int)s->pane == p)
			attrset(s->colour ? COLOR_PAIR(PAIR_TAB) | A_BOLD : A_BOLD | A_UNDERLINE);
		else
			attrset(bar_attr(s));
		mvaddstr(0, x, label);
		x += len;
	}
	for (int p = 0; p < LIVE_PANES; p++)
		if (s->tab_x[p] > x)
			s->tab_x[p] = x;
	s->tab_x[LIVE_PANES] = x;
	/* the note and the way to the help, on the right when there is room */
	snprintf(label, sizeof(label), "%s%s? help ", s->note, s->note[0] ? "  " : "");
	if ((int)strlen(label) + x + 1 < cols) {
		attrset(bar_attr(s) | (s->note[0] ? A_BOLD : 0));
		mvaddstr(0, cols - (int)strlen(label), label);
	}
	attrset(A_NORMAL);
}

/* Moves the selection into the rows and the rows around the selection. */
static void clamp_pos(struct pane_pos *p, size_t total, size_t h)
{
	if (!total) {
		p->sel = p->top = 0;
		return;
	}
	if (p->follow || p->sel >= total)
		p->sel = total - 1;
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + h)
		p->top = p->sel - h + 1;
	/* no empty space under the last row while there are rows above */
	if (p->top + h > total)
		p->top = total > h ? total - h : 0;
}

static void draw_pane(struct live_screen *s, int lines, int cols)
{
	struct live_query q = query_of(s, (size_t)cols);
	struct pane_pos *p = &s->pos[s->pane];
	size_t h = (size_t)(lines - CHROME_LINES), total = 0, n, first;
	struct live_row head;

	s->rows_y = 2;
	s->rows_h = (int)h;
	live_panel_header(&q, &head);
	put_line(1, head.text, attr_of(s, LIVE_ATTR_HEADER), cols);
	if (ensure_rows(s, h)) {
		put_line(2, "out of memory for the rows", attr_of(s, LIVE_ATTR_ALERT), cols);
		return;
	}
	first = p->top;
	n = fetch(s, &q, first, h, &total);
	clamp_pos(p, total, h);
	/* on the newest event of a log, as tail -f: it stays there as events come */
	if (s->pane == LIVE_PANE_LOG && total && p->sel == total - 1)
		p->follow = true;
	if (p->top != first)
		n = fetch(s, &q, p->top, h, &total);
	/* the process selected before stays selected where it moved to, if it is shown */
	if (p->sel_pid && p->sel >= p->top && p->sel - p->top < n &&
	    s->rows[p->sel - p->top].pid != p->sel_pid) {
		for (size_t i = 0; i < n; i++)
			if (s->rows[i].pid == p->sel_pid)
				p->sel = p->top + i;
	}
	if (p->sel >= p->top && p->sel - p->top < n)
		p->sel_pid = s->rows[p->sel - p->top].pid;
	for (size_t i = 0; i < n; i++) {
		bool sel = p->top + i == p->sel;

		put_line(2 + (int)i, s->rows[i].text,
			 sel ? select_attr(s, s->rows[i].attr) : attr_of(s, s->rows[i].attr), cols);
	}
	if (!total) {
		attrset(A_DIM);
		mvaddnstr(2, 1,
			  s->filter[s->pane][0] ? "(no row matches the filter)" :
						  "(nothing seen yet)",
			  cols - 1);
		attrset(A_NORMAL);
	}
}

static void draw_status(struct live_screen *s, int y, int cols)
{
	struct live_row st;

	live_panel_status(s->m, (size_t)cols, s->paused || s->frozen, s->now_ns, &st);
	put_line(y, st.text, st.attr == LIVE_ATTR_LOSS ? attr_of(s, LIVE_ATTR_LOSS) : bar_attr(s),
		 cols);
}

/* The keys line: the filter being typed, or the keys and the filter in force. */
static void draw_keys(struct live_screen *s, int y, int cols)
{
	char shown[FILTER_MAX * 4], line[LIVE_ROW_MAX];
	const char *sort = live_panel_sort_name(s->pane, s->sort[s->pane]);
	const char *f = s->filter[s->pane];

	if (s->editing) {
		escape_bytes(shown, sizeof(shown), s->edit, s->edit_len);
		snprintf(line, sizeof(line), "Filter: %s_   (Enter applies, Esc clears)", shown);
	} else {
		/* the filter in force first, then the keys, the most needed first */
		snprintf(line, sizeof(line),
			 "%s%s%s%s%s? help  q quit  Tab pane  Enter %s  / filter  "
			 "s sort: %s  p %s",
			 f[0] ? "filter \"" : "", f, f[0] ? "\"" : "", f[0] ? " (Esc clears)" : "",
			 f[0] ? "  " : "", s->pane == LIVE_PANE_LOG ? "-" : "open",
			 sort ? sort : "-",
			 s->frozen ? "-" :
			 s->paused ? "resume" :
				     "pause");
	}
	/* ASCII but for the filter, whose escaped form may hold UTF-8: cut by columns */
	attrset(s->editing ? A_BOLD : A_NORMAL);
	mvaddnstr(y, 0, line, -1);
	if (getcury(stdscr) != y) /* wrapped: the line was longer than the screen */
		move(y, cols - 1);
	clrtoeol();
	attrset(A_NORMAL);
}

static const char *const help_lines[] = {
	"llmwatch --live: keys",
	"",
	"Up/Down PgUp/PgDn Home/End   move the selection",
	"Tab, Shift-Tab, 1-4          next, previous pane, pane N",
	"Enter                        a process's events (Processes)",
	"Esc, Backspace, Left         back from a process's events",
	"/                            filter the pane's rows: type, then",
	"                             Enter (Esc clears the filter)",
	"s                            sort by the pane's next key",
	"p                            pause the display (events are",
	"                             still counted and kept)",
	"?                            this help;  q  quit",
	"mouse                        click a tab or a row; wheel",
	"",
	"any key closes this help",
};

static void draw_help(struct live_screen *s, int lines, int cols)
{
	int n = (int)(sizeof(help_lines) / sizeof(help_lines[0]));
	int w = 0, h = n + 2, y0, x0;

	for (int i = 0; i < n; i++)
		if ((int)strlen(help_lines[i]) > w)
			w = (int)strlen(help_lines[i]);
	w += 4; /* two columns of margin each side */

	if (w > cols)
		w = cols;
	if (h > lines)
		h = lines;
	y0 = (lines - h) / 2;
	x0 = (cols - w) / 2;
	attrset(bar_attr(s));
	for (int y = 0; y < h; y++) {
		move(y0 + y, x0);
		for (int x = 0; x < w; x++)
			addch(' ');
		if (y >= 1 && y - 1 < n && y < h - 1)
			mvaddnstr(y0 + y, x0 + 2, help_lines[y - 1], w - 4);
	}
	attrset(A_NORMAL);
}

void live_screen_draw(struct live_screen *s, uint64_t now_ns)
{
	int lines = LINES, cols = COLS;

	s->now_ns = now_ns;
	erase();
	if (lines < MIN_LINES || cols < MIN_COLS) {
		mvaddnstr(0, 0, "llmwatch: the terminal is too small", cols);
		refresh();
		return;
	}
	draw_tabs(s, cols);
	draw_pane(s, lines, cols);
	draw_status(s, lines - 2, cols);
	draw_keys(s, lines - 1, cols);
	if (s->help)
		draw_help(s, lines, cols);
	refresh();
}

/* ---- keys ------------------------------------------------------------------------- */

static void go_pane(struct live_screen *s, enum live_pane p)
{
	if (s->pane == p)
		return;
	s->pane = p;
	s->snap.valid = false;
}

static void next_pane(struct live_screen *s, int dir)
{
	/* the log is a tab only while open; from it, Tab goes on from where it was opened */
	int p = s->pane == LIVE_PANE_LOG ? (int)s->back : (int)s->pane;

	p = (p + dir + LIVE_PANE_LOG) % LIVE_PANE_LOG;
	go_pane(s, (enum live_pane)p);
}

/*
 * The process of the selected row, 0 if none: a key that moved the selection since the
 * last draw (Home, then Enter, read together) left no pid known for it yet.
 */
static uint32_t selected_pid(struct live_screen *s)
{
	struct pane_pos *p = &s->pos[s->pane];
	struct live_query q = query_of(s, (size_t)(COLS > 0 ? COLS : 80));
	size_t total = 0;

	if (p->sel_pid)
		return p->sel_pid;
	if (ensure_rows(s, 1))
		return 0;
	if (fetch(s, &q, p->sel, 1, &total) == 1)
		return s->rows[0].pid;
	/* past the end: the draw would clamp it to the last row */
	if (total && fetch(s, &q, total - 1, 1, &total) == 1) {
		p->sel = total - 1;
		return s->rows[0].pid;
	}
	return 0;
}

static void open_log(struct live_screen *s)
{
	struct pane_pos *p = &s->pos[s->pane];

	if (s->pane != LIVE_PANE_PROCESSES || !(p->sel_pid = selected_pid(s)))
		return;
	s->back = s->pane;
	s->log_pid = p->sel_pid;
	s->pos[LIVE_PANE_LOG] = (struct pane_pos){ .follow = true };
	s->filter[LIVE_PANE_LOG][0] = '\0';
	go_pane(s, LIVE_PANE_LOG);
}

static void close_log(struct live_screen *s)
{
	if (s->pane == LIVE_PANE_LOG)
		go_pane(s, s->back);
}

static void move_sel(struct live_screen *s, long delta)
{
	struct pane_pos *p = &s->pos[s->pane];

	if (delta < 0 && (size_t)-delta > p->sel)
		p->sel = 0;
	else
		p->sel += (size_t)delta;
	/* clamped at the next draw, which knows the total */
	p->sel_pid = 0;
	p->follow = false;
}

static void set_filter(struct live_screen *s, const char *raw, size_t len)
{
	/* typed bytes that are no valid UTF-8 are matched as the rows show them: escaped */
	escape_bytes(s->filter[s->pane], sizeof(s->filter[s->pane]), raw, len);
	s->pos[s->pane] = (struct pane_pos){ .follow = s->pane == LIVE_PANE_LOG };
	s->snap.valid = false;
}

static void edit_key(struct live_screen *s, int ch)
{
	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		s->editing = false;
		set_filter(s, s->edit, s->edit_len);
		return;
	case 27: /* Esc */
		s->editing = false;
		set_filter(s, "", 0);
		return;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* a whole UTF-8 character: its continuation bytes, then its first */
		while (s->edit_len && ((unsigned char)s->edit[s->edit_len - 1] & 0xc0) == 0x80)
			s->edit_len--;
		if (s->edit_len)
			s->edit_len--;
		return;
	default:
		/* printable bytes only: ASCII, and the bytes of UTF-8 characters */
		if (ch < 0x20 || ch == 0x7f || ch > 0xff || s->edit_len + 1 >= sizeof(s->edit))
			return;
		s->edit[s->edit_len++] = (char)ch;
	}
}

static void mouse_event(struct live_screen *s)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		move_sel(s, -WHEEL_ROWS);
		return;
	}
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED) {
		move_sel(s, WHEEL_ROWS);
		return;
	}
#endif
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	if (ev.y == 0) {
		for (int p = 0; p < LIVE_PANES; p++) {
			if (ev.x >= s->tab_x[p] && ev.x < s->tab_x[p + 1] &&
			    s->tab_x[p] < s->tab_x[p + 1])
				go_pane(s, (enum live_pane)p);
		}
		return;
	}
	if (ev.y >= s->rows_y && ev.y < s->rows_y + s->rows_h) {
		struct pane_pos *p = &s->pos[s->pane];
		size_t row = p->top + (size_t)(ev.y - s->rows_y);

		/* a click on the process already selected opens it, as Enter does */
		if (row == p->sel && s->pane == LIVE_PANE_PROCESSES) {
			open_log(s);
			return;
		}
		p->sel = row;
		p->sel_pid = 0;
		p->follow = false;
	}
}

/* One key; returns true for quit. */
static bool key(struct live_screen *s, int ch)
{
	size_t page = s->rows_h > 1 ? (size_t)s->rows_h - 1 : 1;

	if (s->editing) {
		edit_key(s, ch);
		return false;
	}
	if (s->help && ch != KEY_RESIZE && ch != KEY_MOUSE) {
		s->help = false;
		return false;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return true;
	case KEY_UP:
	case 'k':
		move_sel(s, -1);
		break;
	case KEY_DOWN:
	case 'j':
		move_sel(s, 1);
		break;
	case KEY_PPAGE:
		move_sel(s, -(long)page);
		break;
	case KEY_NPAGE:
		move_sel(s, (long)page);
		break;
	case KEY_HOME:
	case 'g':
		s->pos[s->pane].sel = 0;
		s->pos[s->pane].sel_pid = 0;
		s->pos[s->pane].follow = false;
		break;
	case KEY_END:
	case 'G':
		/* the last row, and for the log: stay there as events come */
		s->pos[s->pane].sel = (size_t)-1 / 2;
		s->pos[s->pane].sel_pid = 0;
		s->pos[s->pane].follow = s->pane == LIVE_PANE_LOG;
		break;
	case '\t':
		next_pane(s, 1);
		break;
	case KEY_BTAB:
		next_pane(s, -1);
		break;
	case '1':
	case '2':
	case '3':
	case '4':
		go_pane(s, (enum live_pane)(ch - '1'));
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
		open_log(s);
		break;
	case 27: /* Esc */
	case KEY_BACKSPACE:
	case 127:
	case 8:
	case KEY_LEFT:
		if (s->pane == LIVE_PANE_LOG)
			close_log(s);
		else if (ch == 27 && s->filter[s->pane][0])
			set_filter(s, "", 0);
		break;
	case '/':
		s->editing = true;
		s->edit_len = 0;
		break;
	case 'p':
	case ' ':
		if (!s->frozen) {
			s->paused = !s->paused;
			s->snap.valid = false;
		}
		break;
	case 's':
		s->sort[s->pane]++;
		if (!live_panel_sort_name(s->pane, s->sort[s->pane]))
			s->sort[s->pane] = 0;
		s->snap.valid = false;
		break;
	case '?':
	case 'h':
	case KEY_F(1):
		s->help = true;
		break;
	case KEY_MOUSE:
		mouse_event(s);
		break;
	case KEY_RESIZE:
		/* curses has taken the new size; the draw that follows uses it */
		s->snap.valid = false;
		break;
	default:
		break;
	}
	return false;
}

/* Whether the terminal behind fd has gone (hung up): there is nobody to show anything to. */
static bool input_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

bool live_screen_pending(const struct live_screen *s)
{
	(void)s;
	return winched;
}

enum live_screen_act live_screen_input(struct live_screen *s, uint64_t now_ns)
{
	bool any = false;
	int ch;

	winched = 0;

	if (!s->keys)
		return LIVE_SCREEN_GO_ON;
	while ((ch = getch()) != ERR) {
		any = true;
		if (key(s, ch))
			return LIVE_SCREEN_QUIT;
	}
	if (!any && input_gone(STDIN_FILENO))
		return LIVE_SCREEN_QUIT;
	if (any)
		live_screen_draw(s, now_ns);
	return LIVE_SCREEN_GO_ON;
}

/* ---- open, close --------------------------------------------------------------------- */

int live_screen_input_fd(const struct live_screen *s)
{
	return s->keys ? STDIN_FILENO : -1;
}

void live_screen_freeze(struct live_screen *s, const char *note)
{
	s->frozen = true;
	s->paused = false;
	escape_str(s->note, sizeof(s->note), note ? note : "");
}

struct live_screen *live_screen_open(const struct live_model *m, const struct live_screen_opts *o,
				     char *err, size_t n)
{
	struct live_screen *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, n, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	s->m = m;
	s->pane = s->back = LIVE_PANE_PROCESSES;
	s->pos[LIVE_PANE_LOG].follow = true;
	if (o && o->frozen)
		live_screen_freeze(s, o->note);
	else if (o && o->note)
		escape_str(s->note, sizeof(s->note), o->note);
	/*
	 * Characters only (LC_CTYPE): curses then writes the rows' UTF-8 as the terminal
	 * expects; numbers and times elsewhere keep the C locale.
	 */
	setlocale(LC_CTYPE, "");
	/* newterm, not initscr: a terminal curses does not know is an error, not an exit() */
	s->scr = newterm(NULL, stdout, stdin);
	if (!s->scr) {
		snprintf(err, n, "cannot use the terminal (TERM=%s)",
			 getenv("TERM") ? getenv("TERM") : "unset");
		free(s);
		errno = ENOTTY;
		return NULL;
	}
	set_term(s->scr);
	taken = s;
	atexit(give_back_at_exit);
	/* cbreak, not raw: Ctrl-C and Ctrl-Z still reach llmwatch as signals */
	cbreak();
	noecho();
	nonl();
	curs_set(0);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* Esc alone must feel immediate; escape sequences arrive together anyway */
	set_escdelay(25);
	s->keys = isatty(STDIN_FILENO);
	s->colour = !(o && o->no_color) && has_colors() && start_color() == OK;
	if (s->colour)
		init_colours();
	{
		struct sigaction sa = { .sa_handler = on_winch, .sa_flags = SA_RESTART };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGWINCH, &sa, &curses_winch);
	}
	/* a click reported at once as a press: no wait for a double click */
	mouseinterval(0);
	s->mouse = mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
				     | BUTTON5_PRESSED
#endif
			     ,
			     NULL) != 0;
	return s;
}

void live_screen_close(struct live_screen *s)
{
	if (!s)
		return;
	if (s->scr) {
		sigaction(SIGWINCH, &curses_winch, NULL);
		if (!isendwin())
			endwin();
		delscreen(s->scr);
	}
	if (taken == s)
		taken = NULL;
	free(s->snap.rows);
	free(s->rows);
	free(s);
}
