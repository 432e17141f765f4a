// Snake, written as an ordinary synchronous C program: one main loop that blocks on the next frame
// and blocks on user input, exactly like a terminal game would. The browser has no blocking calls;
// unplugin-asyncify turns `play()` into a promise-returning export so `next_frame`, `read_key` and
// `read_line` can really be requestAnimationFrame, a keydown event and a form submit.
// Build: node playground/c/build.mjs (clang-16 --target=wasm32-wasi -O2 -mexec-model=reactor).

#include <stdint.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

// Blocking imports: each one pauses the whole C call stack until the browser event arrives.
// Waits for the next animation frame; returns its timestamp in milliseconds.
IMPORT("next_frame") double env_next_frame(void);
// Waits for a key press; returns a KEY_* code or the character typed.
IMPORT("read_key") int env_read_key(void);
// Waits for the player to submit the text field; copies at most `cap` UTF-8 bytes, returns the length.
IMPORT("read_line") int env_read_line(char *buf, int cap);

// Immediate imports: they return at once and never pause.
IMPORT("clear") void env_clear(uint32_t rgb);
IMPORT("fill_rect") void env_fill_rect(int x, int y, int w, int h, uint32_t rgb);
IMPORT("draw_text") void env_draw_text(const char *text, int len, int x, int y, int size, uint32_t rgb);
// The key pressed since the last call (0 if none): steering must not stop the snake.
IMPORT("poll_key") int env_poll_key(void);
// Publishes the counters and a status line to the page.
IMPORT("report") void env_report(int frames, int score, int length);
IMPORT("set_status") void env_set_status(const char *text, int len);

enum { KEY_UP = 0x101, KEY_DOWN, KEY_LEFT, KEY_RIGHT, KEY_ENTER = 13, KEY_ESCAPE = 27 };

enum { COLS = 32, ROWS = 24, CELL = 16, TOP = 40, WIDTH = COLS * CELL, HEIGHT = TOP + ROWS * CELL };
enum { STEP_MS = 110, MAX_CELLS = COLS * ROWS, NAME_CAP = 24 };

enum { BLACK = 0x0b1021, PANEL = 0x1b2245, GRID = 0x141a36, SNAKE = 0x5ee27a, HEAD = 0xc8ffb0,
       FOOD = 0xff5470, TEXT = 0xf4f4f8, DIM = 0x8a93b8 };

typedef struct { int8_t x, y; } cell;

static cell body[MAX_CELLS];   // ring buffer, body[head] is the head
static int head, length;
static int dx, dy;
static cell food;
static int score;
static int frames;
static uint32_t rng;
static char name[NAME_CAP];
static int name_len;

// ---------------------------------------------------------------------------------------------------
// Small helpers (no libc: the module needs no WASI imports).

static int str_len(const char *s) {
  int n = 0;
  while (s[n]) n++;
  return n;
}

static void text(const char *s, int x, int y, int size, uint32_t rgb) { env_draw_text(s, str_len(s), x, y, size, rgb); }

static void status(const char *s) { env_set_status(s, str_len(s)); }

// Appends `s` to `out` at `*n`, never past `cap - 1`; keeps `out` NUL-terminated.
static void append(char *out, int *n, int cap, const char *s, int len) {
  for (int i = 0; i < len && *n < cap - 1; i++) out[(*n)++] = s[i];
  out[*n] = 0;
}

static void append_int(char *out, int *n, int cap, int value) {
  char digits[12];
  int d = 0;
  unsigned v = value < 0 ? 0u - (unsigned)value : (unsigned)value;
  do digits[d++] = (char)('0' + v % 10); while ((v /= 10) && d < 11);
  if (value < 0) append(out, n, cap, "-", 1);
  while (d) append(out, n, cap, &digits[--d], 1);
}

static uint32_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

// ---------------------------------------------------------------------------------------------------
// Game state.

static int occupied(int x, int y) {
  for (int i = 0; i < length; i++) {
    cell c = body[(head - i + MAX_CELLS) % MAX_CELLS];
    if (c.x == x && c.y == y) return 1;
  }
  return 0;
}

static void place_food(void) {
  do {
    food.x = (int8_t)(next_random() % COLS);
    food.y = (int8_t)(next_random() % ROWS);
  } while (occupied(food.x, food.y));
}

static void reset_round(void) {
  head = 2;
  length = 3;
  for (int i = 0; i < length; i++) body[i] = (cell){(int8_t)(4 + i), ROWS / 2};
  dx = 1;
  dy = 0;
  score = 0;
  // The first food lies straight ahead, so every round starts with a bite.
  food = (cell){14, ROWS / 2};
}

// Turns towards the pressed direction; reversing into the body is ignored.
static void steer(int key) {
  int nx = dx, ny = dy;
  if (key == KEY_UP || key == 'w') nx = 0, ny = -1;
  if (key == KEY_DOWN || key == 's') nx = 0, ny = 1;
  if (key == KEY_LEFT || key == 'a') nx = -1, ny = 0;
  if (key == KEY_RIGHT || key == 'd') nx = 1, ny = 0;
  if (nx == -dx && ny == -dy) return;
  dx = nx;
  dy = ny;
}

// Moves one cell. Returns 0 when the snake hit a wall or itself.
static int advance(void) {
  cell h = body[head];
  int x = h.x + dx, y = h.y + dy;
  if (x < 0 || x >= COLS || y < 0 || y >= ROWS) return 0;
  int grows = x == food.x && y == food.y;
  if (!grows) length--;  // the tail moves away before the collision check
  int hit = occupied(x, y);
  head = (head + 1) % MAX_CELLS;
  body[head] = (cell){(int8_t)x, (int8_t)y};
  length++;
  if (hit) return 0;
  if (grows) {
    length++;
    score += 10;
    if (length < MAX_CELLS) place_food();
  }
  return 1;
}

// ---------------------------------------------------------------------------------------------------
// Rendering: every pixel goes through the canvas imports.

static void draw_hud(void) {
  char line[64];
  int n = 0;
  line[0] = 0;
  append(line, &n, sizeof line, name, name_len);
  append(line, &n, sizeof line, "  score ", 8);
  append_int(line, &n, sizeof line, score);
  append(line, &n, sizeof line, "  length ", 9);
  append_int(line, &n, sizeof line, length);
  env_fill_rect(0, 0, WIDTH, TOP, PANEL);
  text(line, 12, 26, 18, TEXT);
}

static void draw_board(void) {
  env_clear(BLACK);
  for (int y = 0; y < ROWS; y++)
    for (int x = (y & 1); x < COLS; x += 2) env_fill_rect(x * CELL, TOP + y * CELL, CELL, CELL, GRID);
  env_fill_rect(food.x * CELL + 2, TOP + food.y * CELL + 2, CELL - 4, CELL - 4, FOOD);
  for (int i = length - 1; i >= 0; i--) {
    cell c = body[(head - i + MAX_CELLS) % MAX_CELLS];
    env_fill_rect(c.x * CELL + 1, TOP + c.y * CELL + 1, CELL - 2, CELL - 2, i == 0 ? HEAD : SNAKE);
  }
  draw_hud();
}

static void draw_banner(const char *title, const char *hint) {
  env_fill_rect(48, TOP + 120, WIDTH - 96, 120, PANEL);
  text(title, 72, TOP + 168, 28, TEXT);
  text(hint, 72, TOP + 208, 16, DIM);
}

static void frame(void) {
  env_next_frame();
  frames++;
  env_report(frames, score, length);
}

// ---------------------------------------------------------------------------------------------------
// The program.

static void ask_name(void) {
  env_clear(BLACK);
  text("ASYNCIFY SNAKE", 72, 150, 36, SNAKE);
  text("Type your name below and press Enter.", 72, 200, 16, TEXT);
  status("waiting for your name");
  name_len = env_read_line(name, NAME_CAP - 1);
  if (name_len <= 0) append(name, &name_len, NAME_CAP, "player", 6);
  name[name_len] = 0;
  rng = 2166136261u;
  for (int i = 0; i < name_len; i++) rng = (rng ^ (uint8_t)name[i]) * 16777619u;
  if (!rng) rng = 1;
}

// Plays one round until the snake crashes; returns the score.
static int play_round(void) {
  reset_round();
  draw_board();
  draw_banner("Ready?", "Press any key to start. Arrows/WASD steer, P pauses.");
  status("press a key to start");
  env_read_key();
  status("playing");
  double last = env_next_frame();
  for (;;) {
    int key = env_poll_key();
    if (key == 'p' || key == KEY_ESCAPE) {
      draw_board();
      draw_banner("Paused", "Press any key to continue.");
      status("paused");
      env_read_key();  // the main loop simply stops here until the next keydown
      status("playing");
      last = env_next_frame();
    } else if (key) {
      steer(key);
    }
    double now = env_next_frame();
    frames++;
    // Fixed time step: the same speed at 30, 60 or 144 Hz.
    while (now - last >= STEP_MS) {
      last += STEP_MS;
      if (!advance()) return score;
    }
    draw_board();
    env_report(frames, score, length);
  }
}

// Returns the score of the last round, after the player chose to quit.
EXPORT("play") int play(void) {
  frames = 0;
  ask_name();
  for (;;) {
    int round = play_round();
    draw_board();
    draw_banner("Game over", "Press R to play again, Q to quit.");
    status("game over");
    frame();
    int key;
    do key = env_read_key(); while (key != 'r' && key != 'q');
    if (key == 'q') {
      status("finished");
      return round;
    }
  }
}

EXPORT("frames") int frames_rendered(void) { return frames; }
EXPORT("player_name") const char *player_name(void) { return name; }
