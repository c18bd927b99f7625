#pragma once
// Aggregation and printing of load-generator samples.
#include <string>
#include <vector>

namespace loadgen {

struct Sample {
  double start_ms = 0;  // since the run began
  std::string endpoint;
  int status = 0;       // 0 = connection error or timeout
  double latency_ms = 0;
  bool retry_after = false;
};

// Prints the human summary and one "SUMMARY {json}" line.
void print_summary(const std::vector<Sample>& samples, double seconds, int concurrency);
bool write_csv(const std::vector<Sample>& samples, const std::string& path);

}  // namespace loadgen
