/*
 * The reference point for what libcurl 7.88 can do on this machine: a plain C client doing the
 * benchmark's requests the way boldsign-idv does (512 KiB receive buffer, callback chunks gathered
 * into 1 MiB write(2)s, one easy handle reused for every URL), with none of the Swift around it.
 *
 *   reference-client URL BODY HEADER-LINE OUTPUT [OUTPUT ...]
 *
 * Downloads URL once per OUTPUT, sequentially, over one connection. Built by Benchmarks/run.sh.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GATHER (1024 * 1024)

struct sink { int fd; size_t used; char *buffer; int failed; };

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
    if (s->used + length > GATHER && flush_sink(s) != 0) { s->failed = 1; return 0; }
    if (length >= GATHER) {
        memcpy(s->buffer, data, length);
        s->used = length;
        if (flush_sink(s) != 0) { s->failed = 1; return 0; }
        return length;
    }
    memcpy(s->buffer + s->used, data, length);
    s->used += length;
    return length;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s URL BODY HEADER OUTPUT...\n", argv[0]); return 64; }
    curl_global_init(CURL_GLOBAL_ALL);
    CURL *easy = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, argv[3]);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    struct sink s = { .buffer = malloc(GATHER) };
    for (int i = 4; i < argc; i++) {
        s.fd = open(argv[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (s.fd < 0) { perror(argv[i]); return 73; }
        s.used = 0;
        curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, argv[2]);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 512L * 1024);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(easy, CURLOPT_FAILONERROR, 1L);
        CURLcode code = curl_easy_perform(easy);
        if (code != CURLE_OK || s.failed || flush_sink(&s) != 0) { fprintf(stderr, "%s: %s\n", argv[i], curl_easy_strerror(code)); return 1; }
        close(s.fd);
    }
    free(s.buffer);
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    curl_global_cleanup();
    return 0;
}
