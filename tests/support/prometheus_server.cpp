#include "support/prometheus_server.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/http_get.h"

namespace gantry::test {

PrometheusServer::PrometheusServer(const std::string& dir, const std::vector<Target>& targets)
    : dir_(dir + "/prometheus"), port_(freeLoopbackPort()) {
  std::filesystem::create_directories(dir_ + "/data");
  std::ofstream config(dir_ + "/prometheus.yml");
  config << "global:\n  scrape_interval: 200ms\n  scrape_timeout: 150ms\nscrape_configs:\n";
  std::map<std::string, std::vector<int>> ports_by_job;
  for (const Target& target : targets) {
    ports_by_job[target.job].push_back(target.port);
  }
  for (const auto& [job, ports] : ports_by_job) {
    config << "  - job_name: " << job << "\n    static_configs:\n      - targets: [";
    for (size_t i = 0; i < ports.size(); ++i) {
      config << (i == 0 ? "" : ", ") << "'127.0.0.1:" << ports[i] << "'";
    }
    config << "]\n";
  }
  config.close();
  process_ = std::make_unique<ChildProcess>(
      "/usr/bin/prometheus",
      std::vector<std::string>{
          "--config.file=" + dir_ + "/prometheus.yml", "--storage.tsdb.path=" + dir_ + "/data",
          "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"},
      std::map<std::string, std::string>{}, dir_ + "/prometheus.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    auto ready = httpGet(port_, "/-/ready");
    if (ready && ready->status == 200) {
      return;
    }
    if (std::chrono::steady_clock::now() > deadline || !process_->running()) {
      throw std::runtime_error("prometheus did not become ready:\n" + process_->log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

PrometheusServer::~PrometheusServer() {
  process_->signal(SIGTERM);
  process_->waitExit(std::chrono::seconds(10));
  process_.reset();
  std::filesystem::remove_all(dir_);
}

std::optional<std::vector<PrometheusServer::Sample>> PrometheusServer::query(
    const std::string& promql) const {
  auto reply = httpGet(port_, "/api/v1/query?query=" + urlEncode(promql));
  if (!reply || reply->status != 200) {
    return std::nullopt;
  }
  const auto body = nlohmann::json::parse(reply->body, nullptr, false);
  if (body.is_discarded() || body.value("status", "") != "success") {
    return std::nullopt;
  }
  std::vector<Sample> samples;
  for (const auto& series : body["data"]["result"]) {
    Sample sample;
    for (const auto& [key, value] : series["metric"].items()) {
      sample.labels[key] = value.get<std::string>();
    }
    sample.value = std::stod(series["value"][1].get<std::string>());
    samples.push_back(std::move(sample));
  }
  return samples;
}

std::optional<double> PrometheusServer::scalar(const std::string& promql) const {
  auto samples = query(promql);
  if (!samples || samples->size() != 1) {
    return std::nullopt;
  }
  return samples->front().value;
}

bool PrometheusServer::waitForValue(const std::string& promql, double expected,
                                    std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (scalar(promql) != expected) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

}  // namespace gantry::test
