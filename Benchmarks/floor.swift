// The resident-memory floor of any Swift program built like boldsign-idv (static Swift runtime,
// libcurl linked dynamically), measured by Benchmarks/run.sh next to the real thing:
//   floor curl    initialise libcurl and create an easy handle, nothing else
//   floor json    the same, plus one FoundationEssentials JSONDecoder call (as the library's
//                 error-body and report decoders make)
import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

curl_global_init(Int(CURL_GLOBAL_ALL))
let handle = curl_easy_init()
if CommandLine.arguments.dropFirst().first == "json" {
    let decoded = try JSONDecoder().decode([String: String].self, from: Data(#"{"error":"none"}"#.utf8))
    print(handle != nil, decoded.count)
} else {
    print(handle != nil)
}
