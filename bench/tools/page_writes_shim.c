// LD_PRELOAD diagnostic (bench/README.md "Looking inside a run"): counts, per page number, the
// WAL frames a process appends (the 24-byte frame header names the page) and the 4 KB pages it
// writes into a "*.db" file, and writes the cumulative counts every 5 s and at exit to
// $PAGE_WRITES_OUT.<pid>.<seconds> ("page wal_frames db_writes" per line). Not built by CMake:
// gcc -O2 -shared -fPIC -o page_writes.so page_writes_shim.c -ldl -lpthread
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/types.h>

#define MAXP 4000000
static uint32_t *wal_counts, *db_counts;
static char kind[65536];  // per fd: 0 unknown, 1 wal, 2 db, 3 other

static int classify(int fd) {
  if (fd < 0 || fd >= 65536) return 3;
  if (kind[fd]) return kind[fd];
  char p[64], target[4096];
  snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(p, target, sizeof target - 1);
  int k = 3;
  if (n > 0) {
    target[n] = 0;
    size_t len = strlen(target);
    if (len > 4 && strcmp(target + len - 4, "-wal") == 0) k = 1;
    else if (len > 3 && strcmp(target + len - 3, ".db") == 0) k = 2;
  }
  kind[fd] = k;
  return k;
}

static void dump_to(const char* tag) {
  const char* out = getenv("PAGE_WRITES_OUT");
  if (!out || !wal_counts) return;
  char path[4200];
  snprintf(path, sizeof path, "%s.%d.%s", out, (int)getpid(), tag);
  int any = 0;
  for (uint32_t i = 0; i < MAXP && !any; ++i) any = wal_counts[i] || db_counts[i];
  if (!any) return;
  FILE* f = fopen(path, "w");
  if (!f) return;
  for (uint32_t i = 0; i < MAXP; ++i)
    if (wal_counts[i] || db_counts[i]) fprintf(f, "%u %u %u\n", i, wal_counts[i], db_counts[i]);
  fclose(f);
}

static void dump(void) { dump_to("exit"); }
static void* ticker(void* arg) {
  (void)arg;
  for (int t = 1;; ++t) {
    sleep(5);
    char tag[32];
    snprintf(tag, sizeof tag, "%05d", t * 5);
    dump_to(tag);
  }
  return 0;
}
__attribute__((constructor)) static void init(void) {
  wal_counts = calloc(MAXP, 4);
  db_counts = calloc(MAXP, 4);
  atexit(dump);
  if (getenv("PAGE_WRITES_OUT")) {
    pthread_t t;
    pthread_create(&t, 0, ticker, 0);
  }
}

static void note(int fd, const void* buf, size_t count, off_t off) {
  int k = classify(fd);
  if (k == 1 && count == 24) {
    const unsigned char* b = buf;
    uint32_t pg = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    if (pg < MAXP) __atomic_add_fetch(&wal_counts[pg], 1, __ATOMIC_RELAXED);
  } else if (k == 2 && count == 4096) {
    uint64_t pg = off / 4096 + 1;
    if (pg < MAXP) __atomic_add_fetch(&db_counts[pg], 1, __ATOMIC_RELAXED);
  }
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off_t off) {
  static ssize_t (*real)(int, const void*, size_t, off_t);
  if (!real) real = dlsym(RTLD_NEXT, "pwrite64");
  note(fd, buf, count, off);
  return real(fd, buf, count, off);
}
ssize_t pwrite(int fd, const void* buf, size_t count, off_t off) {
  static ssize_t (*real)(int, const void*, size_t, off_t);
  if (!real) real = dlsym(RTLD_NEXT, "pwrite");
  note(fd, buf, count, off);
  return real(fd, buf, count, off);
}
int close(int fd) {
  static int (*real)(int);
  if (!real) real = dlsym(RTLD_NEXT, "close");
  if (fd >= 0 && fd < 65536) kind[fd] = 0;
  return real(fd);
}
