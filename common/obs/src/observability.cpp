#include "gantry/obs/observability.h"

#include <prometheus/gauge.h>

#include <chrono>

#include "gantry/common/clock.h"
#include "gantry/common/log.h"

namespace gantry::obs {

Observability::Observability(const std::string& component)
    : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("gantry_build_info")
      .Help("Always 1; labels name the component and its version")
      .Register(*registry_)
      .Add({{"component", component}, {"version", GANTRY_VERSION}})
      .Set(1);
  prometheus::BuildGauge()
      .Name("gantry_process_start_time_seconds")
      .Help("Unix time the process started, in seconds")
      .Register(*registry_)
      .Add({})
      .Set(static_cast<double>(SystemClock::instance().now().wall_ms) / 1000.0);
}

namespace {

class ReadCounter final : public prometheus::Collectable {
 public:
  ReadCounter(std::string name, std::string help, std::function<double()> read)
      : name_(std::move(name)), help_(std::move(help)), read_(std::move(read)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily family;
    family.name = name_;
    family.help = help_;
    family.type = prometheus::MetricType::Counter;
    prometheus::ClientMetric metric;
    metric.counter.value = read_();
    family.metric.push_back(std::move(metric));
    return {std::move(family)};
  }

 private:
  const std::string name_;
  const std::string help_;
  const std::function<double()> read_;
};

}  // namespace

Observability::~Observability() = default;

void Observability::addCounter(const std::string& name, const std::string& help,
                               std::function<double()> read) {
  add(std::make_shared<ReadCounter>(name, help, std::move(read)));
}

void Observability::add(std::shared_ptr<prometheus::Collectable> collectable) {
  std::lock_guard lock(mutex_);
  collectables_.push_back(std::move(collectable));
}

std::vector<prometheus::MetricFamily> Observability::collect() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  std::lock_guard lock(mutex_);
  for (const auto& collectable : collectables_) {
    for (auto& family : collectable->Collect()) {
      families.push_back(std::move(family));
    }
  }
  return families;
}

Result<std::unique_ptr<ObsServer>> Observability::serve(const std::string& listen) {
  if (listen.empty()) {
    return std::unique_ptr<ObsServer>();
  }
  auto server = ObsServer::start(
      listen, [this] { return collect(); }, health_);
  if (server.isOk()) {
    log::info("serving metrics and health probes",
              {{"listen", listen}, {"port", server.value()->port()}});
  }
  return server;
}

}  // namespace gantry::obs
