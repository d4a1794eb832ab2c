#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>

/*
 * Typed, non-variadic wrappers around libcurl's variadic setopt/getinfo calls, which Swift cannot call.
 * One wrapper per argument type; the option constant still says which option is set.
 * All logic lives in Swift (Sources/CurlTransport); nothing else in the package includes curl headers.
 */

/* CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this signature. */
typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *userdata);
/* CURLOPT_OPENSOCKETFUNCTION. */
typedef curl_socket_t (*ccurl_opensocket_callback)(void *clientp, curlsocktype purpose, struct curl_sockaddr *address);

static inline CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_data_callback(CURL *handle, CURLoption option, ccurl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_opensocket_callback(CURL *handle, ccurl_opensocket_callback value) {
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, value);
}

static inline CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLSHcode ccurl_share_setopt_long(CURLSH *share, CURLSHoption option, long value) {
    return curl_share_setopt(share, option, value);
}

/* CURLOPT_PROTOCOLS and CURLOPT_REDIR_PROTOCOLS: the bitmask forms, which every libcurl since 7.19.4 has.
 * 7.85 deprecated them for the *_STR forms, which the 7.74 floor lacks; libcurl keeps deprecated options working. */
static inline CURLcode ccurl_easy_setopt_protocols(CURL *handle, long mask) {
    return curl_easy_setopt(handle, CURLOPT_PROTOCOLS, mask);
}

static inline CURLcode ccurl_easy_setopt_redirect_protocols(CURL *handle, long mask) {
    return curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS, mask);
}

/* CURLPAUSE_CONT is a macro expression Swift does not import. */
static inline CURLcode ccurl_easy_unpause(CURL *handle) {
    return curl_easy_pause(handle, CURLPAUSE_CONT);
}

static inline CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/* The running libcurl's version and features, whichever headers the package was compiled against. */
static inline const curl_version_info_data *ccurl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

/* CURLMsg's result lives in a union; reading it here keeps Swift away from the union's layout. */
static inline CURLcode ccurl_message_result(const CURLMsg *message) {
    return message->data.result;
}

static inline int ccurl_message_is_done(const CURLMsg *message) {
    return message->msg == CURLMSG_DONE;
}

#endif
