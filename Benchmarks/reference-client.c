/*
 * The reference point for what libcurl 7.88 can do on this machine: a plain C client doing the
 * benchmark's requests the way boldsign-idv does (512 KiB receive buffer, callback chunks gathered
 * into 1 MiB write(2)s, one easy handle reused for every URL), with none of the Swift around it.
 *
 *   reference-client [-a] [-j N] URL BODY HEADER-LINE OUTPUT [OUTPUT ...]
 *
 * Downloads URL once per OUTPUT, sequentially over one connection; with -j N, N at a time through
 * one multi handle (one thread, as the curl CLI's --parallel), each transfer with 64 KiB buffers
 * as boldsign-idv uses for parallel batches. With -a, each output is delivered as boldsign-idv
 * delivers it (complete or absent): written to a 0600 temporary file beside it, fsync'd, linked
 * into place, the temporary name removed and the directory fsync'd. Built by Benchmarks/run.sh.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GATHER (1024 * 1024)
#define PARALLEL_BUFFER (64 * 1024)

struct sink { int fd; size_t used; size_t capacity; char *buffer; int failed; int dir; char temporary[4096]; const char *name; };

static int atomic_delivery = 0;

static int flush_sink(struct sink *s) {
    size_t done = 0;
    while (done < s->used) {
        ssize_t n = write(s->fd, s->buffer + done, s->used - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    s->used = 0;
    return 0;
}

static size_t on_body(char *data, size_t size, size_t count, void *context) {
    struct sink *s = context;
    size_t length = size * count;
    if (s->used + length > s->capacity && flush_sink(s) != 0) { s->failed = 1; return 0; }
    if (length >= s->capacity) {
        memcpy(s->buffer, data, length);
        s->used = length;
        if (flush_sink(s) != 0) { s->failed = 1; return 0; }
        return length;
    }
    memcpy(s->buffer + s->used, data, length);
    s->used += length;
    return length;
}

static int open_output(struct sink *s, const char *path) {
    if (!atomic_delivery) {
        s->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (s->fd < 0) perror(path);
        return s->fd;
    }
    char directory[4096];
    snprintf(directory, sizeof directory, "%s", path);
    s->name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    s->dir = open(dirname(directory), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat info;
    if (s->dir < 0 || fstatat(s->dir, s->name, &info, AT_SYMLINK_NOFOLLOW) == 0) { perror(path); return -1; }
    snprintf(s->temporary, sizeof s->temporary, ".%s.%ld.partial", s->name, random());
    s->fd = openat(s->dir, s->temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (s->fd < 0) perror(path);
    return s->fd;
}

static int close_output(struct sink *s) {
    if (!atomic_delivery) return close(s->fd);
    int failed = fsync(s->fd) != 0;
    failed |= close(s->fd) != 0;
    failed |= linkat(s->dir, s->temporary, s->dir, s->name, 0) != 0;
    unlinkat(s->dir, s->temporary, 0);
    fsync(s->dir);
    close(s->dir);
    return failed ? -1 : 0;
}

static void configure(CURL *easy, char **argv, struct curl_slist *headers, struct sink *s, long buffer) {
    curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, argv[2]);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, buffer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, s);
    curl_easy_setopt(easy, CURLOPT_FAILONERROR, 1L);
}

/* argv is shifted so that argv[1] is the URL; outputs are argv[4 ... argc-1]. */
static int run_parallel(int parallel, int argc, char **argv, struct curl_slist *headers) {
    CURLM *multi = curl_multi_init();
    struct sink *sinks = calloc((size_t)parallel, sizeof *sinks);
    int next = 4, running = 0, status = 0;
    for (int i = 0; i < parallel && next < argc; i++, next++) {
        sinks[i] = (struct sink){ .capacity = PARALLEL_BUFFER, .buffer = malloc(PARALLEL_BUFFER) };
        if (open_output(&sinks[i], argv[next]) < 0) return 73;
        CURL *easy = curl_easy_init();
        configure(easy, argv, headers, &sinks[i], PARALLEL_BUFFER);
        curl_multi_add_handle(multi, easy);
    }
    do {
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int left;
        while ((message = curl_multi_info_read(multi, &left))) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            struct sink *s;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&s);
            if (message->data.result != CURLE_OK || s->failed || flush_sink(s) != 0) {
                fprintf(stderr, "%s\n", curl_easy_strerror(message->data.result));
                status = 1;
            }
            if (close_output(s) != 0) { perror("close"); status = 1; }
            curl_multi_remove_handle(multi, easy);
            if (next < argc && status == 0) {
                s->used = 0;
                if (open_output(s, argv[next++]) < 0) return 73;
                curl_multi_add_handle(multi, easy);
                running++;
            } else {
                curl_easy_cleanup(easy);
            }
        }
        if (running) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    } while (running);
    curl_multi_cleanup(multi);
    for (int i = 0; i < parallel; i++) free(sinks[i].buffer);
    free(sinks);
    return status;
}

int main(int argc, char **argv) {
    int parallel = 0;
    if (argc > 1 && strcmp(argv[1], "-a") == 0) { atomic_delivery = 1; argc -= 1; argv += 1; }
    if (argc > 2 && strcmp(argv[1], "-j") == 0) { parallel = atoi(argv[2]); argc -= 2; argv += 2; }
    if (argc < 5) { fprintf(stderr, "usage: %s [-a] [-j N] URL BODY HEADER OUTPUT...\n", argv[0]); return 64; }
    curl_global_init(CURL_GLOBAL_ALL);
    struct curl_slist *headers = curl_slist_append(NULL, argv[3]);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    if (parallel > 0) {
        int status = run_parallel(parallel, argc, argv, headers);
        curl_slist_free_all(headers);
        curl_global_cleanup();
        return status;
    }
    CURL *easy = curl_easy_init();
    struct sink s = { .capacity = GATHER, .buffer = malloc(GATHER) };
    for (int i = 4; i < argc; i++) {
        if (open_output(&s, argv[i]) < 0) return 73;
        s.used = 0;
        configure(easy, argv, headers, &s, 512L * 1024);
        CURLcode code = curl_easy_perform(easy);
        if (code != CURLE_OK || s.failed || flush_sink(&s) != 0) { fprintf(stderr, "%s: %s\n", argv[i], curl_easy_strerror(code)); return 1; }
        if (close_output(&s) != 0) { perror(argv[i]); return 1; }
    }
    free(s.buffer);
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    curl_global_cleanup();
    return 0;
}
