#include "stats.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

namespace loadgen {
namespace {

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t idx = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size()));
  if (idx >= sorted.size()) idx = sorted.size() - 1;
  return sorted[idx];
}

nlohmann::json describe(const std::vector<const Sample*>& s, double seconds) {
  std::vector<double> lat;
  std::map<int, long> by_status;
  long fivexx = 0, n503 = 0, n503_retry = 0;
  double max503 = 0;
  for (const Sample* x : s) {
    lat.push_back(x->latency_ms);
    by_status[x->status]++;
    if (x->status >= 500 || x->status == 0) fivexx++;
    if (x->status == 503) {
      n503++;
      if (x->retry_after) n503_retry++;
      max503 = std::max(max503, x->latency_ms);
    }
  }
  std::sort(lat.begin(), lat.end());
  nlohmann::json statuses = nlohmann::json::object();
  for (auto& [k, v] : by_status) statuses[k == 0 ? "error" : std::to_string(k)] = v;
  double n = static_cast<double>(s.size());
  return {{"requests", s.size()},
          {"rps", seconds > 0 ? n / seconds : 0},
          {"status", statuses},
          {"error_5xx_pct", n > 0 ? 100.0 * static_cast<double>(fivexx) / n : 0},
          {"share_503_pct", n > 0 ? 100.0 * static_cast<double>(n503) / n : 0},
          {"n503_with_retry_after", n503_retry},
          {"max_503_ms", max503},
          {"p50_ms", percentile(lat, 50)},
          {"p95_ms", percentile(lat, 95)},
          {"p99_ms", percentile(lat, 99)},
          {"max_ms", lat.empty() ? 0 : lat.back()}};
}

void print_block(const char* title, const nlohmann::json& j) {
  std::printf("%s\n", title);
  std::printf("  requests      %ld\n", j["requests"].get<long>());
  std::printf("  requests/s    %.2f\n", j["rps"].get<double>());
  std::printf("  status       ");
  for (auto& [k, v] : j["status"].items()) std::printf(" %s:%ld", k.c_str(), v.get<long>());
  std::printf("\n");
  std::printf("  5xx+errors    %.2f %%\n", j["error_5xx_pct"].get<double>());
  std::printf("  503 share     %.2f %% (%ld with Retry-After), max 503 latency %.1f ms\n",
              j["share_503_pct"].get<double>(), j["n503_with_retry_after"].get<long>(), j["max_503_ms"].get<double>());
  std::printf("  latency ms    p50 %.1f  p95 %.1f  p99 %.1f  max %.1f\n", j["p50_ms"].get<double>(),
              j["p95_ms"].get<double>(), j["p99_ms"].get<double>(), j["max_ms"].get<double>());
}

}  // namespace

void print_summary(const std::vector<Sample>& samples, double seconds, int concurrency) {
  std::vector<const Sample*> all;
  std::map<std::string, std::vector<const Sample*>> by_endpoint;
  for (const Sample& s : samples) {
    all.push_back(&s);
    by_endpoint[s.endpoint].push_back(&s);
  }
  nlohmann::json total = describe(all, seconds);
  std::printf("loadgen: %d clients, %.1f s\n", concurrency, seconds);
  print_block("all endpoints", total);
  nlohmann::json per = nlohmann::json::object();
  if (by_endpoint.size() > 1) {
    for (auto& [name, v] : by_endpoint) {
      per[name] = describe(v, seconds);
      print_block(("endpoint " + name).c_str(), per[name]);
    }
  }
  total["clients"] = concurrency;
  total["seconds"] = seconds;
  total["endpoints"] = per;
  std::printf("SUMMARY %s\n", total.dump().c_str());
  std::fflush(stdout);
}

bool write_csv(const std::vector<Sample>& samples, const std::string& path) {
  std::ofstream out(path);
  if (!out) return false;
  out << "start_ms,endpoint,status,latency_ms,retry_after\n";
  for (const Sample& s : samples)
    out << s.start_ms << ',' << s.endpoint << ',' << s.status << ',' << s.latency_ms << ',' << (s.retry_after ? 1 : 0)
        << '\n';
  return static_cast<bool>(out);
}

}  // namespace loadgen
